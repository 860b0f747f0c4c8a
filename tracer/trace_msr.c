/*
 * The MSR filter: writes to the system-call MSRs exit to the monitor, which
 * logs them, applies them (completing the exit alone does not), and learns
 * KiFastCallEntry from SYSENTER_EIP, or from STAR where the kernel uses SYSCALL.
 */
#include <stdio.h>
#include <ntvisor/abi.h>
#include "trace_internal.h"

const uint32_t trace_watched_msrs[N_MSRS] = { MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, MSR_EFER,
                                              MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK };

static const char *msr_name(uint32_t index)
{
    switch (index) {
    case MSR_SYSENTER_CS: return "SYSENTER_CS";
    case MSR_SYSENTER_ESP: return "SYSENTER_ESP";
    case MSR_SYSENTER_EIP: return "SYSENTER_EIP";
    case MSR_EFER: return "EFER";
    case MSR_STAR: return "STAR";
    case MSR_LSTAR: return "LSTAR";
    case MSR_CSTAR: return "CSTAR";
    case MSR_SFMASK: return "SFMASK";
    }
    return "?";
}

/*
 * A write that points the fast system call at its entry: SYSENTER_EIP, or
 * STAR's bits 31:0 (the legacy-mode SYSCALL entry) where the kernel uses
 * SYSCALL. Both name KiFastCallEntry: it is learned from them, a change after
 * boot is an alert, and the breakpoints follow it.
 */
static void on_fast_entry(struct tracer *t, const struct trace_stop *st, enum trace_via via, uint64_t old,
                          uint64_t entry)
{
    const char *msr = via == VIA_SYSCALL ? "STAR" : "SYSENTER_EIP";
    if (t->booted && entry != old) {
        char what[32], detail[96];
        snprintf(what, sizeof(what), "%s changed", msr);
        snprintf(detail, sizeof(detail), "%s (KiFastCallEntry) repointed to 0x%08llx",
                 via == VIA_SYSCALL ? "STAR's SYSCALL entry" : msr, (unsigned long long)entry);
        trace_emit_alert(t, what, detail, old, entry, (uint32_t)st->regs->rip);
    }
    t->ki_fast_call_entry = (uint32_t)entry;
    t->fast_via = via;
    if (!t->ki_system_service)
        trace_learn_ki_system_service(t, st);   /* the IDT is loaded before the MSRs are written */
    trace_arm(t, st->vm);
}

int trace_handle_wrmsr(struct tracer *t, struct kvm_vm *vm)
{
    struct kvm_run *run = vm->run;
    uint32_t index = run->msr.index;
    uint64_t value = run->msr.data;
    size_t k;
    for (k = 0; k < N_MSRS && trace_watched_msrs[k] != index; k++)
        ;
    /* the filter only reports the write: it is applied here */
    run->msr.error = kvm_set_msr(vm, index, value) == 0 ? 0 : 1;

    struct trace_stop st;
    trace_stop_fill(&st, vm, -1, false, 0);
    uint64_t old = k < N_MSRS ? t->msr_value[k] : 0;
    if (k < N_MSRS)
        t->msr_value[k] = value;
    t->stats.msr_writes++;
    if (trace_wants(t, TEV_MSR)) {
        struct trace_event e = trace_next_event(t);
        emit_msr(&e, index, msr_name(index), old, value, st.regs->rip);
    }
    if (index == MSR_SYSENTER_EIP)
        on_fast_entry(t, &st, VIA_SYSENTER, old, value);
    else if (index == MSR_STAR)
        on_fast_entry(t, &st, VIA_SYSCALL, (uint32_t)old, (uint32_t)value);
    return 1;
}

int trace_setup_msr_filter(struct tracer *t, struct kvm_vm *vm)
{
    if (kvm_trap_msr_writes(vm, trace_watched_msrs, N_MSRS, t->error, sizeof(t->error)) < 0)
        return -1;
    /* the values before the guest writes any */
    for (size_t i = 0; i < N_MSRS; i++)
        kvm_get_msr(vm, trace_watched_msrs[i], &t->msr_value[i]);
    return 0;
}
