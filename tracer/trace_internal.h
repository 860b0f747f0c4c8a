/*
 * The tracer's insides, shared by its files: tracer.c (the vm_hooks, their
 * life cycle and the exit handler's switch), trace_stop.c (one exit read
 * once, and its kind), trace_learn.c (finding the entry points and the
 * service table from outside), trace_integrity.c (alerts), trace_calls.c
 * (calls, returns), trace_one_exit.c (--one-exit), trace_deep.c (--deep), trace_traps.c (ring events of
 * exceptions and interrupts), trace_msr.c (the MSR filter), trace_code.c
 * (the guest's code without our patches), trace_summary.c (-c) and
 * trace_output.c (every event written).
 */
#ifndef NTVISOR_TRACE_INTERNAL_H
#define NTVISOR_TRACE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "vmm/guest_mem.h"
#include "vmm/breakpoints.h"
#include "decode.h"
#include "trace_handles.h"
#include "trace_output.h"
#include "tracer.h"

#define SLOT_KI_SYSTEM_SERVICE   0
#define SLOT_KI_FAST_CALL_ENTRY  1
#define SLOT_IRET                2
#define SLOT_SYSEXIT             3     /* the fast return, SYSEXIT or SYSRET; before boot: the program's entry */

#define MAX_THREADS     64
#define MAX_DEPTH       32
#define MAX_SPACES      64
#define SWEEP_BYTES     1024

/* MSR_SYSENTER_CS/ESP/EIP, MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK: the writes the filter traps */
#define N_MSRS 8
extern const uint32_t trace_watched_msrs[N_MSRS];

struct open_call {
    struct trace_call call;
    bool announced;         /* text: printed as <unfinished ...> */
    bool reached;           /* deep mode: the dispatcher has called the routine */
    int return_slot;        /* direct calls: the one-shot breakpoint on the return address, or -1 */
};

/* --deep: a breakpoint inside a service routine's prologue. */
struct deep_point {
    unsigned index;         /* the service */
    int slot;
    uint32_t esp_delta;     /* bytes the skipped prologue pushed */
};
#define MAX_DEEP 16

struct thread_state {
    uint32_t esp0;
    unsigned tid;
    struct open_call stack[MAX_DEPTH];
    int depth;
};

/* An exception or interrupt handler watched for ring changes (--events with ring). */
struct trap_point {
    int slot;
    unsigned vector;
    bool error_code;        /* the CPU pushed one: the frame starts a word higher */
};
#define MAX_TRAPS 64

/* An IRETD those handlers return by, caught at the instruction before it (a patch needs 2 bytes). */
struct trap_return {
    int slot;
    uint32_t iret;
};
#define MAX_TRAP_RETURNS 8

struct tracer {
    struct tracer_options opt;
    struct vm_hooks hooks;
    struct breakpoints bp;
    enum trace_trap trap;
    bool selftest_pending;
    uint32_t kernel_entry, user_entry;
    uint32_t ki_fast_call_entry, ki_system_service;   /* learned from SYSENTER_EIP and IDT 0x2E */
    enum trace_via fast_via;                           /* how KiFastCallEntry is entered: SYSENTER or SYSCALL */
    uint32_t iret_addr, sysexit_addr, sysret_addr;     /* the dispatcher's returns */
    uint32_t before_iret;       /* the instruction that falls into the IRETD (patch mode) */
    uint32_t service_exit;      /* after the dispatcher's call of the routine (KiServiceExit) */
    unsigned service_reg;       /* the callee-saved register it calls through (x86 number: 3 = EBX) */
    uint64_t msr_value[N_MSRS];
    bool booted;
    struct thread_state threads[MAX_THREADS];
    int n_threads;
    uint32_t spaces[MAX_SPACES];
    bool space_has_user[MAX_SPACES];    /* ring-3 code has made calls from it: the program's */
    int n_spaces;
    uint64_t seq;
    struct timespec t0;
    struct tracer_stats stats;
    /* integrity */
    uint8_t idt_gate[8];
    uint32_t idt_gate_gpa;
    uint32_t ki_service_table, ki_service_limit;   /* KiServiceTable (VA) and its length */
    uint32_t *ki_service_copy;                     /* KiServiceTable as boot left it */
    uint32_t *ki_service_now;                      /* scratch: the table as a check reads it */
    uint32_t *ki_service_boot;                     /* the same, kept; 0 for an entry already outside nt */
    struct summary_row *rows;
    size_t n_rows;
    struct deep_point deep[MAX_DEEP];
    int n_deep;
    struct trap_point traps[MAX_TRAPS];
    int n_traps;
    struct trap_return trap_returns[MAX_TRAP_RETURNS];
    int n_trap_returns;
    int trap_from_user;            /* vector of the exception/interrupt taken in ring 3, -1 if none */
    struct decode_style style;     /* -X, -y: how calls' arguments read */
    struct trace_handles handles;  /* -y: what the handles refer to */
    char error[160];
};

/*
 * One stop of the vCPU at a breakpoint (or a trapped WRMSR), read once when
 * the exit arrives: everything that handles the exit reads the vCPU from here.
 */
struct trace_stop {
    struct kvm_vm *vm;
    int slot;                   /* the breakpoint, or -1 */
    bool stepped;               /* the exit is the single step past slot's instruction */
    uint32_t addr;              /* the breakpoint's address */
    const struct kvm_regs *regs;    /* the vm's exit state (kvm_exit_regs): read once per exit, */
    const struct kvm_sregs *sregs;  /* written back by whoever changes it (bp_step_over's RF) */
    struct guest_view view;     /* memory as the current address space sees it */
    struct thread_state *thread;   /* by TSS.Esp0, looked up at first use (trace_stop_thread) */
};

/* What a breakpoint exit is: tracer.c's exit handler switches on it. */
enum trace_stop_kind {
    STOP_KI_SYSTEM_SERVICE,     /* INT 2Eh, or a kernel-mode Zw call */
    STOP_KI_FAST_CALL_ENTRY,    /* SYSENTER */
    STOP_IRETD,                 /* the dispatcher's IRETD (patch mode: stepped onto it) */
    STOP_SYSEXIT,
    STOP_PROGRAM_ENTRY,         /* the program's first instruction: boot is over */
    STOP_DEEP_ENTRY,            /* --deep: a service routine */
    STOP_DIRECT_RETURN,         /* --deep: maybe the one-shot return of a direct call */
    STOP_TRAP_HANDLER,          /* ring: an exception or interrupt handler, or the instruction before its IRETD */
    STOP_TRAP_STEPPED,          /* ring: stepped onto such an IRETD */
    STOP_SERVICE_EXIT,          /* --one-exit: the dispatcher's way out, the whole call */
    STOP_OTHER,                 /* ours, nothing to report: step over it */
};

/* trace_stop.c */
int trace_stop_fill(struct trace_stop *st, struct kvm_vm *vm, int slot, bool stepped, uint32_t addr);
struct thread_state *trace_stop_thread(struct tracer *t, struct trace_stop *st);
enum trace_stop_kind trace_stop_kind(const struct tracer *t, const struct trace_stop *st);
/* The EIP and CS of an interrupt frame skip bytes above the stop's ESP. */
bool trace_stop_frame(const struct trace_stop *st, uint32_t skip, uint32_t *eip, uint32_t *cs);

/* tracer.c: filters, the clock, and the events, numbered and written through trace_output.c */
uint64_t trace_now_ns(const struct tracer *t);
bool trace_wants(const struct tracer *t, enum trace_event_kind k);
bool trace_call_shown(const struct tracer *t, const struct trace_call *c);
struct trace_event trace_next_event(struct tracer *t);
/* vector < 0: a system call or its return */
void trace_emit_ring(struct tracer *t, unsigned from, unsigned to, const char *via, int vector, uint32_t rip);
void trace_emit_alert(struct tracer *t, const char *what, const char *detail, uint64_t old, uint64_t new_value,
                      uint32_t rip);
bool trace_observe(struct tracer *t, struct kvm_vm *vm, const struct trace_call *c);
/* An address named by the kernel's symbols ("nt!Name+0xN", "outside nt"); "" without them. */
void trace_symbol_of(const struct tracer *t, uint64_t addr, char *buf, size_t len);

/* trace_code.c: the guest's own code at va, with the tracer's patched breakpoints undone in the copy */
size_t trace_read_code(const struct tracer *t, const struct guest_view *v, uint32_t va, uint8_t *code, size_t len);
/* Whether a 2-byte patched breakpoint fits the instruction at va. */
bool trace_patch_fits(const struct tracer *t, const struct guest_view *v, uint32_t va);

/* trace_learn.c */
bool trace_read_idt_gate(const struct trace_stop *st, unsigned vector, uint8_t raw[8], uint32_t *target,
                         uint32_t *gpa);
void trace_find_returns(struct tracer *t, const struct guest_view *v, uint32_t start);
int trace_arm(struct tracer *t, struct kvm_vm *vm);
void trace_learn_ki_system_service(struct tracer *t, const struct trace_stop *st);
void trace_on_boot(struct tracer *t, struct trace_stop *st, uint32_t rip);

/* trace_integrity.c */
/* Compares the watched state with the host's copies; a change is an alert (rip: where the guest stands). */
void trace_check_integrity(struct tracer *t, const struct trace_stop *st, uint32_t rip);
/* The call's routine, when KiServiceTable sends it elsewhere than boot did or outside nt: a hook serves it
   (a direct call runs nt's routine itself). */
void trace_find_hook(const struct tracer *t, const struct trace_stop *st, struct trace_call *c);

/* trace_calls.c */
const char *trace_image_of(struct tracer *t, unsigned pid, unsigned cpl);
unsigned trace_space_of(struct tracer *t, uint32_t cr3);
bool trace_on_entry(struct tracer *t, struct trace_stop *st, enum trace_via via);
/* What every entry point fills the same way: the service by its number, its argument words, who calls. */
void trace_identify_call(struct tracer *t, struct trace_stop *st, struct trace_call *c);
/* The call is open: reported, stacked on its thread, shown to the observer; true ends the guest. */
bool trace_open_call(struct tracer *t, struct trace_stop *st, struct trace_call *c, int return_slot);
void trace_finish_call(struct tracer *t, const struct guest_view *v, struct open_call *oc, uint32_t status,
                       uint32_t rip, bool unfinished);
/* How the dispatcher returns: IRETD (its frame on the stack), SYSEXIT (EIP in EDX) or SYSRET (EIP in ECX). */
enum trace_return { RETURN_IRETD, RETURN_SYSEXIT, RETURN_SYSRET };
void trace_on_return(struct tracer *t, struct trace_stop *st, enum trace_return how);
/* The dispatcher's fast return in use: the SYSRET where calls come by SYSCALL, else the SYSEXIT. */
uint32_t trace_fast_return(const struct tracer *t);

/* trace_one_exit.c */
int trace_arm_one_exit(struct tracer *t, struct kvm_vm *vm);
/* A whole call at KiServiceExit; true when the on_syscall observer ends the guest. */
bool trace_on_service_exit(struct tracer *t, struct trace_stop *st);
/* When the guest ends: the call the current thread is in (NtTerminateProcess), from its trap frame. */
void trace_one_exit_unfinished(struct tracer *t, struct trace_stop *st);

/* trace_deep.c */
void trace_place_deep(struct tracer *t, struct kvm_vm *vm, const struct guest_view *v);
const struct deep_point *trace_deep_of(const struct tracer *t, int slot);
bool trace_on_deep_entry(struct tracer *t, struct trace_stop *st, const struct deep_point *d);
bool trace_on_direct_return(struct tracer *t, struct trace_stop *st);

/* trace_traps.c */
void trace_place_traps(struct tracer *t, const struct trace_stop *st);
bool trace_is_trap_point(const struct tracer *t, int slot);
void trace_on_trap_hit(struct tracer *t, const struct trace_stop *st);
void trace_on_trap_stepped(struct tracer *t, const struct trace_stop *st);

/* trace_msr.c */
int trace_handle_wrmsr(struct tracer *t, struct kvm_vm *vm);
int trace_setup_msr_filter(struct tracer *t, struct kvm_vm *vm);

/* trace_summary.c */
struct summary_row *trace_row_of(struct tracer *t, const char *name);

#endif
