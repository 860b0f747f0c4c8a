/*
 * The exit loop. KVM handles the interrupt controller and the PIT in the
 * kernel; the monitor emulates COM1, the CMOS clock and the exit ports, and
 * treats every other exit as the end of the guest with a precise reason.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <ntvisor/abi.h>
#include <stdlib.h>
#include "console.h"
#include "kvm_stats.h"
#include "rtc.h"
#include "vm_run.h"

#define X86_EFLAGS_IF 0x200u   /* interrupts enabled */

static volatile sig_atomic_t stop_signal;   /* SIGINT or SIGTERM */
static volatile sig_atomic_t tick_pending;  /* the one-second watchdog tick (SIGALRM) */
static struct kvm_run *volatile running;

static void on_signal(int sig)
{
    if (sig == SIGALRM)
        tick_pending = 1;
    else
        stop_signal = sig;
    if (running)
        running->immediate_exit = 1;
}

/*
 * A vCPU halted with interrupts disabled never runs again. With KVM's
 * in-kernel interrupt controller HLT does not reach the monitor, so the
 * watchdog asks KVM.
 */
static bool halted_for_good(struct kvm_vm *vm)
{
    struct kvm_mp_state mp;
    const struct kvm_regs *r;
    return kvm_vcpu_ioctl(vm, KVM_IOC_GET_MP_STATE, KVM_GET_MP_STATE, &mp) == 0 &&
           mp.mp_state == KVM_MP_STATE_HALTED && (r = kvm_exit_regs(vm)) && !(r->rflags & X86_EFLAGS_IF);
}

const char *vm_stop_name(enum vm_stop s)
{
    switch (s) {
    case VM_STOP_PROCESS_EXIT: return "process exit";
    case VM_STOP_BUGCHECK:     return "bugcheck";
    case VM_STOP_TRIPLE_FAULT: return "triple fault";
    case VM_STOP_UNEXPECTED:   return "unexpected exit";
    case VM_STOP_KVM_FAILURE:  return "KVM failure";
    case VM_STOP_TIMEOUT:      return "timeout";
    case VM_STOP_INTERRUPTED:  return "interrupted";
    }
    return "?";
}

struct devices {
    struct console com1;
    struct rtc rtc;
    uint32_t exit_detail;
};

/* Handles one I/O exit; returns 1 if the guest should go on, 0 if it ended (out filled). */
static int handle_io(struct kvm_vm *vm, struct devices *d, struct vm_outcome *out)
{
    struct kvm_run *run = vm->run;
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
    uint16_t port = run->io.port;

    if (run->io.data_offset + (size_t)run->io.size * run->io.count > vm->run_size) {
        out->stop = VM_STOP_KVM_FAILURE;
        snprintf(out->reason, sizeof(out->reason), "I/O exit data outside kvm_run");
        return 0;
    }
    if (port == NTV_PORT_NULL && is_write && run->io.size == 1)
        return 1;   /* a null exit: nothing to do */
    if (port == NTV_PORT_EXIT_DETAIL && is_write && run->io.size == 4) {
        memcpy(&d->exit_detail, data, 4);
        return 1;
    }
    if (port == NTV_PORT_EXIT && is_write && run->io.size == 4) {
        uint32_t value;
        memcpy(&value, data, 4);
        unsigned kind = (value >> 8) & 0xFF;
        uint32_t detail = ((d->exit_detail & 0xFF) == (value & 0xFF)) ? d->exit_detail : (value & 0xFF);
        out->detail = detail;
        if (kind == NTV_EXIT_KIND_PROCESS) {
            out->stop = VM_STOP_PROCESS_EXIT;
            snprintf(out->reason, sizeof(out->reason), "guest process exited with status 0x%08X", detail);
        } else {
            out->stop = VM_STOP_BUGCHECK;
            snprintf(out->reason, sizeof(out->reason), "guest bugcheck 0x%08X (see the STOP message above)", detail);
        }
        return 0;
    }
    for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
        if (run->io.size == 1 && console_handles(port)) {
            console_io(&d->com1, port, is_write, data);
        } else if (run->io.size == 1 && rtc_handles(port)) {
            rtc_io(&d->rtc, port, is_write, data);
        } else {
            out->stop = VM_STOP_UNEXPECTED;
            snprintf(out->reason, sizeof(out->reason), "unexpected I/O: %s port 0x%04x, %u byte%s",
                     is_write ? "OUT to" : "IN from", port, run->io.size, run->io.size == 1 ? "" : "s");
            return 0;
        }
    }
    return 1;
}

static int handle_exit(struct kvm_vm *vm, struct devices *d, const struct vm_hooks *hooks,
                       struct vm_outcome *out)
{
    struct kvm_run *run = vm->run;
    if (hooks && hooks->on_exit) {
        int r = hooks->on_exit(hooks->ctx, vm, out);
        if (r >= 0)
            return r;
    }
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        return handle_io(vm, d, out);
    case KVM_EXIT_HLT:
        out->stop = VM_STOP_UNEXPECTED;
        snprintf(out->reason, sizeof(out->reason), "guest halted (HLT) with nothing to wake it");
        return 0;
    case KVM_EXIT_SHUTDOWN:
        out->stop = VM_STOP_TRIPLE_FAULT;
        snprintf(out->reason, sizeof(out->reason), "triple fault (KVM_EXIT_SHUTDOWN): the guest reset itself");
        return 0;
    case KVM_EXIT_MMIO:
        out->stop = VM_STOP_UNEXPECTED;
        snprintf(out->reason, sizeof(out->reason), "unexpected MMIO: %s %u bytes at 0x%llx",
                 run->mmio.is_write ? "write" : "read", run->mmio.len, (unsigned long long)run->mmio.phys_addr);
        return 0;
    case KVM_EXIT_FAIL_ENTRY:
        out->stop = VM_STOP_KVM_FAILURE;
        snprintf(out->reason, sizeof(out->reason), "VM entry failed (hardware reason 0x%llx)",
                 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        return 0;
    case KVM_EXIT_INTERNAL_ERROR:
        out->stop = VM_STOP_KVM_FAILURE;
        snprintf(out->reason, sizeof(out->reason), "KVM internal error (suberror %u)", run->internal.suberror);
        return 0;
    default:
        out->stop = VM_STOP_UNEXPECTED;
        snprintf(out->reason, sizeof(out->reason), "unexpected KVM exit reason %u", run->exit_reason);
        return 0;
    }
}

static void install(int sig, void (*handler)(int), struct sigaction *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    /* the watchdog's tick must not break a read in progress (the debugger's prompt);
       KVM_RUN itself is never restarted: it returns EINTR */
    sa.sa_flags = sig == SIGALRM ? SA_RESTART : 0;
    sigaction(sig, &sa, old);
}

void vm_run(struct kvm_vm *vm, const struct vm_run_options *opt, struct vm_outcome *out)
{
    struct devices d;
    struct sigaction old_alrm, old_int, old_term;

    memset(out, 0, sizeof(*out));
    console_init(&d.com1, opt->console);
    rtc_init(&d.rtc);
    d.exit_detail = 0;

    stop_signal = 0;
    tick_pending = 0;
    running = vm->run;
    vm->run->immediate_exit = 0;
    install(SIGALRM, on_signal, &old_alrm);
    install(SIGINT, on_signal, &old_int);
    install(SIGTERM, on_signal, &old_term);
    /* the watchdog: a tick a second, for --timeout and for a guest halted for good */
    struct itimerval tick = { .it_interval = { .tv_sec = 1 }, .it_value = { .tv_sec = 1 } };
    setitimer(ITIMER_REAL, &tick, NULL);
    unsigned seconds = 0;

    const struct vm_hooks *hooks = opt->hooks;
    if (hooks && hooks->on_start && hooks->on_start(hooks->ctx, vm, out))
        goto stopped;
    for (;;) {
        if (kvm_run_vcpu(vm) < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                vm->run->immediate_exit = 0;
                if (stop_signal) {
                    out->stop = VM_STOP_INTERRUPTED;
                    snprintf(out->reason, sizeof(out->reason), "interrupted by signal %d", (int)stop_signal);
                    break;
                }
                if (!tick_pending)
                    continue;
                tick_pending = 0;
                if (opt->timeout_s && ++seconds >= opt->timeout_s) {
                    out->stop = VM_STOP_TIMEOUT;
                    snprintf(out->reason, sizeof(out->reason), "timeout: the guest ran for %u s", opt->timeout_s);
                    break;
                }
                if (halted_for_good(vm)) {
                    out->stop = VM_STOP_UNEXPECTED;
                    snprintf(out->reason, sizeof(out->reason), "the guest halted with interrupts disabled (HLT)");
                    break;
                }
                continue;
            }
            out->stop = VM_STOP_KVM_FAILURE;
            snprintf(out->reason, sizeof(out->reason), "KVM_RUN: %s", strerror(errno));
            break;
        }
        out->exits++;
        if (!handle_exit(vm, &d, hooks, out))
            break;
    }
    if (hooks && hooks->on_stop)
        hooks->on_stop(hooks->ctx, vm, out);
    if (getenv(KVM_STATS_ENV))
        kvm_stats_report(vm, out->exits, stderr);   /* after the tracer's last words: its memory counts */
stopped:;   /* a statement: a declaration after a label is C23 (clang 14 refuses it) */
    struct itimerval off = { 0 };
    setitimer(ITIMER_REAL, &off, NULL);
    running = NULL;
    sigaction(SIGALRM, &old_alrm, NULL);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    fflush(opt->console);
}
