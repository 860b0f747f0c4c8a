/* vCPU set-up for Multiboot and the register dump for abnormal ends. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include "guest_mem.h"
#include "vcpu.h"

#define CR0_PE 0x1u
#define CR0_ET 0x10u

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type)
{
    struct kvm_segment s = {
        .base = 0, .limit = 0xFFFFFFFF, .selector = selector, .type = type,
        .present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
    };
    return s;
}

int vcpu_setup_multiboot(struct kvm_vm *vm, uint32_t entry, uint32_t info_addr, char *err, size_t errlen)
{
    struct kvm_sregs sregs;
    if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0) {
        snprintf(err, errlen, "KVM_GET_SREGS: %s", strerror(errno));
        return -1;
    }
    sregs.cs = flat_segment(0x08, 0xB);   /* execute/read, accessed */
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = flat_segment(0x10, 0x3);
    /* a usable TR and an unusable LDTR keep VM entry checks happy */
    sregs.tr = (struct kvm_segment){ .base = 0, .limit = 0x67, .selector = 0, .type = 0xB, .present = 1 };
    sregs.ldt = (struct kvm_segment){ .type = 0x2, .present = 1, .unusable = 1 };
    sregs.gdt.base = sregs.idt.base = 0;
    sregs.gdt.limit = sregs.idt.limit = 0;
    sregs.cr0 = CR0_PE | CR0_ET;
    sregs.cr3 = sregs.cr4 = 0;
    sregs.efer = 0;
    if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs) < 0) {
        snprintf(err, errlen, "KVM_SET_SREGS: %s", strerror(errno));
        return -1;
    }
    struct kvm_regs regs = {
        .rax = MULTIBOOT_BOOTLOADER_MAGIC, .rbx = info_addr, .rip = entry, .rflags = 0x2,
    };
    if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) < 0) {
        snprintf(err, errlen, "KVM_SET_REGS: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void dump_segment(FILE *out, const char *name, const struct kvm_segment *s)
{
    fprintf(out, "  %-3s %04x base=%08llx limit=%08x type=%x s=%u dpl=%u p=%u db=%u g=%u%s\n", name,
            s->selector, (unsigned long long)s->base, s->limit, s->type, s->s, s->dpl, s->present, s->db, s->g,
            s->unusable ? " unusable" : "");
}

void vcpu_dump(struct kvm_vm *vm, FILE *out)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &r) < 0 || ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0) {
        fprintf(out, "  (registers unavailable: %s)\n", strerror(errno));
        return;
    }
    if (s.cs.base == 0xFFFF0000 && r.rip == 0xFFF0)
        fprintf(out, "  (this is the vCPU's reset state: KVM resets it on shutdown under AMD SVM,\n"
                     "   so the state at the fault is lost; under Intel VMX it is kept)\n");
    fprintf(out, "  eax=%08llx ebx=%08llx ecx=%08llx edx=%08llx esi=%08llx edi=%08llx\n",
            r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi);
    fprintf(out, "  eip=%08llx esp=%08llx ebp=%08llx efl=%08llx cpl=%u\n",
            r.rip, r.rsp, r.rbp, r.rflags, s.cs.dpl);
    dump_segment(out, "cs", &s.cs);
    dump_segment(out, "ss", &s.ss);
    dump_segment(out, "ds", &s.ds);
    dump_segment(out, "es", &s.es);
    dump_segment(out, "fs", &s.fs);
    dump_segment(out, "gs", &s.gs);
    dump_segment(out, "tr", &s.tr);
    fprintf(out, "  cr0=%08llx cr2=%08llx cr3=%08llx cr4=%08llx efer=%llx\n",
            s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
    fprintf(out, "  gdtr=%08llx/%04x idtr=%08llx/%04x\n",
            s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit);

    struct guest_mem g = { vm->mem, vm->mem_size };
    uint32_t linear = (uint32_t)(s.cs.base + r.rip);
    uint8_t code[16];
    size_t n = gmem_read_virt(&g, (uint32_t)s.cr0, (uint32_t)s.cr3, (uint32_t)s.cr4, linear, code, sizeof(code));
    fprintf(out, "  code at %08x:", linear);
    if (n == 0)
        fprintf(out, " (not mapped)");
    for (size_t i = 0; i < n; i++)
        fprintf(out, " %02x", code[i]);
    fprintf(out, "\n");
}
