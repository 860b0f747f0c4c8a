/* What kind of virtualization this host's /dev/kvm offers. */
#ifndef NTVISOR_HOST_H
#define NTVISOR_HOST_H

#include <stdbool.h>

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

#endif
