/* kd's target over a paused KVM vCPU: memory through the guest's page tables, registers, MSRs. */
#ifndef NTVISOR_KD_KVM_H
#define NTVISOR_KD_KVM_H

#include <linux/kvm.h>
#include "kd.h"
#include "vmm/guest_mem.h"
#include "vmm/kvm.h"

struct kd_kvm {
    struct kvm_vm *vm;
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    bool have_state;      /* regs and sregs were read at this stop */
    struct guest_view view;   /* memory as the paused vCPU's address space sees it */
    struct kd_target target;
};

/* Binds to vm and reads the vCPU's state (call at every stop); -1 if KVM fails. */
int kd_kvm_attach(struct kd_kvm *k, struct kvm_vm *vm);

#endif
