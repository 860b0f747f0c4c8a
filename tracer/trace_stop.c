/*
 * One stop per exit: the vCPU's registers and segment registers (vmm/kvm.c's
 * one copy per exit) and its address space, taken when a breakpoint exit arrives, the thread is looked up
 * at most once, and the exit is classified into one kind for tracer.c's
 * switch.
 */
#include <string.h>
#include <nt/layout.h>
#include "trace_internal.h"

int trace_stop_fill(struct trace_stop *st, struct kvm_vm *vm, int slot, bool stepped, uint32_t addr)
{
    memset(st, 0, sizeof(*st));
    st->vm = vm;
    st->slot = slot;
    st->stepped = stepped;
    st->addr = addr;
    /* KVM's copy at this exit (vmm/kvm.c): no ioctl where KVM syncs registers into kvm_run */
    st->regs = kvm_exit_regs(vm);
    st->sregs = kvm_exit_sregs(vm);
    if (!st->regs || !st->sregs) {
        static const struct kvm_regs no_regs;
        static const struct kvm_sregs no_sregs;
        st->regs = &no_regs;
        st->sregs = &no_sregs;
        st->view = gmem_view(gmem_of(vm), 0, 0, 0);
        return -1;
    }
    st->view = gmem_view(gmem_of(vm), (uint32_t)st->sregs->cr0, (uint32_t)st->sregs->cr3, (uint32_t)st->sregs->cr4);
    return 0;
}

/* The thread the vCPU runs: one kernel stack (TSS.Esp0) per thread, numbered as they appear. */
static struct thread_state *thread_of(struct tracer *t, const struct trace_stop *st)
{
    uint32_t esp0 = 0;
    gview_read_some(&st->view, (uint32_t)st->sregs->tr.base + KTSS_ESP0, &esp0, sizeof(esp0));
    for (int i = 0; i < t->n_threads; i++)
        if (t->threads[i].esp0 == esp0)
            return &t->threads[i];
    if (t->n_threads == MAX_THREADS)
        return &t->threads[MAX_THREADS - 1];
    struct thread_state *th = &t->threads[t->n_threads++];
    memset(th, 0, sizeof(*th));
    th->esp0 = esp0;
    th->tid = (unsigned)t->n_threads;
    return th;
}

struct thread_state *trace_stop_thread(struct tracer *t, struct trace_stop *st)
{
    if (!st->thread)
        st->thread = thread_of(t, st);
    return st->thread;
}

bool trace_stop_frame(const struct trace_stop *st, uint32_t skip, uint32_t *eip, uint32_t *cs)
{
    uint32_t frame[2];
    if (!gview_read(&st->view, (uint32_t)st->regs->rsp + skip, frame, sizeof(frame)))
        return false;
    *eip = frame[0];
    *cs = frame[1];
    return true;
}

/* A breakpoint past the four fixed slots: ring traps, --deep routines, direct returns. */
static enum trace_stop_kind patch_kind(const struct tracer *t, const struct trace_stop *st)
{
    if (st->stepped)
        return STOP_TRAP_STEPPED;
    if (trace_is_trap_point(t, st->slot))
        return STOP_TRAP_HANDLER;
    if (trace_deep_of(t, st->slot))
        return STOP_DEEP_ENTRY;
    return STOP_DIRECT_RETURN;
}

enum trace_stop_kind trace_stop_kind(const struct tracer *t, const struct trace_stop *st)
{
    if (st->stepped && st->slot == SLOT_IRET)
        return STOP_IRETD;   /* patch mode: now at the IRETD, with its frame on the stack */
    if (st->stepped || st->slot >= BP_HW_SLOTS)
        return patch_kind(t, st);
    if (st->slot == SLOT_SYSEXIT && !t->booted && st->addr == t->user_entry)
        return STOP_PROGRAM_ENTRY;
    if (t->opt.one_exit)
        return st->addr == t->service_exit ? STOP_SERVICE_EXIT : STOP_OTHER;
    if (st->addr == t->ki_system_service)
        return STOP_KI_SYSTEM_SERVICE;
    if (st->addr == t->ki_fast_call_entry)
        return STOP_KI_FAST_CALL_ENTRY;
    if (st->addr == t->iret_addr && t->trap == TRACE_TRAP_HW_BREAKPOINT)
        return STOP_IRETD;
    if (st->addr == trace_fast_return(t))
        return STOP_SYSEXIT;
    return STOP_OTHER;
}
