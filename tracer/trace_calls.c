/*
 * System calls as the breakpoints see them: who calls (address space and
 * kernel stack), the call at the dispatcher's entry, its return at IRETD or
 * SYSEXIT, matched per thread, nested calls included.
 */
#include <string.h>
#include <nt/layout.h>
#include "ntdb/x86_desc.h"
#include "trace_internal.h"

/*
 * The image of an address space: the program's where ring 3 has called
 * from it (a single user process), "System" where only kernel code ever has.
 */
const char *trace_image_of(struct tracer *t, unsigned pid, unsigned cpl)
{
    if (pid == 0 || pid > (unsigned)t->n_spaces)
        return "System";
    if (cpl == 3)
        t->space_has_user[pid - 1] = true;
    return t->space_has_user[pid - 1] ? t->opt.image : "System";
}

unsigned trace_space_of(struct tracer *t, uint32_t cr3)
{
    for (int i = 0; i < t->n_spaces; i++)
        if (t->spaces[i] == cr3)
            return (unsigned)i + 1;
    if (t->n_spaces == MAX_SPACES)
        return MAX_SPACES;
    t->spaces[t->n_spaces++] = cr3;
    return (unsigned)t->n_spaces;
}

/* The call at the dispatcher's entry: the service number in EAX, the arguments at EDX. */
static void read_entry(struct trace_stop *st, enum trace_via via, struct trace_call *c)
{
    uint32_t eax = (uint32_t)st->regs->rax, edx = (uint32_t)st->regs->rdx;
    memset(c, 0, sizeof(*c));
    if (via == VIA_SYSENTER || via == VIA_SYSCALL) {   /* both stubs are mov edx,esp; <insn>; ret */
        c->prev_mode = 1;
        c->cpl = 3;
        c->arg_ptr = edx + KI_FAST_CALL_ARGUMENTS;
        struct guest_view caller = gview_at_cpl(&st->view, 3);   /* EDX is the ring-3 stack */
        gview_read_some(&caller, edx, &c->return_rip, sizeof(c->return_rip));
    } else {
        uint32_t frame[2] = { 0, 0 };   /* EIP, CS pushed by INT 2Eh or the Zw stub */
        gview_read_some(&st->view, (uint32_t)st->regs->rsp, frame, sizeof(frame));
        c->cpl = x86_sel_rpl((uint16_t)frame[1]);
        c->prev_mode = c->cpl ? 1 : 0;
        via = c->cpl ? VIA_INT2E : VIA_KERNEL_ZW;
        c->arg_ptr = edx;
        c->return_rip = frame[0];
    }
    c->via = via;
    c->table = ((eax >> SERVICE_TABLE_SHIFT) & SERVICE_TABLE_MASK) / KSERVICE_TABLE_DESCRIPTOR_LENGTH;
    c->index = eax & SERVICE_NUMBER_MASK;
}

/* A call at the dispatcher's entry; true when the on_syscall observer ends the guest. */
bool trace_on_entry(struct tracer *t, struct trace_stop *st, enum trace_via via)
{
    struct trace_call c;
    read_entry(st, via, &c);
    trace_stop_thread(t, st);
    trace_identify_call(t, st, &c);

    if (!t->booted) {
        /* the program's entry was not seen (patch mode, or it never ran as such):
           the first system call marks the end of boot */
        trace_on_boot(t, st, 0);
        trace_arm(t, st->vm);
    }
    trace_check_integrity(t, st, (uint32_t)st->regs->rip);
    if (c.cpl == 3)
        trace_emit_ring(t, 3, 0, trace_via_name(c.via), -1, c.return_rip);
    return trace_open_call(t, st, &c, -1);
}

void trace_identify_call(struct tracer *t, struct trace_stop *st, struct trace_call *c)
{
    if (c->table == 0 && t->opt.services && c->index < t->opt.services->count) {
        c->name = t->opt.services->entries[c->index].name;
        c->argc = t->opt.services->entries[c->index].argc;
        if (c->argc > TRACE_MAX_ARGS)
            c->argc = TRACE_MAX_ARGS;   /* the tables allow more; no build has more */
    }
    trace_find_hook(t, st, c);
    /* read as the caller could: a ring-3 caller's arguments only from user pages */
    struct guest_view caller = gview_at_cpl(&st->view, c->cpl);
    c->args_ok = c->argc == 0 || gview_read(&caller, c->arg_ptr, c->args, c->argc * 4u);
    c->cr3 = (uint32_t)st->sregs->cr3;
    c->pid = trace_space_of(t, c->cr3);
    c->tid = trace_stop_thread(t, st)->tid;
    t->style = (struct decode_style){ (enum decode_xlat)t->opt.xlat, t->opt.handle_detail, &t->handles };
    c->style = &t->style;
    t->stats.syscalls++;
}

bool trace_open_call(struct tracer *t, struct trace_stop *st, struct trace_call *c, int return_slot)
{
    struct thread_state *th = trace_stop_thread(t, st);
    const char *image = trace_image_of(t, c->pid, c->cpl);
    c->seq = ++t->seq;
    c->t_ns = trace_now_ns(t);
    if (trace_wants(t, TEV_SYSCALL) && trace_call_shown(t, c)) {
        struct open_call *top = th->depth > 0 ? &th->stack[th->depth - 1] : NULL;
        if (t->opt.json) {
            struct guest_view caller = gview_at_cpl(&st->view, c->cpl);
            emit_syscall_json(t->opt.out, &caller, c, image);
        } else if (top && !top->announced && trace_call_shown(t, &top->call)) {
            struct guest_view caller = gview_at_cpl(&st->view, top->call.cpl);
            emit_unfinished_text(t->opt.out, &caller, &top->call);   /* text shows a call whole, at its return */
            top->announced = true;
        }
    }
    if (th->depth < MAX_DEPTH)
        th->stack[th->depth++] = (struct open_call){ .call = *c, .return_slot = return_slot };
    return trace_observe(t, st->vm, c);
}

void trace_finish_call(struct tracer *t, const struct guest_view *v, struct open_call *oc, uint32_t status,
                       uint32_t rip, bool unfinished)
{
    uint64_t t_ns = trace_now_ns(t);
    uint64_t seq = ++t->seq;
    if (unfinished)
        t->stats.unfinished++;
    else
        t->stats.sysrets++;
    struct summary_row *row = trace_row_of(t, oc->call.name);
    if (row) {
        row->calls++;
        if (!unfinished && (status >> 30) == 3)
            row->errors++;
        row->ns += unfinished ? 0 : t_ns - oc->call.t_ns;
    }
    bool names_handles = t->opt.handle_detail && !unfinished;   /* -y */
    if (names_handles)
        trace_handles_note_made(&t->handles, v, &oc->call, status);   /* named on the line that made it */
    if (trace_wants(t, TEV_SYSRET) && trace_call_shown(t, &oc->call)) {
        struct guest_view caller = gview_at_cpl(v, oc->call.cpl);   /* pointed-to arguments, as the caller reads them */
        if (t->opt.json)
            emit_sysret_json(t->opt.out, &caller, &oc->call, seq, t_ns, status, rip, unfinished);
        else if (trace_wants(t, TEV_SYSCALL))
            emit_call_text(t->opt.out, &caller, &oc->call, status, unfinished, oc->announced);
    }
    if (names_handles)
        trace_handles_note_closed(&t->handles, &oc->call, status);   /* and on its NtClose, then forgotten */
}

void trace_on_return(struct tracer *t, struct trace_stop *st, enum trace_return how)
{
    uint32_t to_cpl = 3, rip = (uint32_t)(how == RETURN_SYSRET ? st->regs->rcx : st->regs->rdx);
    if (how == RETURN_IRETD) {
        uint32_t frame[2] = { 0, 0 };   /* the IRETD's EIP and CS */
        gview_read_some(&st->view, (uint32_t)st->regs->rsp, frame, sizeof(frame));
        rip = frame[0];
        to_cpl = x86_sel_rpl((uint16_t)frame[1]);
    }
    trace_check_integrity(t, st, (uint32_t)st->regs->rip);   /* a hook may have been placed by this very call */
    struct thread_state *th = trace_stop_thread(t, st);
    /* a direct call whose return was not caught cannot still be running */
    while (th->depth > 0 && th->stack[th->depth - 1].call.via == VIA_DIRECT) {
        th->depth--;
        bp_drop(&t->bp, st->vm, th->stack[th->depth].return_slot);
        trace_finish_call(t, &st->view, &th->stack[th->depth], 0, 0, true);
    }
    bool ended_call = th->depth > 0;
    if (ended_call) {
        th->depth--;
        trace_finish_call(t, &st->view, &th->stack[th->depth], (uint32_t)st->regs->rax, rip, false);
    }
    if (to_cpl != 3)
        return;
    /* an IRETD here that ends no call ends the interrupt taken in ring 3 (a thread resumed through its
       trap frame after a switch): say which, as the trap sweep would */
    int vector = !ended_call && how == RETURN_IRETD ? t->trap_from_user : -1;
    if (vector >= 0)
        t->trap_from_user = -1;
    trace_emit_ring(t, 0, 3, how == RETURN_SYSRET ? "sysret" : how == RETURN_SYSEXIT ? "sysexit" : "iret", vector, rip);
}
