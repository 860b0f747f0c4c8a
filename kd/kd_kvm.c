/* kd's target over a paused KVM vCPU. */
#include <string.h>
#include <sys/ioctl.h>
#include "kd_kvm.h"

static size_t kvm_read_virt(void *ctx, uint32_t va, void *buf, size_t len)
{
    struct kd_kvm *k = ctx;
    if (!k->have_state)
        return 0;
    return gview_read_some(&k->view, va, buf, len);
}

static int kvm_get_regs(void *ctx, struct kd_regs *r)
{
    struct kd_kvm *k = ctx;
    if (!k->have_state)
        return -1;
    const struct kvm_regs *g = &k->regs;
    const struct kvm_sregs *s = &k->sregs;
    *r = (struct kd_regs){
        .eax = (uint32_t)g->rax, .ebx = (uint32_t)g->rbx, .ecx = (uint32_t)g->rcx, .edx = (uint32_t)g->rdx,
        .esi = (uint32_t)g->rsi, .edi = (uint32_t)g->rdi, .ebp = (uint32_t)g->rbp, .esp = (uint32_t)g->rsp,
        .eip = (uint32_t)g->rip, .efl = (uint32_t)g->rflags,
        .cs = s->cs.selector, .ss = s->ss.selector, .ds = s->ds.selector, .es = s->es.selector,
        .fs = s->fs.selector, .gs = s->gs.selector,
        .cr0 = (uint32_t)s->cr0, .cr2 = (uint32_t)s->cr2, .cr3 = (uint32_t)s->cr3, .cr4 = (uint32_t)s->cr4,
        .gdtr_base = (uint32_t)s->gdt.base, .gdtr_limit = s->gdt.limit,
        .idtr_base = (uint32_t)s->idt.base, .idtr_limit = s->idt.limit,
        .ldtr = s->ldt.selector, .ldtr_base = (uint32_t)s->ldt.base, .ldtr_limit = s->ldt.limit,
        .ldtr_usable = s->ldt.present && !s->ldt.unusable && (s->ldt.selector & ~7u),
        .tr = s->tr.selector, .tr_base = (uint32_t)s->tr.base,
    };
    return 0;
}

static int kvm_read_msr(void *ctx, uint32_t index, uint64_t *value)
{
    struct kd_kvm *k = ctx;
    return kvm_get_msr(k->vm, index, value);
}

int kd_kvm_attach(struct kd_kvm *k, struct kvm_vm *vm)
{
    k->vm = vm;
    k->target = (struct kd_target){ .ctx = k, .read_virt = kvm_read_virt, .get_regs = kvm_get_regs,
                                    .read_msr = kvm_read_msr };
    k->have_state = ioctl(vm->vcpu_fd, KVM_GET_REGS, &k->regs) == 0 &&
                    ioctl(vm->vcpu_fd, KVM_GET_SREGS, &k->sregs) == 0;
    if (k->have_state)
        k->view = gmem_view(gmem_of(vm), (uint32_t)k->sregs.cr0, (uint32_t)k->sregs.cr3, (uint32_t)k->sregs.cr4);
    return k->have_state ? 0 : -1;
}
