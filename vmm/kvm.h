/* The KVM virtual machine: /dev/kvm, one VM, guest memory and one vCPU. */
#ifndef NTVISOR_KVM_H
#define NTVISOR_KVM_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

struct kvm_vm {
    int kvm_fd, vm_fd, vcpu_fd;
    struct kvm_run *run;
    size_t run_size;
    uint8_t *mem;            /* guest physical 0 .. mem_size */
    size_t mem_size;
};

/* Why kvm_vm_create failed, for the exit code. */
enum kvm_error { KVM_ERR_NONE, KVM_ERR_NO_DEVICE, KVM_ERR_PERMISSION, KVM_ERR_VERSION,
                 KVM_ERR_CAPABILITY, KVM_ERR_SYSTEM };

#define KVM_REQUIRED_API_VERSION 12

/* Opens /dev/kvm (or path), checks the API and capabilities, creates VM, memory, irqchip, PIT and vCPU. */
int kvm_vm_create(struct kvm_vm *vm, const char *path, size_t mem_size, enum kvm_error *why,
                  char *err, size_t errlen);
void kvm_vm_destroy(struct kvm_vm *vm);
/* One MSR of the vCPU: 0, or -1 when KVM refuses it. */
int kvm_get_msr(struct kvm_vm *vm, uint32_t index, uint64_t *value);
int kvm_set_msr(struct kvm_vm *vm, uint32_t index, uint64_t value);
/* Makes the vCPU's writes to each of the n MSRs exit to the monitor (KVM's MSR
   filter; every other access stays with KVM): 0, or -1 with err. */
int kvm_trap_msr_writes(struct kvm_vm *vm, const uint32_t *msrs, size_t n, char *err, size_t errlen);
int kvm_api_version(const char *path, char *err, size_t errlen);

#endif
