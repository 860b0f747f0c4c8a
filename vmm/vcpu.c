/* vCPU set-up for Multiboot, in small steps as a reset is, and the dump for abnormal ends. */
#include <errno.h>
#include <string.h>
#include "base/errbuf.h"
#include "ntdb/symbols.h"
#include "guest_mem.h"
#include "vcpu.h"
#include "vcpu_dump.h"

#define X86_CR0_PE          0x1u
#define X86_CR0_ET          0x10u
#define X86_EFLAGS_RESERVED 0x2u    /* bit 1 always reads as 1 */
#define SEG_TYPE_CODE_RX_A  0xBu    /* execute/read, accessed */
#define SEG_TYPE_DATA_RW_A  0x3u    /* read/write, accessed */
#define SEG_TYPE_TSS32_BUSY 0xBu
#define SEG_TYPE_LDT        0x2u
#define TSS32_LIMIT         0x67u   /* the 104-byte 32-bit TSS */
/* Multiboot asks for flat CS and DS but names no selectors; the kernel loads its own GDT. */
#define MB_CODE_SELECTOR    0x08u
#define MB_DATA_SELECTOR    0x10u

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type)
{
    struct kvm_segment s = {
        .base = 0, .limit = 0xFFFFFFFF, .selector = selector, .type = type,
        .present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
    };
    return s;
}

/* Flat 4 GiB code and data segments, as Multiboot promises. */
static void setup_flat_segments(struct kvm_sregs *s)
{
    s->cs = flat_segment(MB_CODE_SELECTOR, SEG_TYPE_CODE_RX_A);
    s->ds = s->es = s->fs = s->gs = s->ss = flat_segment(MB_DATA_SELECTOR, SEG_TYPE_DATA_RW_A);
}

/* A usable TR and an unusable LDTR keep VM entry checks happy. */
static void setup_system_segments(struct kvm_sregs *s)
{
    s->tr = (struct kvm_segment){ .base = 0, .limit = TSS32_LIMIT, .selector = 0, .type = SEG_TYPE_TSS32_BUSY,
                                  .present = 1 };
    s->ldt = (struct kvm_segment){ .type = SEG_TYPE_LDT, .present = 1, .unusable = 1 };
}

/* No GDT or IDT yet: the kernel installs its own before it relies on them. */
static void setup_descriptor_tables(struct kvm_sregs *s)
{
    s->gdt.base = s->idt.base = 0;
    s->gdt.limit = s->idt.limit = 0;
}

/* Protected mode without paging, no long mode. */
static void setup_control_registers(struct kvm_sregs *s)
{
    s->cr0 = X86_CR0_PE | X86_CR0_ET;
    s->cr3 = s->cr4 = 0;
    s->efer = 0;
}

static int setup_sregs(struct kvm_vm *vm, char *err, size_t errlen)
{
    struct kvm_sregs sregs;
    if (kvm_vcpu_ioctl(vm, KVM_IOC_GET_SREGS, KVM_GET_SREGS, &sregs) < 0)
        return errbuf_fail(err, errlen, "KVM_GET_SREGS: %s", strerror(errno));
    setup_flat_segments(&sregs);
    setup_system_segments(&sregs);
    setup_descriptor_tables(&sregs);
    setup_control_registers(&sregs);
    if (kvm_vcpu_ioctl(vm, KVM_IOC_SET_SREGS, KVM_SET_SREGS, &sregs) < 0)
        return errbuf_fail(err, errlen, "KVM_SET_SREGS: %s", strerror(errno));
    return 0;
}

/* The Multiboot hand-off: EAX = magic, EBX = the info structure, interrupts off. */
static int setup_regs(struct kvm_vm *vm, uint32_t entry, uint32_t info_addr, char *err, size_t errlen)
{
    struct kvm_regs regs = {
        .rax = MULTIBOOT_BOOTLOADER_MAGIC, .rbx = info_addr, .rip = entry, .rflags = X86_EFLAGS_RESERVED,
    };
    if (kvm_vcpu_ioctl(vm, KVM_IOC_SET_REGS, KVM_SET_REGS, &regs) < 0)
        return errbuf_fail(err, errlen, "KVM_SET_REGS: %s", strerror(errno));
    return 0;
}

int vcpu_setup_multiboot(struct kvm_vm *vm, uint32_t entry, uint32_t info_addr, char *err, size_t errlen)
{
    if (setup_sregs(vm, err, errlen) < 0)
        return -1;
    return setup_regs(vm, entry, info_addr, err, errlen);
}

void vcpu_dump(struct kvm_vm *vm, const char *kernel_path, FILE *out)
{
    const struct kvm_regs *r = kvm_exit_regs(vm);
    const struct kvm_sregs *s = kvm_exit_sregs(vm);
    if (!r || !s) {
        fprintf(out, "  (registers unavailable: %s)\n", strerror(errno));
        return;
    }
    /* the kernel's symbols, if its image has them: a missing name is no reason to lose the dump */
    struct symtab syms;
    char err[256];
    symtab_init(&syms);
    bool have_syms = kernel_path && symtab_load_elf_file(&syms, "nt", kernel_path, err, sizeof(err)) == 0;
    struct guest_mem g = gmem_of(vm);
    vcpu_dump_state(out, r, s, &g, have_syms ? &syms : NULL);
    symtab_free(&syms);
}
