/*
 * The MSR filter: writes to the system-call MSRs exit to the monitor, which
 * logs them, applies them (completing the exit alone does not), and learns
 * KiFastCallEntry from SYSENTER_EIP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include "trace_output.h"
#include "trace_internal.h"

const uint32_t trace_watched_msrs[N_MSRS] = { 0x174, 0x175, 0x176, 0xC0000080, 0xC0000081, 0xC0000082,
                                              0xC0000083, 0xC0000084 };

static const char *msr_name(uint32_t index)
{
    switch (index) {
    case 0x174: return "SYSENTER_CS";
    case 0x175: return "SYSENTER_ESP";
    case 0x176: return "SYSENTER_EIP";
    case 0xC0000080: return "EFER";
    case 0xC0000081: return "STAR";
    case 0xC0000082: return "LSTAR";
    case 0xC0000083: return "CSTAR";
    case 0xC0000084: return "SFMASK";
    }
    return "?";
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

    struct kvm_regs r;
    struct kvm_sregs s;
    trace_get_state(vm, &r, &s);
    uint64_t old = k < N_MSRS ? t->msr_value[k] : 0;
    if (k < N_MSRS)
        t->msr_value[k] = value;
    t->stats.msr_writes++;
    if (trace_wants(t, TEV_MSR)) {
        uint64_t seq = ++t->seq;
        if (t->opt.json)
            fprintf(t->opt.out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"msr\",\"msr\":\"0x%x\","
                                "\"msr_name\":\"%s\",\"old\":\"0x%llx\",\"new\":\"0x%llx\",\"rip\":\"0x%08llx\"}\n",
                    (unsigned long long)seq, (unsigned long long)trace_now_ns(t), index, msr_name(index),
                    (unsigned long long)old, (unsigned long long)value, (unsigned long long)r.rip);
        else
            fprintf(t->opt.out, "--- msr 0x%x (%s): 0x%llx -> 0x%llx at 0x%08llx ---\n", index, msr_name(index),
                    (unsigned long long)old, (unsigned long long)value, (unsigned long long)r.rip);
    }
    if (index == 0x176) {
        if (t->booted && value != old) {
            char detail[96];
            snprintf(detail, sizeof(detail), "SYSENTER_EIP (KiFastCallEntry) repointed to 0x%08llx",
                     (unsigned long long)value);
            trace_emit_alert(t, "SYSENTER_EIP changed", detail, old, value, (uint32_t)r.rip);
        }
        t->fast_call_entry = (uint32_t)value;
        if (!t->system_service)
            trace_learn_system_service(t, vm, &s);   /* the IDT is loaded before the MSRs are written */
        trace_arm(t, vm);
    }
    return 1;
}

int trace_setup_msr_filter(struct tracer *t, struct kvm_vm *vm)
{
    struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR };
    cap.args[0] = KVM_MSR_EXIT_REASON_FILTER;
    if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <= 0 ||
        ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
        snprintf(t->error, sizeof(t->error), "KVM_CAP_X86_USER_SPACE_MSR: %s", strerror(errno));
        return -1;
    }
    static uint8_t deny[1] = { 0 };     /* a clear bit: the access exits to the monitor */
    struct kvm_msr_filter f;
    memset(&f, 0, sizeof(f));
    f.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
    for (size_t i = 0; i < N_MSRS; i++) {
        f.ranges[i].flags = KVM_MSR_FILTER_WRITE;
        f.ranges[i].base = trace_watched_msrs[i];
        f.ranges[i].nmsrs = 1;
        f.ranges[i].bitmap = deny;
    }
    if (ioctl(vm->vm_fd, KVM_X86_SET_MSR_FILTER, &f) < 0) {
        snprintf(t->error, sizeof(t->error), "KVM_X86_SET_MSR_FILTER: %s", strerror(errno));
        return -1;
    }
    /* the values before the guest writes any */
    for (size_t i = 0; i < N_MSRS; i++)
        kvm_get_msr(vm, trace_watched_msrs[i], &t->msr_value[i]);
    return 0;
}
