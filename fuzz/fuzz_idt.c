/*
 * The tracer's sweep of a hostile IDT (tracer/trace_traps.c, trace_learn.c):
 * IDTR, ESP, the gates and the handlers' bytes come from the input, laid in a
 * fuzzed guest memory. The tracer learns KiSystemService and its returns from
 * gate 0x2E, places its trap points on every other handler and follows each
 * handler's jumps to its IRETD; then every trap point is hit and stepped with
 * the stack the input gave. The vCPU is a fake with no file descriptors:
 * arming the breakpoints fails, as it does when KVM refuses them.
 */
#include <stdio.h>
#include <stdlib.h>
#include "fake_guest.h"
#include "tracer/trace_internal.h"

static struct tracer *new_tracer(uint8_t flags, FILE *out)
{
    struct tracer *t = calloc(1, sizeof(*t));
    if (!t)
        abort();
    t->opt.out = out;
    t->opt.json = flags & 1;
    t->opt.events = 1u << TEV_RING;
    t->trap = flags & 2 ? TRACE_TRAP_PATCH : TRACE_TRAP_HW_BREAKPOINT;
    bp_init(&t->bp, t->trap == TRACE_TRAP_PATCH ? BP_PATCH : BP_HARDWARE);
    t->trap_from_user = -1;
    return t;
}

/* Each trap point and return hit in turn, as the exits would come. */
static void hit_all(struct tracer *t, struct trace_stop *st)
{
    for (int i = 0; i < t->n_traps; i++) {
        st->slot = t->traps[i].slot;
        st->stepped = false;
        trace_stop_kind(t, st);
        trace_on_trap_hit(t, st);
    }
    for (int i = 0; i < t->n_trap_returns; i++) {
        st->slot = t->trap_returns[i].slot;
        st->stepped = true;
        trace_stop_kind(t, st);
        trace_on_trap_stepped(t, st);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *out;
    if (!out && !(out = fopen("/dev/null", "w")))
        abort();
    struct fz f = { data, size };
    struct trace_stop st;
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    memset(&st, 0, sizeof(st));
    memset(&regs, 0, sizeof(regs));
    memset(&sregs, 0, sizeof(sregs));
    st.view = fg_build(&f);
    uint8_t flags = fz_u8(&f);
    sregs.idt.base = fz_u32(&f);
    sregs.idt.limit = fz_u16(&f);
    regs.rsp = fz_u32(&f);
    st.regs = &regs;      /* the exit's state, as vm_run hands it over */
    st.sregs = &sregs;
    fg_fill(&f);

    struct kvm_vm vm = { .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1, .mem = st.view.mem.mem,
                         .mem_size = st.view.mem.size };
    st.vm = &vm;
    st.slot = -1;
    struct tracer *t = new_tracer(flags, out);
    trace_learn_ki_system_service(t, &st);
    trace_place_traps(t, &st);
    if (t->n_traps > MAX_TRAPS || t->n_trap_returns > MAX_TRAP_RETURNS)
        abort();
    hit_all(t, &st);
    free(t);
    return 0;
}
