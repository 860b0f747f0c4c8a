/*
 * The tracer: vm_hooks that observe system calls from outside the guest.
 *
 * Boot: a hardware breakpoint on the kernel's first instruction tells whether
 * debug registers reach the monitor here (else: instruction patching). The
 * MSR filter traps the kernel's WRMSRs; SYSENTER_EIP names KiFastCallEntry
 * and, the IDT being loaded by then, IDT vector 0x2E names KiSystemService
 * (trace_learn.c). Breakpoints on both entries and on the dispatcher's IRETD
 * and SYSEXIT bring every call and return to trace_calls.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "ntdb/ntstatus_names.h"
#include "ntdb/symbols.h"
#include "trace_output.h"
#include "trace_internal.h"

/* ------------------------------------------------------------------ small helpers */

uint64_t trace_now_ns(const struct tracer *t)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)(ts.tv_sec - t->t0.tv_sec) * 1000000000ull + (uint64_t)(ts.tv_nsec - t->t0.tv_nsec);
}

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

int trace_get_state(struct kvm_vm *vm, struct kvm_regs *r, struct kvm_sregs *s)
{
    if (r && ioctl(vm->vcpu_fd, KVM_GET_REGS, r) < 0)
        return -1;
    if (s && ioctl(vm->vcpu_fd, KVM_GET_SREGS, s) < 0)
        return -1;
    return 0;
}

void trace_view_of(struct kvm_vm *vm, const struct kvm_sregs *s, struct guest_view *v)
{
    *v = gmem_view(gmem_of(vm), (uint32_t)s->cr0, (uint32_t)s->cr3, (uint32_t)s->cr4);
}

/* The paused vCPU's registers, and memory as its current address space sees it. */
int trace_pause_state(struct kvm_vm *vm, struct kvm_regs *r, struct kvm_sregs *s, struct guest_view *v)
{
    if (trace_get_state(vm, r, s) < 0)
        return -1;
    trace_view_of(vm, s, v);
    return 0;
}

/* ------------------------------------------------------------------ events */

void trace_emit_ring(struct tracer *t, unsigned from, unsigned to, const char *via, uint32_t rip)
{
    t->stats.ring_changes++;
    if (!trace_wants(t, TEV_RING))
        return;
    uint64_t seq = ++t->seq;
    if (t->opt.json)
        fprintf(t->opt.out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"ring\",\"from\":%u,\"to\":%u,"
                            "\"via\":\"%s\",\"rip\":\"0x%08x\"}\n",
                (unsigned long long)seq, (unsigned long long)trace_now_ns(t), from, to, via, rip);
    else
        fprintf(t->opt.out, "--- ring %u -> %u via %s at 0x%08x ---\n", from, to, via, rip);
}

/* A ring change by an exception or interrupt: the vector says which. */
void trace_emit_ring_vector(struct tracer *t, unsigned from, unsigned to, const char *via, unsigned vector,
                            uint32_t rip)
{
    t->stats.ring_changes++;
    if (!trace_wants(t, TEV_RING))
        return;
    uint64_t seq = ++t->seq;
    if (t->opt.json)
        fprintf(t->opt.out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"ring\",\"from\":%u,\"to\":%u,"
                            "\"via\":\"%s\",\"vector\":%u,\"rip\":\"0x%08x\"}\n",
                (unsigned long long)seq, (unsigned long long)trace_now_ns(t), from, to, via, vector, rip);
    else
        fprintf(t->opt.out, "--- ring %u -> %u via %s%s0x%02x at 0x%08x ---\n", from, to, via,
                to == 3 ? " ending " : " ", vector, rip);
}

/* An address in an alert, named by the kernel's symbols where ntvisor has them. */
static void alert_symbol(const struct tracer *t, uint64_t addr, char *buf, size_t len)
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
    alert_symbol(t, old, old_name, sizeof(old_name));
    alert_symbol(t, new_value, new_name, sizeof(new_name));
    uint64_t seq = ++t->seq;
    if (t->opt.json) {
        fprintf(t->opt.out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"alert\",\"what\":",
                (unsigned long long)seq, (unsigned long long)trace_now_ns(t));
        json_string(t->opt.out, what);
        fprintf(t->opt.out, ",\"detail\":");
        json_string(t->opt.out, detail);
        fprintf(t->opt.out, ",\"old\":\"0x%llx\",\"new\":\"0x%llx\",\"old_symbol\":",
                (unsigned long long)old, (unsigned long long)new_value);
        json_string(t->opt.out, old_name[0] ? old_name : NULL);
        fprintf(t->opt.out, ",\"new_symbol\":");
        json_string(t->opt.out, new_name[0] ? new_name : NULL);
        fprintf(t->opt.out, ",\"rip\":\"0x%08x\"}\n", rip);
    } else {
        fprintf(t->opt.out, "!!! alert: %s: %s: 0x%llx%s%s%s -> 0x%llx%s%s%s (rip 0x%08x) !!!\n", what, detail,
                (unsigned long long)old, old_name[0] ? " (" : "", old_name, old_name[0] ? ")" : "",
                (unsigned long long)new_value, new_name[0] ? " (" : "", new_name, new_name[0] ? ")" : "", rip);
    }
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
    struct kvm_regs r;
    clock_gettime(CLOCK_MONOTONIC, &t->t0);
    if (trace_setup_msr_filter(t, vm) < 0)
        return !stop_with(out, "MSR filter", t->error);
    trace_enable_dirty_log(t, vm);
    if (trace_get_state(vm, &r, NULL) < 0)
        return !stop_with(out, "registers", strerror(errno));
    t->kernel_entry = (uint32_t)r.rip;

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

    switch (bp_classify(&t->bp, vm, &slot)) {
    case BP_NONE:
        return -1;
    case BP_STEPPED:
        if (slot == SLOT_IRET)
            trace_on_return(t, vm, false);   /* now at the IRETD, with its frame on the stack */
        else
            trace_on_trap_stepped(t, vm, slot);
        return 1;
    case BP_HIT:
        break;
    }
    t->stats.breakpoint_exits++;
    uint32_t addr = t->bp.slot[slot].addr;
    if (slot >= BP_HW_SLOTS && slot != SLOT_IRET && slot != SLOT_SYSEXIT && slot != SLOT_SYSTEM_SERVICE &&
        slot != SLOT_FAST_CALL_ENTRY) {
        if (trace_on_trap_hit(t, vm, slot)) {
            if (bp_step_over(&t->bp, vm, slot, t->error, sizeof(t->error)) < 0)
                return stop_with(out, "breakpoints", t->error);
            return 1;
        }
        const struct deep_point *d = trace_deep_of(t, slot);
        if (d && trace_on_deep_entry(t, vm, d))
            return observer_ended(out);
        if (!d && trace_on_direct_return(t, vm, slot))
            return 1;   /* one-shot: gone, the guest resumes at its own bytes */
        if (bp_step_over(&t->bp, vm, slot, t->error, sizeof(t->error)) < 0)
            return stop_with(out, "breakpoints", t->error);
        return 1;
    }
    if (slot == SLOT_SYSEXIT && !t->booted && addr == t->user_entry) {
        struct kvm_sregs s;
        if (trace_get_state(vm, NULL, &s) == 0)
            trace_on_boot(t, vm, &s, addr);
        if (trace_arm(t, vm) < 0)
            return stop_with(out, "breakpoints", t->error);
        return 1;   /* the entry breakpoint is gone: nothing to step over */
    }
    if ((addr == t->system_service && trace_on_entry(t, vm, VIA_INT2E)) ||
        (addr == t->fast_call_entry && trace_on_entry(t, vm, VIA_SYSENTER)))
        return observer_ended(out);
    else if (addr == t->iret_addr && t->trap == TRACE_TRAP_HW_BREAKPOINT)
        trace_on_return(t, vm, false);
    else if (addr == t->sysexit_addr)
        trace_on_return(t, vm, true);
    if (bp_step_over(&t->bp, vm, slot, t->error, sizeof(t->error)) < 0)
        return stop_with(out, "breakpoints", t->error);
    return 1;
}

static void hook_stop(void *ctx, struct kvm_vm *vm, const struct vm_outcome *out)
{
    struct tracer *t = ctx;
    struct kvm_sregs s;
    struct guest_view v;
    bp_remove_all(&t->bp, vm);
    if (trace_get_state(vm, NULL, &s) < 0)
        memset(&s, 0, sizeof(s));
    trace_view_of(vm, &s, &v);
    trace_check_integrity(t, vm, &s, 0);
    for (int i = 0; i < t->n_threads; i++) {
        struct thread_state *th = &t->threads[i];
        while (th->depth > 0)
            trace_finish_call(t, &v, &th->stack[--th->depth], 0, 0, true);
    }
    if (trace_wants(t, TEV_EXIT)) {
        uint64_t seq = ++t->seq;
        const char *name = out->stop == VM_STOP_PROCESS_EXIT ? ntstatus_name(out->detail) : NULL;
        if (t->opt.json) {
            fprintf(t->opt.out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"exit\",\"reason\":\"%s\","
                                "\"status\":\"0x%08x\",\"status_name\":",
                    (unsigned long long)seq, (unsigned long long)trace_now_ns(t), vm_stop_name(out->stop), out->detail);
            if (name)
                json_string(t->opt.out, name);
            else
                fprintf(t->opt.out, "null");
            struct tracer_stats st;   /* for benchmarks: VM exits per traced call */
            tracer_stats(t, &st);
            fprintf(t->opt.out, ",\"trap\":\"%s\",\"stats\":{\"syscalls\":%llu,\"sysrets\":%llu,\"unfinished\":%llu,"
                                "\"msr_writes\":%llu,\"ring_changes\":%llu,\"alerts\":%llu,\"breakpoint_exits\":%llu,"
                                "\"vm_exits\":%lu}}\n",
                    t->trap == TRACE_TRAP_HW_BREAKPOINT ? "hw-breakpoint" : "patch",
                    (unsigned long long)st.syscalls, (unsigned long long)st.sysrets,
                    (unsigned long long)st.unfinished, (unsigned long long)st.msr_writes,
                    (unsigned long long)st.ring_changes, (unsigned long long)st.alerts,
                    (unsigned long long)st.breakpoint_exits, out->exits);
        } else {
            fprintf(t->opt.out, "+++ %s (0x%08x%s%s), traced with %s +++\n", vm_stop_name(out->stop),
                    out->detail, name ? " " : "", name ? name : "",
                    t->trap == TRACE_TRAP_HW_BREAKPOINT ? "hardware breakpoints" : "instruction patching");
        }
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
    free(t->sst_copy);
    free(t->dirty);
    free(t->rows);
    free(t);
}

const struct vm_hooks *tracer_hooks(struct tracer *t)
{
    return &t->hooks;
}

enum trace_trap tracer_trap(const struct tracer *t)
{
    return t->trap;
}

uint32_t tracer_ki_fast_call_entry(const struct tracer *t)
{
    return t->fast_call_entry;
}

uint32_t tracer_ki_system_service(const struct tracer *t)
{
    return t->system_service;
}

void tracer_stats(const struct tracer *t, struct tracer_stats *out)
{
    *out = t->stats;
    out->breakpoint_exits = t->bp.hits;
}

