/* The KVM virtual machine: /dev/kvm, one VM, guest memory and one vCPU. */
#ifndef NTVISOR_KVM_H
#define NTVISOR_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

/* The vCPU ioctls by kind, as kvm_vcpu_ioctl counts them. */
enum kvm_ioctl_kind {
    KVM_IOC_RUN, KVM_IOC_GET_REGS, KVM_IOC_SET_REGS, KVM_IOC_GET_SREGS, KVM_IOC_SET_SREGS,
    KVM_IOC_GET_MSRS, KVM_IOC_SET_MSRS, KVM_IOC_SET_GUEST_DEBUG, KVM_IOC_GET_MP_STATE, KVM_IOC_OTHER,
    KVM_IOC_KINDS
};
/* "KVM_RUN", "KVM_GET_REGS", ...: the name of each kind */
extern const char *const kvm_ioctl_names[KVM_IOC_KINDS];

/*
 * The vCPU's registers at the current exit, the one copy everything that
 * handles the exit reads and writes: read at most once per exit (from
 * kvm_run's sync area where KVM_CAP_SYNC_REGS puts them, else by one
 * KVM_GET_REGS / KVM_GET_SREGS), written back once, before the next KVM_RUN
 * (through the sync area, else by one KVM_SET_REGS). Full 64-bit registers.
 */
struct kvm_exit_state {
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    bool have_regs, have_sregs;
    bool regs_changed;       /* regs differ from the vCPU's: written back before the next KVM_RUN */
};

struct kvm_vm {
    int kvm_fd, vm_fd, vcpu_fd;
    struct kvm_run *run;
    size_t run_size;
    uint8_t *mem;            /* guest physical 0 .. mem_size */
    size_t mem_size;
    bool sync_regs;          /* KVM_CAP_SYNC_REGS: KVM stores regs and sregs in kvm_run at every exit */
    bool sync_fresh;         /* kvm_run's copy is the vCPU's state at this exit */
    struct kvm_exit_state exit;
    uint64_t ioctls[KVM_IOC_KINDS];   /* vCPU ioctls made, by kind */
};

/* Why kvm_vm_create failed, for the exit code. */
enum kvm_error { KVM_ERR_NONE, KVM_ERR_NO_DEVICE, KVM_ERR_PERMISSION, KVM_ERR_VERSION,
                 KVM_ERR_CAPABILITY, KVM_ERR_SYSTEM };

#define KVM_REQUIRED_API_VERSION 12

/* Opens /dev/kvm (or path), checks the API and capabilities, creates VM, memory, irqchip, PIT and vCPU. */
int kvm_vm_create(struct kvm_vm *vm, const char *path, size_t mem_size, enum kvm_error *why,
                  char *err, size_t errlen);
void kvm_vm_destroy(struct kvm_vm *vm);
/* Every vCPU ioctl goes through here, counted by kind: ioctl()'s result. */
int kvm_vcpu_ioctl(struct kvm_vm *vm, enum kvm_ioctl_kind kind, unsigned long request, void *arg);
/* KVM_RUN, the exit state written back first and forgotten after (0, or -1 with errno). */
int kvm_run_vcpu(struct kvm_vm *vm);
/* The registers (segment registers) at this exit, read at most once per exit; NULL if KVM cannot say. */
struct kvm_regs *kvm_exit_regs(struct kvm_vm *vm);
struct kvm_sregs *kvm_exit_sregs(struct kvm_vm *vm);
/* The caller changed *kvm_exit_regs(): they reach the vCPU with the next KVM_RUN, without an ioctl
   where the sync area carries them. */
void kvm_exit_regs_changed(struct kvm_vm *vm);
/* Writes changed registers now (KVM_SET_REGS), for an ioctl that depends on them: KVM_SET_GUEST_DEBUG's
   single step starts from the RIP the vCPU has when it is asked. 0, or -1 with errno. */
int kvm_exit_regs_flush(struct kvm_vm *vm);
/* One MSR of the vCPU: 0, or -1 when KVM refuses it. */
int kvm_get_msr(struct kvm_vm *vm, uint32_t index, uint64_t *value);
int kvm_set_msr(struct kvm_vm *vm, uint32_t index, uint64_t value);
/* Makes the vCPU's writes to each of the n MSRs exit to the monitor (KVM's MSR
   filter; every other access stays with KVM): 0, or -1 with err. */
int kvm_trap_msr_writes(struct kvm_vm *vm, const uint32_t *msrs, size_t n, char *err, size_t errlen);
int kvm_api_version(const char *path, char *err, size_t errlen);

#endif
