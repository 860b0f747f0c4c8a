/*
 * The tracer: vm_hooks that observe system calls from outside the guest.
 *
 * Boot: a hardware breakpoint on the kernel's first instruction tells whether
 * debug registers reach the monitor here (else: instruction patching). The
 * MSR filter traps the kernel's WRMSRs; SYSENTER_EIP names KiFastCallEntry
 * and, the IDT being loaded by then, IDT vector 0x2E names KiSystemService
 * (trace_learn.c). Breakpoints on both entries and on the dispatcher's IRETD
 * and SYSEXIT bring every call and return here: the exit is read once into a
 * trace_stop (trace_stop.c), handled by its kind, and the guest resumed in
 * one place. Events are numbered here and written by trace_output.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ntdb/ntstatus_names.h"
#include "ntdb/symbols.h"
#include "trace_internal.h"

/* ------------------------------------------------------------------ filters and events */

bool trace_wants(const struct tracer *t, enum trace_event_kind k)
{
    return t->opt.out && !t->opt.summary && (t->opt.events & (1u << k));
}

static bool listed(const char *const *list, const char *name)
{
    for (; list && *list; list++)
        if (name && !strcmp(*list, name))
            return true;
    return false;
}

bool trace_call_shown(const struct tracer *t, const struct trace_call *c)
{
    if (t->opt.trace_only && !listed(t->opt.trace_only, c->name))
        return false;
    return !listed(t->opt.trace_not, c->name);
}

uint64_t trace_now_ns(const struct tracer *t)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)(ts.tv_sec - t->t0.tv_sec) * 1000000000ull + (uint64_t)(ts.tv_nsec - t->t0.tv_nsec);
}

struct trace_event trace_next_event(struct tracer *t)
{
    uint64_t seq = ++t->seq;
    return (struct trace_event){ .out = t->opt.out, .json = t->opt.json, .seq = seq, .t_ns = trace_now_ns(t) };
}

void trace_emit_ring(struct tracer *t, unsigned from, unsigned to, const char *via, int vector, uint32_t rip)
{
    t->stats.ring_changes++;
    if (!trace_wants(t, TEV_RING))
        return;
    struct trace_event e = trace_next_event(t);
    emit_ring(&e, from, to, via, vector, rip);
}

void trace_symbol_of(const struct tracer *t, uint64_t addr, char *buf, size_t len)
{
    buf[0] = '\0';
    if (t->opt.symbols && addr <= 0xFFFFFFFFu && !symtab_format(t->opt.symbols, (uint32_t)addr, buf, len))
        snprintf(buf, len, "outside nt");
}

void trace_emit_alert(struct tracer *t, const char *what, const char *detail, uint64_t old, uint64_t new_value,
                      uint32_t rip)
{
    t->stats.alerts++;
    if (!trace_wants(t, TEV_ALERT))
        return;
    char old_name[160], new_name[160];
    trace_symbol_of(t, old, old_name, sizeof(old_name));
    trace_symbol_of(t, new_value, new_name, sizeof(new_name));
    struct trace_event e = trace_next_event(t);
    emit_alert(&e, what, detail, old, new_value, old_name, new_name, rip);
}

/* ------------------------------------------------------------------ hooks */

static int stop_with(struct vm_outcome *out, const char *what, const char *err)
{
    out->stop = VM_STOP_KVM_FAILURE;
    snprintf(out->reason, sizeof(out->reason), "tracer: %s: %s", what, err);
    return 0;
}

/* Hands a call to the on_syscall observer, which sees the guest's own bytes, not our patches. */
bool trace_observe(struct tracer *t, struct kvm_vm *vm, const struct trace_call *c)
{
    if (!t->opt.on_syscall)
        return false;
    bp_remove_all(&t->bp, vm);
    bool end = t->opt.on_syscall(t->opt.on_syscall_ctx, vm, c);
    bp_apply(&t->bp, vm, t->error, sizeof(t->error));
    return end;
}

/* The on_syscall observer asked to end the guest where it stands. */
static int observer_ended(struct vm_outcome *out)
{
    out->stop = VM_STOP_INTERRUPTED;
    snprintf(out->reason, sizeof(out->reason), "ended at a system call by its observer");
    return 0;
}

static int hook_start(void *ctx, struct kvm_vm *vm, struct vm_outcome *out)
{
    struct tracer *t = ctx;
    struct trace_stop st;
    clock_gettime(CLOCK_MONOTONIC, &t->t0);
    if (trace_setup_msr_filter(t, vm) < 0)
        return !stop_with(out, "MSR filter", t->error);
    if (trace_stop_fill(&st, vm, -1, false, 0) < 0)
        return !stop_with(out, "registers", strerror(errno));
    t->kernel_entry = (uint32_t)st.regs->rip;

    const char *force = getenv("NTVISOR_TRAP");
    if (force && !strcmp(force, "patch")) {
        t->trap = TRACE_TRAP_PATCH;
        bp_init(&t->bp, BP_PATCH);
        return 0;
    }
    /* self-test: does a debug-register breakpoint on the very first instruction reach us? */
    bp_init(&t->bp, BP_HARDWARE);
    bp_set(&t->bp, 0, t->kernel_entry);
    t->selftest_pending = true;
    if (bp_apply(&t->bp, vm, t->error, sizeof(t->error)) < 0)
        return !stop_with(out, "breakpoints", t->error);
    return 0;
}

static void end_selftest(struct tracer *t, struct kvm_vm *vm, bool fired)
{
    char err[128];
    t->selftest_pending = false;
    bp_set(&t->bp, 0, 0);
    if (fired) {
        t->trap = TRACE_TRAP_HW_BREAKPOINT;
    } else {
        bp_apply(&t->bp, vm, err, sizeof(err));   /* drop the hardware breakpoint */
        t->trap = TRACE_TRAP_PATCH;
        bp_init(&t->bp, BP_PATCH);
        fprintf(stderr, "ntvisor: hardware breakpoints do not reach the monitor on this host; "
                        "tracing by patching instructions instead\n");
    }
    trace_arm(t, vm);
}

/* How the guest goes on after a breakpoint exit was handled. */
enum resume { RESUME_STEP_OVER, RESUME_AS_IS, RESUME_OBSERVER_ENDED, RESUME_FAILED };

static enum resume ended_or_step(bool ended)
{
    return ended ? RESUME_OBSERVER_ENDED : RESUME_STEP_OVER;
}

/* Everything a breakpoint exit means, by its kind. */
static enum resume on_stop(struct tracer *t, struct trace_stop *st)
{
    switch (trace_stop_kind(t, st)) {
    case STOP_KI_SYSTEM_SERVICE:
        return ended_or_step(trace_on_entry(t, st, VIA_INT2E));
    case STOP_KI_FAST_CALL_ENTRY:
        return ended_or_step(trace_on_entry(t, st, t->fast_via));
    case STOP_IRETD:
        trace_on_return(t, st, RETURN_IRETD);
        return st->stepped ? RESUME_AS_IS : RESUME_STEP_OVER;
    case STOP_SYSEXIT:
        trace_on_return(t, st, t->fast_via == VIA_SYSCALL ? RETURN_SYSRET : RETURN_SYSEXIT);
        return RESUME_STEP_OVER;
    case STOP_PROGRAM_ENTRY:
        trace_on_boot(t, st, st->addr);
        /* the entry breakpoint is gone: nothing to step over */
        return trace_arm(t, st->vm) < 0 ? RESUME_FAILED : RESUME_AS_IS;
    case STOP_DEEP_ENTRY:
        return ended_or_step(trace_on_deep_entry(t, st, trace_deep_of(t, st->slot)));
    case STOP_DIRECT_RETURN:
        /* one-shot: gone, the guest resumes at its own bytes */
        return trace_on_direct_return(t, st) ? RESUME_AS_IS : RESUME_STEP_OVER;
    case STOP_TRAP_HANDLER:
        trace_on_trap_hit(t, st);
        return RESUME_STEP_OVER;
    case STOP_TRAP_STEPPED:
        trace_on_trap_stepped(t, st);
        return RESUME_AS_IS;
    case STOP_SERVICE_EXIT:
        return ended_or_step(trace_on_service_exit(t, st));
    case STOP_OTHER:
        break;
    }
    return RESUME_STEP_OVER;
}

/* The one place the guest is sent on after a breakpoint. */
static int resume(struct tracer *t, const struct trace_stop *st, enum resume how, struct vm_outcome *out)
{
    switch (how) {
    case RESUME_STEP_OVER:
        if (bp_step_over(&t->bp, st->vm, st->slot, t->error, sizeof(t->error)) < 0)
            return stop_with(out, "breakpoints", t->error);
        return 1;
    case RESUME_OBSERVER_ENDED:
        return observer_ended(out);
    case RESUME_FAILED:
        return stop_with(out, "breakpoints", t->error);
    case RESUME_AS_IS:
        break;
    }
    return 1;
}

static int hook_exit(void *ctx, struct kvm_vm *vm, struct vm_outcome *out)
{
    struct tracer *t = ctx;
    struct kvm_run *run = vm->run;
    int slot;

    if (t->selftest_pending) {
        bool fired = run->exit_reason == KVM_EXIT_DEBUG && run->debug.arch.pc == t->kernel_entry;
        end_selftest(t, vm, fired);
        if (fired)
            return 1;
    }
    if (run->exit_reason == KVM_EXIT_X86_WRMSR)
        return trace_handle_wrmsr(t, vm);

    enum bp_event e = bp_classify(&t->bp, vm, &slot);
    if (e == BP_NONE)
        return -1;
    if (e == BP_HIT)
        t->stats.breakpoint_exits++;
    struct trace_stop st;
    if (trace_stop_fill(&st, vm, slot, e == BP_STEPPED, t->bp.slot[slot].addr) < 0)
        return stop_with(out, "registers", strerror(errno));
    return resume(t, &st, on_stop(t, &st), out);
}

static void hook_stop(void *ctx, struct kvm_vm *vm, const struct vm_outcome *out)
{
    struct tracer *t = ctx;
    struct trace_stop st;
    bp_remove_all(&t->bp, vm);
    trace_stop_fill(&st, vm, -1, false, 0);   /* zeros if KVM cannot say */
    trace_check_integrity(t, &st, 0);
    if (t->opt.one_exit)
        trace_one_exit_unfinished(t, &st);
    for (int i = 0; i < t->n_threads; i++) {
        struct thread_state *th = &t->threads[i];
        while (th->depth > 0)
            trace_finish_call(t, &st.view, &th->stack[--th->depth], 0, 0, true);
    }
    if (trace_wants(t, TEV_EXIT)) {
        struct tracer_stats stats;
        tracer_stats(t, &stats);
        struct trace_event e = trace_next_event(t);
        emit_exit(&e, vm_stop_name(out->stop), out->detail,
                  out->stop == VM_STOP_PROCESS_EXIT ? ntstatus_name(out->detail) : NULL,
                  t->trap == TRACE_TRAP_HW_BREAKPOINT, &stats, out->exits);
    }
    if (t->opt.out)
        fflush(t->opt.out);
}

/* ------------------------------------------------------------------ public */

struct tracer *tracer_new(const struct tracer_options *opt)
{
    struct tracer *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->opt = *opt;
    t->trap_from_user = -1;
    t->fast_via = VIA_SYSENTER;   /* until a STAR write says SYSCALL */
    t->hooks = (struct vm_hooks){ .ctx = t, .on_start = hook_start, .on_exit = hook_exit, .on_stop = hook_stop };
    return t;
}

void tracer_set_user_entry(struct tracer *t, uint32_t entry)
{
    t->user_entry = entry;
}

void tracer_free(struct tracer *t)
{
    if (!t)
        return;
    free(t->ki_service_copy);
    free(t->ki_service_now);
    free(t->ki_service_boot);
    free(t->rows);
    free(t);
}

const struct vm_hooks *tracer_hooks(struct tracer *t)
{
    return &t->hooks;
}

void tracer_stats(const struct tracer *t, struct tracer_stats *out)
{
    *out = t->stats;
    out->breakpoint_exits = t->bp.hits;
}

