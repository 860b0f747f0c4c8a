/*
 * --deep: breakpoints inside service routines, so that a direct Nt call made
 * in kernel mode, which never enters KiSystemService, is seen too.
 */
#include <capstone/capstone.h>
#include <stdio.h>
#include <string.h>
#include <nt/layout.h>
#include "trace_internal.h"

/*
 * Where a 2-byte patch can go at the start of a routine: its first
 * instruction, or past one-byte pushes (counting what they push) to the first
 * instruction long enough. 0 when the prologue does not allow it.
 */
static uint32_t patch_point(const struct tracer *t, const struct guest_view *v, uint32_t routine,
                            uint32_t *esp_delta)
{
    uint8_t code[64];
    size_t n = trace_read_code(t, v, routine, code, sizeof(code));
    csh cs;
    uint32_t found = 0;
    *esp_delta = 0;
    if (n == 0 || cs_open(CS_ARCH_X86, CS_MODE_32, &cs) != CS_ERR_OK)
        return 0;
    cs_insn *insn = cs_malloc(cs);
    const uint8_t *p = code;
    size_t left = n;
    uint64_t addr = routine;
    for (int k = 0; insn && k < 8 && cs_disasm_iter(cs, &p, &left, &addr, insn); k++) {
        if (insn->size >= 2) {
            found = (uint32_t)insn->address;
            break;
        }
        if (insn->id == X86_INS_PUSH)
            *esp_delta += 4;
        else if (insn->id != X86_INS_NOP)
            break;
    }
    cs_free(insn, 1);
    cs_close(&cs);
    return found;
}

void trace_place_deep(struct tracer *t, struct kvm_vm *vm, const struct guest_view *v)
{
    for (const char *const *name = t->opt.deep; name && *name && t->n_deep < MAX_DEEP; name++) {
        const struct svc_entry *e = svc_table_find(t->opt.services, *name);
        uint32_t delta, point;
        int slot = bp_free_patch_slot(&t->bp);
        if (!e || !t->ki_service_copy || e->index >= t->ki_service_limit || slot < 0 ||
            !(point = patch_point(t, v, t->ki_service_copy[e->index], &delta))) {
            fprintf(stderr, "ntvisor: --deep=%s: no breakpoint could be placed in its routine\n", *name);
            continue;
        }
        t->deep[t->n_deep++] = (struct deep_point){ .index = e->index, .slot = slot, .esp_delta = delta };
        bp_set(&t->bp, slot, point);
    }
    if (t->n_deep)
        trace_arm(t, vm);
}

const struct deep_point *trace_deep_of(const struct tracer *t, int slot)
{
    for (int i = 0; i < t->n_deep; i++)
        if (t->deep[i].slot == slot)
            return &t->deep[i];
    return NULL;
}

/* A service routine was entered: by the dispatcher, or by a direct call from kernel mode. */
bool trace_on_deep_entry(struct tracer *t, struct trace_stop *st, const struct deep_point *d)
{
    struct thread_state *th = trace_stop_thread(t, st);
    struct open_call *top = th->depth > 0 ? &th->stack[th->depth - 1] : NULL;
    if (top && top->call.via != VIA_DIRECT && top->call.table == 0 && top->call.index == d->index &&
        !top->reached) {
        top->reached = true;   /* dispatched through KiSystemService: already traced */
        return false;
    }

    struct trace_call c;
    memset(&c, 0, sizeof(c));
    uint32_t esp = (uint32_t)st->regs->rsp + d->esp_delta;
    c.via = VIA_DIRECT;
    c.cpl = 0;
    /* a direct call keeps the previous mode of the system call it is made in */
    c.prev_mode = top ? top->call.prev_mode : 0;
    c.index = d->index;
    c.arg_ptr = esp + 4;
    gview_read_some(&st->view, esp, &c.return_rip, sizeof(c.return_rip));
    trace_identify_call(t, st, &c);

    int slot = -1;
    if (c.return_rip >= MM_SYSTEM_RANGE_START && trace_patch_fits(t, &st->view, c.return_rip) &&
        (slot = bp_free_patch_slot(&t->bp)) >= 0) {
        bp_set(&t->bp, slot, c.return_rip);
        trace_arm(t, st->vm);
    }
    return trace_open_call(t, st, &c, slot);
}

/* A direct call's one-shot return breakpoint: true if the stop's slot was one. */
bool trace_on_direct_return(struct tracer *t, struct trace_stop *st)
{
    struct thread_state *th = trace_stop_thread(t, st);
    for (int i = th->depth - 1; i >= 0; i--) {
        if (th->stack[i].call.via != VIA_DIRECT || th->stack[i].return_slot != st->slot)
            continue;
        struct open_call oc = th->stack[i];
        memmove(&th->stack[i], &th->stack[i + 1], (size_t)(th->depth - i - 1) * sizeof(th->stack[0]));
        th->depth--;
        bp_drop(&t->bp, st->vm, st->slot);
        trace_finish_call(t, &st->view, &oc, (uint32_t)st->regs->rax, (uint32_t)st->regs->rip, false);
        return true;
    }
    return false;
}
