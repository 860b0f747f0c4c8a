/*
 * How kd pauses the guest: the vm_hooks of each stop kind (kd_session.h).
 * boot arms a breakpoint on nt!KiExitToUserMode and single-steps from there
 * to ring 3; the system-call stops put kd behind the tracer's hooks, as its
 * observer; and any session may stop once more when the guest has ended.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include "kd_session.h"
#include "vmm/ntvisor.h"

static int fail_run(struct vm_outcome *out, const char *what)
{
    out->stop = VM_STOP_KVM_FAILURE;
    snprintf(out->reason, sizeof(out->reason), "kd: %s: %s", what, strerror(errno));
    return 0;
}

/* `q`: the guest ends as if interrupted; kd_session_run makes the exit status 0. */
static int quit(struct kd_session *k, struct vm_outcome *out)
{
    k->quit = true;
    out->stop = VM_STOP_INTERRUPTED;
    snprintf(out->reason, sizeof(out->reason), "kd: q ended the guest");
    return 0;
}

/* ---------------------------------------------------------------- boot: KiExitToUserMode, then steps */

static int arm_exit_to_user(struct kd_session *k, struct kvm_vm *vm, struct vm_outcome *out)
{
    char err[128];
    bp_set(&k->bp, 0, k->exit_to_user);
    if (bp_apply(&k->bp, vm, err, sizeof(err)) < 0)
        return !fail_run(out, "hardware breakpoint on nt!KiExitToUserMode (KVM_SET_GUEST_DEBUG)");
    k->phase = KD_BOOT_LOADER;
    return 0;
}

/* At nt!KiExitToUserMode: from here single steps, which need no breakpoint. */
static int start_stepping(struct kd_session *k, struct kvm_vm *vm, struct vm_outcome *out)
{
    char err[128];
    k->steps = 0;
    k->phase = KD_BOOT_TO_ENTRY;
    bp_set(&k->bp, 0, 0);
    if (bp_single_step(&k->bp, vm, true, err, sizeof(err)) < 0)
        return fail_run(out, "single-step (KVM_SET_GUEST_DEBUG)");
    return 1;
}

static void stop_stepping(struct kd_session *k, struct kvm_vm *vm)
{
    char err[128];
    /* should KVM refuse, the next step's exit is nobody's and vm_run ends the guest on it, saying so */
    bp_single_step(&k->bp, vm, false, err, sizeof(err));
    k->phase = KD_BOOT_DONE;
}

/* The vCPU is at the program's first instruction (--stop=boot). */
static int at_entry(struct kd_session *k, struct kvm_vm *vm, struct vm_outcome *out)
{
    if (kd_kvm_attach(&k->kk, vm) < 0)
        return fail_run(out, "reading the vCPU");
    stop_stepping(k, vm);
    enum kd_action a = kd_session_stop(k, vm, "the program's entry point (--stop=boot)");
    return a == KD_QUIT ? quit(k, out) : 1;
}

/* One step on the way from KiExitToUserMode: the first ring-3 instruction is the stop. */
static int step_toward_entry(struct kd_session *k, struct kvm_vm *vm, const struct kvm_regs *regs,
                             const struct kvm_sregs *sregs, struct vm_outcome *out)
{
    if ((sregs->cs.selector & 3) == 3) {
        if ((uint32_t)regs->rip != k->entry)
            fprintf(stdout, "*** kd: the kernel entered ring 3 at %08x, not at the image's entry %08x\n",
                    (uint32_t)regs->rip, k->entry);
        return at_entry(k, vm, out);
    }
    if (++k->steps > KD_MAX_STEPS_TO_ENTRY) {
        fprintf(stdout, "*** kd: no ring-3 instruction within %u steps of nt!KiExitToUserMode: no stop\n",
                KD_MAX_STEPS_TO_ENTRY);
        stop_stepping(k, vm);
    }
    return 1;
}

static int kd_on_start(void *ctx, struct kvm_vm *vm, struct vm_outcome *out)
{
    struct kd_session *k = ctx;
    return k->stop.kind == KD_STOP_EXIT ? 0 : arm_exit_to_user(k, vm, out);
}

static int kd_on_exit(void *ctx, struct kvm_vm *vm, struct vm_outcome *out)
{
    struct kd_session *k = ctx;
    if (vm->run->exit_reason != KVM_EXIT_DEBUG)
        return -1;
    uint32_t pc = (uint32_t)vm->run->debug.arch.pc;
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs) < 0 || ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
        return fail_run(out, "reading the vCPU");

    switch (k->phase) {
    case KD_BOOT_LOADER:
        return pc == k->exit_to_user ? start_stepping(k, vm, out) : -1;
    case KD_BOOT_TO_ENTRY:
        return step_toward_entry(k, vm, &regs, &sregs, out);
    default:
        return -1;
    }
}

/* ---------------------------------------------------------------- exit */

static void kd_on_stop(void *ctx, struct kvm_vm *vm, const struct vm_outcome *out)
{
    struct kd_session *k = ctx;
    if (k->quit || !kd_session_wants_exit_stop(k))
        return;
    char what[300];
    kd_stop_describe_exit(&k->stop, out->reason, what, sizeof(what));
    if (k->stops == 0 && k->stop.kind != KD_STOP_EXIT)
        fprintf(stdout, "*** kd: the guest ended before the stop point was reached\n");
    kd_session_stop(k, vm, what);   /* g or q: the guest is over either way */
}

/* ---------------------------------------------------------------- system calls: the tracer's */

/* The tracer's observer: true (after `q`) ends the guest. */
static bool kd_at_syscall(void *ctx, struct kvm_vm *vm, const struct trace_call *c)
{
    struct kd_session *k = ctx;
    if (!kd_stop_is_call(&k->stop, c, k->stops))
        return false;
    char what[200];
    kd_stop_describe_call(&k->stop, c, what, sizeof(what));
    if (kd_session_stop(k, vm, what) != KD_QUIT)
        return false;
    k->quit = true;
    return true;
}

static int tracer_on_start(void *ctx, struct kvm_vm *vm, struct vm_outcome *out)
{
    struct kd_session *k = ctx;
    return k->tracer_hooks->on_start(k->tracer_hooks->ctx, vm, out);
}

static int tracer_on_exit(void *ctx, struct kvm_vm *vm, struct vm_outcome *out)
{
    struct kd_session *k = ctx;
    return k->tracer_hooks->on_exit(k->tracer_hooks->ctx, vm, out);
}

static void tracer_on_stop(void *ctx, struct kvm_vm *vm, const struct vm_outcome *out)
{
    struct kd_session *k = ctx;
    k->tracer_hooks->on_stop(k->tracer_hooks->ctx, vm, out);   /* takes its patches out first */
    kd_on_stop(ctx, vm, out);
}

static int start_tracer(struct kd_session *k, const struct session_options *o)
{
    char err[200];
    if (svc_table_builtin(o->build, &k->services, err, sizeof(err)) < 0) {
        fprintf(stderr, "ntvisor: kd: %s\n", err);
        return NTV_EXIT_MONITOR;
    }
    const char *base = strrchr(o->program, '/');
    struct tracer_options to = { .services = &k->services, .image = base ? base + 1 : o->program,
                                 .on_syscall = kd_at_syscall, .on_syscall_ctx = k };
    k->tracer = tracer_new(&to);
    if (!k->tracer)
        return NTV_EXIT_MONITOR;
    tracer_set_user_entry(k->tracer, k->entry);
    k->tracer_hooks = tracer_hooks(k->tracer);
    k->hooks = (struct vm_hooks){ .ctx = k, .on_start = tracer_on_start, .on_exit = tracer_on_exit,
                                  .on_stop = tracer_on_stop };
    return 0;
}

/* ---------------------------------------------------------------- setup */

int kd_hooks_init(struct kd_session *k, const struct session_options *o)
{
    bp_init(&k->bp, BP_HARDWARE);
    if (k->stop.kind == KD_STOP_FIRST_SYSCALL || k->stop.kind == KD_STOP_SERVICE)
        return start_tracer(k, o);
    k->hooks = (struct vm_hooks){ .ctx = k, .on_start = kd_on_start, .on_exit = kd_on_exit, .on_stop = kd_on_stop };
    return 0;
}

void kd_hooks_free(struct kd_session *k)
{
    tracer_free(k->tracer);
    k->tracer = NULL;
    svc_table_free(&k->services);
}
