/* The exit loop: runs the vCPU until the guest ends, fails, or the watchdog fires. */
#ifndef NTVISOR_VM_RUN_H
#define NTVISOR_VM_RUN_H

#include <stdint.h>
#include <stdio.h>
#include "kvm.h"

enum vm_stop {
    VM_STOP_PROCESS_EXIT,   /* the guest's last process ended: detail = its NTSTATUS */
    VM_STOP_BUGCHECK,       /* KeBugCheckEx: detail = bugcheck code */
    VM_STOP_TRIPLE_FAULT,   /* KVM_EXIT_SHUTDOWN */
    VM_STOP_UNEXPECTED,     /* I/O or MMIO the monitor does not emulate, HLT, debug exits */
    VM_STOP_KVM_FAILURE,    /* internal error, failed entry, ioctl failure */
    VM_STOP_TIMEOUT,        /* --timeout elapsed */
    VM_STOP_INTERRUPTED,    /* SIGINT/SIGTERM */
};

struct vm_outcome {
    enum vm_stop stop;
    uint32_t detail;
    unsigned long exits;    /* VM exits handled */
    char reason[240];       /* one line, for the user */
};

/*
 * Observers of the run (the tracer, the debugger). Every callback may be NULL.
 * The vCPU is paused inside each callback: guest memory and registers can be
 * read (and written) through vm.
 */
struct vm_hooks {
    void *ctx;
    /* Once, before the first KVM_RUN; nonzero stops the run (out filled). */
    int (*on_start)(void *ctx, struct kvm_vm *vm, struct vm_outcome *out);
    /* Every exit, before vm_run handles it (KVM_EXIT_DEBUG, KVM_EXIT_X86_WRMSR, I/O...):
       1 handled, go on; 0 stop the guest (out filled); -1 not mine: vm_run handles it. */
    int (*on_exit)(void *ctx, struct kvm_vm *vm, struct vm_outcome *out);
    /* The guest has stopped for good, its state intact; before vm_run returns. */
    void (*on_stop)(void *ctx, struct kvm_vm *vm, const struct vm_outcome *out);
};

struct vm_run_options {
    FILE *console;                  /* guest COM1 output */
    unsigned timeout_s;             /* 0 = none */
    const struct vm_hooks *hooks;   /* may be NULL */
};

void vm_run(struct kvm_vm *vm, const struct vm_run_options *opt, struct vm_outcome *out);
const char *vm_stop_name(enum vm_stop s);

#endif
