/*
 * Ring changes that are not system calls: exceptions and interrupts taken in
 * ring 3, and the IRETDs that return there. Watched only when ring events
 * are asked for: patched breakpoints on every handler IDT names (but 0x2E)
 * and on the IRETDs their code reaches, which costs exits on every clock
 * tick. A handler's first instruction sees the CPU's frame: [error code]
 * EIP, CS, EFLAGS, and ESP, SS when it came from ring 3.
 */
#include <capstone/capstone.h>
#include <string.h>
#include <nt/layout.h>
#include "ntdb/x86_desc.h"
#include "trace_internal.h"

#define TRAP_SWEEP_BYTES 512
#define TRAP_MAX_JUMPS   4

static bool pushes_error_code(unsigned vector)
{
    switch (vector) {
    case 8: case 10: case 11: case 12: case 13: case 14: case 17: case 21: case 29: case 30:
        return true;
    default:
        return false;
    }
}

static void add_return(struct tracer *t, uint32_t iret, uint32_t before)
{
    for (int i = 0; i < t->n_trap_returns; i++)
        if (t->trap_returns[i].iret == iret)
            return;
    int slot = bp_free_patch_slot(&t->bp);
    if (slot < 0 || t->n_trap_returns == MAX_TRAP_RETURNS)
        return;
    bp_set(&t->bp, slot, before);
    t->trap_returns[t->n_trap_returns++] = (struct trap_return){ .slot = slot, .iret = iret };
}

/* Follows a handler's code, through its jumps, to the IRETD it returns by. */
static void find_trap_return(struct tracer *t, csh cs, const struct guest_view *v, uint32_t start)
{
    cs_insn *insn = cs_malloc(cs);
    for (int jumps = 0; insn && jumps <= TRAP_MAX_JUMPS; jumps++) {
        uint8_t code[TRAP_SWEEP_BYTES];
        size_t n = trace_read_code(t, v, start, code, sizeof(code));
        const uint8_t *p = code;
        size_t left = n;
        uint64_t addr = start;
        uint32_t previous = 0;
        bool falls_through = false, jumped = false;
        while (cs_disasm_iter(cs, &p, &left, &addr, insn)) {
            if (insn->id == X86_INS_IRETD || insn->id == X86_INS_IRET) {
                if (falls_through && t->ki_system_service && insn->address != t->iret_addr)
                    add_return(t, (uint32_t)insn->address, previous);
                cs_free(insn, 1);
                return;
            }
            if (insn->id == X86_INS_JMP && insn->detail && insn->detail->x86.op_count == 1 &&
                insn->detail->x86.operands[0].type == X86_OP_IMM) {
                start = (uint32_t)insn->detail->x86.operands[0].imm;
                jumped = true;
                break;
            }
            if (cs_insn_group(cs, insn, CS_GRP_JUMP) || cs_insn_group(cs, insn, CS_GRP_RET))
                break;   /* a branch that is not a plain jump: give up on this one */
            previous = (uint32_t)insn->address;
            falls_through = insn->size >= 2 && !cs_insn_group(cs, insn, CS_GRP_CALL);
        }
        if (!jumped)
            break;
    }
    cs_free(insn, 1);
}

void trace_place_traps(struct tracer *t, const struct trace_stop *st)
{
    csh cs;
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &cs) != CS_ERR_OK)
        return;
    cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
    unsigned vectors = (st->sregs->idt.limit + 1u) / 8;
    for (unsigned vector = 0; vector < vectors && vector < 256 && t->n_traps < MAX_TRAPS; vector++) {
        uint8_t raw[8];
        uint32_t target, gpa;
        struct x86_desc gate;
        if (vector == IDT_SYSTEM_SERVICE || !trace_read_idt_gate(st, vector, raw, &target, &gpa))
            continue;
        x86_desc_decode(raw, &gate);
        if (gate.kind != X86_DESC_INT_GATE32 && gate.kind != X86_DESC_TRAP_GATE32)   /* 32-bit gates only */
            continue;
        int slot = bp_free_patch_slot(&t->bp);
        if (slot < 0 || !trace_patch_fits(t, &st->view, target))
            continue;
        bp_set(&t->bp, slot, target);
        t->traps[t->n_traps++] = (struct trap_point){ .slot = slot, .vector = vector,
                                                      .error_code = pushes_error_code(vector) };
        find_trap_return(t, cs, &st->view, target);
    }
    cs_close(&cs);
    trace_arm(t, st->vm);
}

bool trace_is_trap_point(const struct tracer *t, int slot)
{
    for (int i = 0; i < t->n_trap_returns; i++)
        if (t->trap_returns[i].slot == slot)
            return true;
    for (int i = 0; i < t->n_traps; i++)
        if (t->traps[i].slot == slot)
            return true;
    return false;
}

/* A handler entered from ring 3 says so; the instruction before an IRETD only needs the step onto it. */
void trace_on_trap_hit(struct tracer *t, const struct trace_stop *st)
{
    for (int i = 0; i < t->n_trap_returns; i++)
        if (t->trap_returns[i].slot == st->slot)
            return;
    for (int i = 0; i < t->n_traps; i++) {
        const struct trap_point *p = &t->traps[i];
        uint32_t eip, cs;
        if (p->slot != st->slot)
            continue;
        if (trace_stop_frame(st, p->error_code ? 4 : 0, &eip, &cs) && x86_sel_rpl((uint16_t)cs) == 3) {
            trace_emit_ring(t, 3, 0, p->vector < 32 ? "exception" : "interrupt", (int)p->vector, eip);
            t->trap_from_user = (int)p->vector;   /* ring 0 does not nest another entry from ring 3 */
        }
        return;
    }
}

void trace_on_trap_stepped(struct tracer *t, const struct trace_stop *st)
{
    for (int i = 0; i < t->n_trap_returns; i++) {
        uint32_t eip, cs;
        if (t->trap_returns[i].slot != st->slot || !trace_stop_frame(st, 0, &eip, &cs) || x86_sel_rpl((uint16_t)cs) != 3)
            continue;
        trace_emit_ring(t, 0, 3, "iret", t->trap_from_user, eip);
        t->trap_from_user = -1;
    }
}
