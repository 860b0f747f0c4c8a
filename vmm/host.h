/* What kind of virtualization this host's /dev/kvm offers. */
#ifndef NTVISOR_HOST_H
#define NTVISOR_HOST_H

#include <stdbool.h>
#include <stdint.h>

enum host_virt { HOST_VIRT_VMX, HOST_VIRT_SVM, HOST_VIRT_PVM, HOST_VIRT_NONE };

struct host_info {
    enum host_virt virt;
    bool can_run_guest;       /* /dev/kvm runs a 32-bit paged guest natively */
    char reason[160];         /* why not, when it cannot */
};

void host_probe(struct host_info *info);
const char *host_virt_name(enum host_virt v);
/* Pure part of host_probe, for tests: cpuinfo flags text and whether kvm_pvm is loaded. */
void host_classify(const char *cpuinfo, bool pvm_loaded, bool kvm_present, struct host_info *info);

/*
 * Whether a CPU runs SYSCALL/SYSRET outside 64-bit mode, from CPUID leaf 0's
 * vendor (12 characters) and leaf 0x80000001's EDX: AMD's (K6 and later) do;
 * Intel's set the same bit but raise #UD there, and KVM does not emulate it.
 */
bool host_cpu_has_legacy_syscall(const char *vendor, uint32_t ext_features_edx);
/* The same question about this host's CPU, whose vendor KVM passes to the guest. */
bool host_has_legacy_syscall(char vendor[13]);

#endif
