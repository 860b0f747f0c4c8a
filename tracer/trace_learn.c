/*
 * Learning the guest from outside, without its symbols: KiSystemService from
 * IDT vector 0x2E, the dispatcher's IRETD and SYSEXIT by decoding forward
 * from it, and KeServiceDescriptorTable[0] by its shape in kernel memory.
 */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>
#include "trace_internal.h"

/* Where a 32-bit interrupt gate points, read through the guest's IDTR. */
bool trace_read_idt_gate(struct kvm_vm *vm, const struct kvm_sregs *s, unsigned vector, uint8_t raw[8],
                         uint32_t *target, uint32_t *gpa)
{
    struct guest_view v;
    uint64_t pa;
    trace_view_of(vm, s, &v);
    if ((vector + 1) * 8 - 1 > s->idt.limit)
        return false;
    uint32_t va = (uint32_t)s->idt.base + vector * 8;
    if (!gview_read(&v, va, raw, 8) || !gview_translate(&v, va, &pa))
        return false;
    *gpa = (uint32_t)pa;
    *target = (uint32_t)raw[0] | (uint32_t)raw[1] << 8 | (uint32_t)raw[6] << 16 | (uint32_t)raw[7] << 24;
    return (raw[5] & 0x80) != 0;   /* present */
}

/* Decodes forward from KiSystemService to its first IRETD and SYSEXIT. */
void trace_find_returns(struct tracer *t, const struct guest_view *v, uint32_t start)
{
    uint8_t code[SWEEP_BYTES];
    size_t n = trace_read_code(t, v, start, code, sizeof(code));
    csh cs;
    if (n == 0 || cs_open(CS_ARCH_X86, CS_MODE_32, &cs) != CS_ERR_OK)
        return;
    /* a hook that jumps elsewhere has no returns of its own: keep the dispatcher's */
    uint32_t old_iret = t->iret_addr, old_sysexit = t->sysexit_addr, old_before = t->before_iret;
    t->iret_addr = t->sysexit_addr = 0;
    cs_insn *insn = cs_malloc(cs);
    const uint8_t *p = code;
    size_t left = n;
    uint64_t addr = start;
    uint32_t previous = 0;
    bool previous_falls_through = false;
    t->before_iret = 0;
    while (insn && cs_disasm_iter(cs, &p, &left, &addr, insn)) {
        if (!t->iret_addr && (insn->id == X86_INS_IRETD || insn->id == X86_INS_IRET)) {
            t->iret_addr = (uint32_t)insn->address;
            if (previous_falls_through)
                t->before_iret = previous;
        }
        if (!t->sysexit_addr && insn->id == X86_INS_SYSEXIT)
            t->sysexit_addr = (uint32_t)insn->address;
        if (t->iret_addr && t->sysexit_addr)
            break;
        previous = (uint32_t)insn->address;
        /* a 2-byte patch fits it, and it runs straight into what follows */
        previous_falls_through = insn->size >= 2 && !cs_insn_group(cs, insn, CS_GRP_JUMP) &&
                                 !cs_insn_group(cs, insn, CS_GRP_CALL) && !cs_insn_group(cs, insn, CS_GRP_RET);
    }
    cs_free(insn, 1);
    cs_close(&cs);
    if (!t->iret_addr && !t->sysexit_addr) {
        t->iret_addr = old_iret;
        t->sysexit_addr = old_sysexit;
        t->before_iret = old_before;
    }
}

/*
 * Finds KeServiceDescriptorTable[0] without symbols: a {Base, Count, Limit,
 * Number} record in the kernel's memory whose Limit is the build's service
 * count and whose Base is an array of that many kernel addresses.
 */
static void locate_service_table(struct tracer *t, const struct guest_view *v)
{
    uint32_t count = (uint32_t)t->opt.services->count;
    size_t scan = v->mem.size < (32u << 20) ? v->mem.size : (32u << 20);
    for (size_t pa = 0x100000; pa + 16 <= scan; pa += 4) {
        uint32_t d[4];
        if (!gmem_read_phys(&v->mem, pa, d, sizeof(d)))
            break;
        if (d[2] != count || d[0] < 0x80000000u || d[3] < 0x80000000u)
            continue;
        uint32_t first, last;
        if (!gview_read_u32(v, d[0], &first) || !gview_read_u32(v, d[0] + (count - 1) * 4, &last) ||
            first < 0x80000000u || last < 0x80000000u)
            continue;
        free(t->sst_copy);
        t->sst_copy = calloc(count, 4);
        if (!t->sst_copy || !gview_read(v, d[0], t->sst_copy, count * 4u)) {
            free(t->sst_copy);
            t->sst_copy = NULL;
            continue;
        }
        t->sst_base = d[0];
        t->sst_limit = count;
        return;
    }
}

int trace_arm(struct tracer *t, struct kvm_vm *vm)
{
    bp_set(&t->bp, SLOT_FAST_CALL_ENTRY, t->fast_call_entry);
    bp_set(&t->bp, SLOT_SYSTEM_SERVICE, t->system_service);
    /* IRETD is one byte: in patch mode, catch the instruction before it and step into it */
    bp_set(&t->bp, SLOT_IRET, t->trap == TRACE_TRAP_PATCH ? t->before_iret : t->iret_addr);
    /* no SYSEXIT runs before the first system call: until boot, that slot watches the program's entry */
    bp_set(&t->bp, SLOT_SYSEXIT, t->booted || t->trap == TRACE_TRAP_PATCH ? t->sysexit_addr : t->user_entry);
    return bp_apply(&t->bp, vm, t->error, sizeof(t->error));
}

/* Reads IDT[0x2E] and the dispatcher's returns. */
void trace_learn_system_service(struct tracer *t, struct kvm_vm *vm, const struct kvm_sregs *s)
{
    uint8_t raw[8];
    uint32_t target, gpa;
    struct guest_view v;
    if (!trace_read_idt_gate(vm, s, IDT_VECTOR, raw, &target, &gpa))
        return;
    trace_view_of(vm, s, &v);
    t->system_service = target;
    memcpy(t->idt_gate, raw, 8);
    t->idt_gate_gpa = gpa;
    trace_find_returns(t, &v, target);
}

/*
 * The kernel has booted: the first user instruction is about to run (rip:
 * the breakpoint on the program's entry fired), or a first system call
 * arrived without that being seen (rip 0).
 */
void trace_on_boot(struct tracer *t, struct kvm_vm *vm, const struct kvm_sregs *s, uint32_t rip)
{
    struct guest_view v;
    t->booted = true;
    if (!t->system_service)
        trace_learn_system_service(t, vm, s);
    trace_view_of(vm, s, &v);
    if (t->opt.services)
        locate_service_table(t, &v);
    if (t->opt.deep)
        trace_place_deep(t, vm, &v);
    if (trace_wants(t, TEV_RING))
        trace_place_traps(t, vm, s);
    trace_fetch_dirty(t, vm);     /* what boot wrote is not an alert */
    if (rip)
        trace_emit_ring(t, 0, 3, "iret", rip);
}
