/*
 * Learning the guest from outside, without its symbols: KiSystemService from
 * IDT vector 0x2E, the dispatcher's IRETD and SYSEXIT by decoding forward
 * from it, and KeServiceDescriptorTable[0] by its shape in kernel memory.
 */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>
#include <nt/layout.h>
#include "ntdb/x86_desc.h"
#include "trace_internal.h"

/* Where a 32-bit interrupt gate points, read through the guest's IDTR. */
bool trace_read_idt_gate(const struct trace_stop *st, unsigned vector, uint8_t raw[8], uint32_t *target,
                         uint32_t *gpa)
{
    uint64_t pa;
    if ((vector + 1) * 8 - 1 > st->sregs->idt.limit)
        return false;
    uint32_t va = (uint32_t)st->sregs->idt.base + vector * 8;
    if (!gview_read(&st->view, va, raw, 8) || !gview_translate(&st->view, va, &pa))
        return false;
    *gpa = (uint32_t)pa;
    *target = (uint32_t)raw[0] | (uint32_t)raw[1] << 8 | (uint32_t)raw[6] << 16 | (uint32_t)raw[7] << 24;
    return (raw[5] & X86_ACC_P) != 0;
}

/*
 * The dispatcher's call of the service routine through a register the
 * routine must preserve (`call *%ebx` in KiSystemService, as in NT: FF /2,
 * register operand): the instruction after it is where every service
 * returns (KiServiceExit), the register still holding the routine. Only
 * on the straight path from the entry (before any jmp or ret): a hook that
 * jumps on to the dispatcher is followed by code that is not its.
 */
static void learn_service_call(struct tracer *t, const cs_insn *insn, bool straight)
{
    static const bool callee_saved[8] = { [3] = true, [5] = true, [6] = true, [7] = true };   /* EBX EBP ESI EDI */
    if (t->service_exit || !straight || insn->id != X86_INS_CALL || insn->size != 2 || insn->bytes[0] != 0xFF ||
        (insn->bytes[1] & 0xF8) != 0xD0 || !callee_saved[insn->bytes[1] & 7])
        return;
    t->service_exit = (uint32_t)insn->address + insn->size;
    t->service_reg = insn->bytes[1] & 7;
}

/* Decodes forward from KiSystemService to its first IRETD, SYSEXIT and SYSRET, and its call of the routine. */
void trace_find_returns(struct tracer *t, const struct guest_view *v, uint32_t start)
{
    uint8_t code[SWEEP_BYTES];
    size_t n = trace_read_code(t, v, start, code, sizeof(code));
    csh cs;
    if (n == 0 || cs_open(CS_ARCH_X86, CS_MODE_32, &cs) != CS_ERR_OK)
        return;
    /* a hook that jumps elsewhere has no returns of its own: keep the dispatcher's */
    uint32_t old_iret = t->iret_addr, old_sysexit = t->sysexit_addr, old_sysret = t->sysret_addr;
    uint32_t old_before = t->before_iret, old_exit = t->service_exit;
    unsigned old_reg = t->service_reg;
    t->iret_addr = t->sysexit_addr = t->sysret_addr = t->service_exit = 0;
    cs_insn *insn = cs_malloc(cs);
    const uint8_t *p = code;
    size_t left = n;
    uint64_t addr = start;
    uint32_t previous = 0;
    bool previous_falls_through = false, straight = true;
    t->before_iret = 0;
    while (insn && cs_disasm_iter(cs, &p, &left, &addr, insn)) {
        learn_service_call(t, insn, straight);
        straight = straight && insn->id != X86_INS_JMP && !cs_insn_group(cs, insn, CS_GRP_RET) &&
                   insn->id != X86_INS_IRETD && insn->id != X86_INS_IRET;
        if (!t->iret_addr && (insn->id == X86_INS_IRETD || insn->id == X86_INS_IRET)) {
            t->iret_addr = (uint32_t)insn->address;
            if (previous_falls_through)
                t->before_iret = previous;
        }
        if (!t->sysexit_addr && insn->id == X86_INS_SYSEXIT)
            t->sysexit_addr = (uint32_t)insn->address;
        if (!t->sysret_addr && insn->id == X86_INS_SYSRET)
            t->sysret_addr = (uint32_t)insn->address;
        if (t->iret_addr && t->sysexit_addr && t->sysret_addr)
            break;
        previous = (uint32_t)insn->address;
        /* a 2-byte patch fits it, and it runs straight into what follows */
        previous_falls_through = insn->size >= 2 && !cs_insn_group(cs, insn, CS_GRP_JUMP) &&
                                 !cs_insn_group(cs, insn, CS_GRP_CALL) && !cs_insn_group(cs, insn, CS_GRP_RET);
    }
    cs_free(insn, 1);
    cs_close(&cs);
    if (!t->iret_addr && !t->sysexit_addr && !t->sysret_addr) {
        t->iret_addr = old_iret;
        t->sysexit_addr = old_sysexit;
        t->sysret_addr = old_sysret;
        t->before_iret = old_before;
    }
    if (!t->service_exit) {
        t->service_exit = old_exit;
        t->service_reg = old_reg;
    }
}

/* KSERVICE_TABLE_DESCRIPTOR, as the guest lays it out (KSERVICE_TABLE_DESCRIPTOR_LENGTH bytes). */
struct service_descriptor {
    uint32_t base;      /* KiServiceTable */
    uint32_t count;
    uint32_t limit;     /* number of services */
    uint32_t number;    /* KiArgumentTable */
};

/* Whether d looks like the descriptor of a table of count kernel routines. */
static bool is_service_descriptor(const struct guest_view *v, const struct service_descriptor *d, uint32_t count)
{
    uint32_t first, last;
    if (d->limit != count || d->base < MM_SYSTEM_RANGE_START || d->number < MM_SYSTEM_RANGE_START)
        return false;
    return gview_read_u32(v, d->base, &first) && gview_read_u32(v, d->base + (count - 1) * 4, &last) &&
           first >= MM_SYSTEM_RANGE_START && last >= MM_SYSTEM_RANGE_START;
}

/* The routines boot left in the table, each a call's own unless a driver hooked it first (outside nt: 0). */
static void keep_boot_routines(struct tracer *t, uint32_t count)
{
    free(t->ki_service_boot);
    t->ki_service_boot = malloc(count * 4u);
    for (uint32_t i = 0; t->ki_service_boot && i < count; i++) {
        char name[64];
        trace_symbol_of(t, t->ki_service_copy[i], name, sizeof(name));
        t->ki_service_boot[i] = strcmp(name, "outside nt") ? t->ki_service_copy[i] : 0;
    }
}

/*
 * Finds KeServiceDescriptorTable[0] without symbols: a {Base, Count, Limit,
 * Number} record in the kernel's memory whose Limit is the build's service
 * count and whose Base is an array of that many kernel addresses.
 */
static void locate_service_table(struct tracer *t, const struct guest_view *v)
{
    _Static_assert(sizeof(struct service_descriptor) == KSERVICE_TABLE_DESCRIPTOR_LENGTH, "descriptor");
    uint32_t count = (uint32_t)t->opt.services->count;
    size_t scan = v->mem.size < (32u << 20) ? v->mem.size : (32u << 20);
    for (size_t pa = KERNEL_PHYS_BASE; pa + sizeof(struct service_descriptor) <= scan; pa += 4) {
        struct service_descriptor d;
        if (!gmem_read_phys(&v->mem, pa, &d, sizeof(d)))
            break;
        if (!is_service_descriptor(v, &d, count))
            continue;
        free(t->ki_service_copy);
        free(t->ki_service_now);
        t->ki_service_copy = calloc(count, 4);
        t->ki_service_now = calloc(count, 4);
        if (!t->ki_service_copy || !t->ki_service_now || !gview_read(v, d.base, t->ki_service_copy, count * 4u)) {
            free(t->ki_service_copy);
            free(t->ki_service_now);
            t->ki_service_copy = t->ki_service_now = NULL;
            continue;
        }
        keep_boot_routines(t, count);
        t->ki_service_table = d.base;
        t->ki_service_limit = count;
        return;
    }
}

uint32_t trace_fast_return(const struct tracer *t)
{
    return t->fast_via == VIA_SYSCALL ? t->sysret_addr : t->sysexit_addr;
}

int trace_arm(struct tracer *t, struct kvm_vm *vm)
{
    if (t->opt.one_exit)
        return trace_arm_one_exit(t, vm);
    bp_set(&t->bp, SLOT_KI_FAST_CALL_ENTRY, t->ki_fast_call_entry);
    bp_set(&t->bp, SLOT_KI_SYSTEM_SERVICE, t->ki_system_service);
    /* IRETD is one byte: in patch mode, catch the instruction before it and step into it */
    bp_set(&t->bp, SLOT_IRET, t->trap == TRACE_TRAP_PATCH ? t->before_iret : t->iret_addr);
    /* no fast return runs before the first system call: until boot, that slot watches the program's entry */
    bp_set(&t->bp, SLOT_SYSEXIT, t->booted || t->trap == TRACE_TRAP_PATCH ? trace_fast_return(t) : t->user_entry);
    return bp_apply(&t->bp, vm, t->error, sizeof(t->error));
}

/* Reads IDT[0x2E] and the dispatcher's returns. */
void trace_learn_ki_system_service(struct tracer *t, const struct trace_stop *st)
{
    uint8_t raw[8];
    uint32_t target, gpa;
    if (!trace_read_idt_gate(st, IDT_SYSTEM_SERVICE, raw, &target, &gpa))
        return;
    t->ki_system_service = target;
    memcpy(t->idt_gate, raw, 8);
    t->idt_gate_gpa = gpa;
    trace_find_returns(t, &st->view, target);
}

/*
 * The kernel has booted: the first user instruction is about to run (rip:
 * the breakpoint on the program's entry fired), or a first system call
 * arrived without that being seen (rip 0).
 */
void trace_on_boot(struct tracer *t, struct trace_stop *st, uint32_t rip)
{
    t->booted = true;
    if (!t->ki_system_service)
        trace_learn_ki_system_service(t, st);
    if (t->opt.services)
        locate_service_table(t, &st->view);
    if (t->opt.deep)
        trace_place_deep(t, st->vm, &st->view);
    if (trace_wants(t, TEV_RING))
        trace_place_traps(t, st);
    if (rip)
        trace_emit_ring(t, 0, 3, "iret", -1, rip);
}
