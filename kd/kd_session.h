/*
 * A kd session over one boot of the guest: it pauses the vCPU at the stops
 * --stop names (kd_stop.h), runs commands at each -- from -c (kd_script.h),
 * at a `kd> ` prompt on a terminal, or from stdin -- and lets the guest run
 * on after `g`. `q` ends the guest.
 *
 * How it pauses. boot: a hardware execute breakpoint on nt!KiExitToUserMode
 * (the kernel's way into a new process), then single steps to the first
 * ring-3 instruction; inside the SVM lab a debug-register breakpoint on a
 * ring-3 address does not reliably reach the monitor (it fired in 2 of 11
 * runs at the program's entry) and an INT3 patch is delivered to the guest,
 * while kernel-address breakpoints and single steps are reliable.
 * first-syscall and <Service>: the tracer's (tracer/tracer.h), which learns
 * KiFastCallEntry and KiSystemService from outside, traps every call -- by
 * debug registers, or by patched instructions where those do not fire -- and
 * calls kd at each entry with the vCPU paused there. exit: vm_hooks.on_stop,
 * when the guest has ended, its state intact.
 */
#ifndef NTVISOR_KD_SESSION_H
#define NTVISOR_KD_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include "kd.h"
#include "kd_kvm.h"
#include "kd_line.h"
#include "kd_script.h"
#include "kd_stop.h"
#include "ntdb/service_table.h"
#include "ntdb/symbols.h"
#include "tracer/tracer.h"
#include "vmm/breakpoints.h"
#include "vmm/session.h"
#include "vmm/vm_run.h"

struct kd_session_options {
    struct kd_stop stop;
    const char *stop_arg;   /* --stop as given, for messages */
    const char *script;     /* -c; NULL: commands from stdin (a prompt on a terminal) */
};

/* Runs kd over the booted session s (booted from o) to the guest's end or `q`.
   Returns the exit status: 0 after `q`, otherwise session_finish's. */
int kd_session_run(struct session *s, const struct session_options *o, const struct kd_session_options *ko);

/* ---------------------------------------------------------------- internals
 * shared by kd_session.c (setup, commands at a stop) and kd_hooks.c (the stops) */

/* Where --stop=boot is on its way to the program's first instruction. */
enum kd_boot_phase {
    KD_BOOT_IDLE,           /* not asked for, or not yet armed */
    KD_BOOT_LOADER,         /* the breakpoint on nt!KiExitToUserMode is armed */
    KD_BOOT_TO_ENTRY,       /* single-stepping from there to ring 3 */
    KD_BOOT_DONE,
};

#define KD_MAX_STEPS_TO_ENTRY 10000   /* KiExitToUserMode reaches ring 3 in a few dozen */

struct kd_session {
    struct kd_stop stop;
    uint32_t entry;                 /* the program's entry (PE or ELF) */
    uint32_t exit_to_user;          /* nt!KiExitToUserMode */
    enum kd_boot_phase phase;
    unsigned steps;                 /* single steps since KiExitToUserMode */
    struct breakpoints bp;          /* boot's breakpoint and steps */

    struct svc_table services;      /* the build's names, for the system-call stops */
    struct tracer *tracer;          /* the system-call stops; NULL for boot and exit */
    const struct vm_hooks *tracer_hooks;
    struct vm_hooks hooks;          /* what vm_run calls */

    struct symtab syms;             /* the images', and each stop's new drivers (kd_modules.h) */
    const char *const *drivers;     /* --driver files, whose symbols the drivers get */
    int n_drivers;
    struct kd kd;
    struct kd_kvm kk;
    struct kd_line line;
    struct kd_script script;
    bool interactive;               /* a prompt on the terminal */
    bool stdin_script;              /* commands from a non-terminal stdin */
    bool quit;                      /* `q` ended the guest */
    unsigned stops;
};

/* Runs commands at a stop (what says which) until one says go or quit. */
enum kd_action kd_session_stop(struct kd_session *k, struct kvm_vm *vm, const char *what);
/* Whether the guest's end is a stop: asked for, at a prompt, or with commands waiting for it. */
bool kd_session_wants_exit_stop(const struct kd_session *k);
/* Fills k->hooks for k->stop (with the tracer for system-call stops); 0, or an NTV_EXIT_* code. */
int kd_hooks_init(struct kd_session *k, const struct session_options *o);
void kd_hooks_free(struct kd_session *k);

#endif
