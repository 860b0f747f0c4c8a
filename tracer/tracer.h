/*
 * The hypervisor-side tracer: observes the guest from outside, with no guest
 * cooperation. It traps writes to the system-call MSRs (KVM's MSR filter),
 * learns KiFastCallEntry from the guest's write to SYSENTER_EIP and
 * KiSystemService from IDT vector 0x2E, and puts breakpoints on those entries
 * and on the dispatcher's IRETD/SYSEXIT, so that every system call, its
 * return, and each change of privilege level reaches the monitor.
 *
 * Where the kernel uses AMD's SYSCALL, KiFastCallEntry comes from STAR and the
 * fast return is the SYSRET.
 *
 * It plugs into vm_run as a set of vm_hooks (tracer_hooks).
 */
#ifndef NTVISOR_TRACER_H
#define NTVISOR_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "vmm/kvm.h"
#include "vmm/vm_run.h"
#include "ntdb/service_table.h"

struct symtab;
struct decode_style;

/* How breakpoints reach the monitor. */
enum trace_trap { TRACE_TRAP_HW_BREAKPOINT, TRACE_TRAP_PATCH };

enum trace_via { VIA_INT2E, VIA_SYSENTER, VIA_KERNEL_ZW, VIA_DIRECT, VIA_SYSCALL };

#define TRACE_MAX_ARGS 17

/* One system call, as seen at its entry (and completed at its return). */
struct trace_call {
    uint64_t seq;               /* of the syscall event */
    uint64_t t_ns;              /* monotonic, from the start of the run */
    enum trace_via via;
    unsigned prev_mode;         /* 1 = User, 0 = Kernel: the caller's CS RPL */
    unsigned cpl;               /* the caller's privilege level */
    unsigned pid, tid;          /* numbered by address space (CR3) and kernel stack */
    uint32_t cr3;
    unsigned table, index;
    const char *name;           /* from the build's table; NULL if out of range */
    unsigned argc;              /* from the table */
    uint32_t args[TRACE_MAX_ARGS];
    bool args_ok;               /* the argument block could be read */
    uint32_t arg_ptr;           /* EDX as the dispatcher sees it */
    uint32_t return_rip;        /* where the caller resumes */
    const struct decode_style *style;   /* how its arguments read (-X, -y); NULL: the defaults */
    uint32_t routine;           /* a hook served it: KiServiceTable's entry, not boot's or outside nt; else 0 */
    char routine_symbol[64];    /* that routine by the kernel's symbols ("outside nt"); "" without them */
};

struct tracer;

/* Called at every system-call entry, with the vCPU paused there (the debugger stops here);
   true ends the guest (vm_run returns VM_STOP_INTERRUPTED). */
typedef bool (*tracer_syscall_fn)(void *ctx, struct kvm_vm *vm, const struct trace_call *call);

struct tracer_options {
    const struct svc_table *services;   /* the build's table, for names and argc */
    FILE *out;                          /* trace output (text or JSON lines); NULL = none */
    bool json;
    const char *image;                  /* the program's name, for user-mode callers */
    /* filters: NULL = all */
    const char *const *trace_only;      /* service names to show */
    const char *const *trace_not;       /* service names to hide */
    unsigned events;                    /* bit set of 1 << trace event kind (below) */
    bool summary;                       /* -c: print a table at the end instead of calls */
    FILE *summary_out;
    const char *const *deep;            /* --deep: services whose routines are watched too, so
                                           direct Nt calls from kernel mode are seen (via=direct) */
    bool one_exit;                      /* --one-exit: a breakpoint at the dispatcher's way out only
                                           (trace_one_exit.c) */
    const struct symtab *symbols;       /* the kernel's, to name addresses in alerts; may be NULL */
    unsigned xlat;                      /* -X: an enum decode_xlat (tracer/decode.h); 0 = names */
    unsigned handle_detail;             /* -y 1, -yy 2: handles with the objects they refer to */
    tracer_syscall_fn on_syscall;       /* may be NULL */
    void *on_syscall_ctx;
};

enum trace_event_kind { TEV_SYSCALL, TEV_SYSRET, TEV_MSR, TEV_RING, TEV_ALERT, TEV_EXIT, TEV_COUNT };

struct tracer *tracer_new(const struct tracer_options *opt);
/* The program's entry point: when it is reached, the kernel has booted. */
void tracer_set_user_entry(struct tracer *t, uint32_t entry);
/* The -c table: calls, errors and time per service, like strace -c. */
void tracer_print_summary(struct tracer *t, FILE *out);
void tracer_free(struct tracer *t);
/* The vm_hooks that make vm_run report to this tracer. */
const struct vm_hooks *tracer_hooks(struct tracer *t);
/* Counters for benchmarks and tests. */
struct tracer_stats { uint64_t syscalls, sysrets, msr_writes, ring_changes, alerts, breakpoint_exits, unfinished; };
void tracer_stats(const struct tracer *t, struct tracer_stats *out);

#endif
