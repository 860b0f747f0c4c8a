/* The abnormal-end dump: what a stopped vCPU was doing, from its registers and its memory. */
#include <inttypes.h>
#include "vcpu_dump.h"

/* x86 architectural bits (include/ names NT's layout, not these) */
#define X86_CR0_PG   0x80000000u
#define X86_CR4_PSE  0x00000010u
#define X86_CR4_PAE  0x00000020u
#define X86_PG_P     0x001u
#define X86_PG_RW    0x002u
#define X86_PG_US    0x004u
#define X86_PG_PWT   0x008u
#define X86_PG_PCD   0x010u
#define X86_PG_A     0x020u
#define X86_PG_D     0x040u
#define X86_PG_PS    0x080u   /* in a PDE: a 4 MiB page */
#define X86_PG_G     0x100u
#define X86_PG_FRAME 0xFFFFF000u
#define X86_RESET_CS_BASE 0xFFFF0000u
#define X86_RESET_IP      0xFFF0u

static void show_reset_note(FILE *out, const struct kvm_regs *r, const struct kvm_sregs *s)
{
    if (s->cs.base == X86_RESET_CS_BASE && r->rip == X86_RESET_IP)
        fprintf(out, "  (this is the vCPU's reset state: KVM resets it on shutdown under AMD SVM,\n"
                     "   so the state at the fault is lost; under Intel VMX it is kept)\n");
}

static void show_registers(FILE *out, const struct kvm_regs *r, const struct kvm_sregs *s)
{
    fprintf(out, "  eax=%08llx ebx=%08llx ecx=%08llx edx=%08llx esi=%08llx edi=%08llx\n",
            r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi);
    fprintf(out, "  eip=%08llx esp=%08llx ebp=%08llx efl=%08llx cpl=%u\n",
            r->rip, r->rsp, r->rbp, r->rflags, s->cs.dpl);
}

static void show_segment(FILE *out, const char *name, const struct kvm_segment *g)
{
    fprintf(out, "  %-3s %04x base=%08llx limit=%08x type=%x s=%u dpl=%u p=%u db=%u g=%u%s\n", name,
            g->selector, (unsigned long long)g->base, g->limit, g->type, g->s, g->dpl, g->present, g->db, g->g,
            g->unusable ? " unusable" : "");
}

static void show_segments(FILE *out, const struct kvm_sregs *s)
{
    show_segment(out, "cs", &s->cs);
    show_segment(out, "ss", &s->ss);
    show_segment(out, "ds", &s->ds);
    show_segment(out, "es", &s->es);
    show_segment(out, "fs", &s->fs);
    show_segment(out, "gs", &s->gs);
    show_segment(out, "tr", &s->tr);
}

static void show_control(FILE *out, const struct kvm_sregs *s)
{
    fprintf(out, "  cr0=%08llx cr2=%08llx cr3=%08llx cr4=%08llx efer=%llx\n",
            s->cr0, s->cr2, s->cr3, s->cr4, s->efer);
    fprintf(out, "  gdtr=%08llx/%04x idtr=%08llx/%04x\n",
            s->gdt.base, s->gdt.limit, s->idt.base, s->idt.limit);
}

/* Up to len bytes at linear address va, through the guest's page tables. */
static size_t read_linear(const struct guest_mem *g, const struct kvm_sregs *s, uint32_t va, void *buf, size_t len)
{
    return gmem_read_virt(g, (uint32_t)s->cr0, (uint32_t)s->cr3, (uint32_t)s->cr4, va, buf, len);
}

static uint32_t eip_linear(const struct kvm_regs *r, const struct kvm_sregs *s)
{
    return (uint32_t)(s->cs.base + r->rip);
}

static void show_code(FILE *out, const struct kvm_regs *r, const struct kvm_sregs *s, const struct guest_mem *g)
{
    uint32_t linear = eip_linear(r, s);
    uint8_t code[VCPU_DUMP_CODE_BYTES];
    size_t n = read_linear(g, s, linear, code, sizeof(code));
    fprintf(out, "  code at %08x:", linear);
    if (n == 0)
        fprintf(out, " (not mapped)");
    for (size_t i = 0; i < n; i++)
        fprintf(out, " %02x", code[i]);
    fprintf(out, "\n");
}

static void show_symbol(FILE *out, const struct kvm_regs *r, const struct kvm_sregs *s, const struct symtab *syms)
{
    char name[SYM_MAX_MODULE_NAME + SYM_MAX_NAME + 16];
    if (syms && symtab_format(syms, eip_linear(r, s), name, sizeof(name)))
        fprintf(out, "  eip is %s\n", name);
}

static void show_stack(FILE *out, const struct kvm_regs *r, const struct kvm_sregs *s, const struct guest_mem *g)
{
    uint32_t linear = (uint32_t)(s->ss.base + r->rsp);
    uint8_t raw[VCPU_DUMP_STACK_WORDS * 4];
    size_t n = read_linear(g, s, linear, raw, sizeof(raw)) / 4;
    fprintf(out, "  stack at %08x:", linear);
    if (n == 0)
        fprintf(out, " (not mapped)");
    for (size_t i = 0; i < n; i++)
        fprintf(out, " %08" PRIx32, (uint32_t)raw[4 * i] | (uint32_t)raw[4 * i + 1] << 8 |
                (uint32_t)raw[4 * i + 2] << 16 | (uint32_t)raw[4 * i + 3] << 24);
    fprintf(out, "\n");
}

/* A page-table entry read by physical address: with paging off, linear is physical. */
static bool read_entry(const struct guest_mem *g, uint32_t pa, uint32_t *entry)
{
    uint8_t b[4];
    if (gmem_read_virt(g, 0, 0, 0, pa, b, sizeof(b)) != sizeof(b))
        return false;
    *entry = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

static void show_entry(FILE *out, const char *level, uint32_t index, uint32_t at, uint32_t e, bool pde)
{
    fprintf(out, "    %s[%03x] at %08x = %08x", level, index, at, e);
    if (!(e & X86_PG_P)) {
        fprintf(out, " not present\n");
        return;
    }
    fprintf(out, " P %s %s%s%s%s%s%s%s\n", e & X86_PG_RW ? "W" : "R", e & X86_PG_US ? "U" : "S",
            e & X86_PG_PWT ? " PWT" : "", e & X86_PG_PCD ? " PCD" : "", e & X86_PG_A ? " A" : "",
            e & X86_PG_D ? " D" : "", pde && (e & X86_PG_PS) ? " PS" : "", e & X86_PG_G ? " G" : "");
}

/* One level of the walk: the entry at table[index]; false if the walk ends here. */
static bool walk_level(FILE *out, const struct guest_mem *g, const char *level, uint32_t table, uint32_t index,
                       bool pde, uint32_t *entry)
{
    uint32_t at = table + index * 4;
    if (!read_entry(g, at, entry)) {
        fprintf(out, "    %s[%03x] at %08x: outside guest memory\n", level, index, at);
        return false;
    }
    show_entry(out, level, index, at, *entry, pde);
    return *entry & X86_PG_P;
}

/* The walk of EIP's linear address, entry by entry, then where the guest-memory door lands. */
static void show_page_walk(FILE *out, const struct kvm_regs *r, const struct kvm_sregs *s, const struct guest_mem *g)
{
    uint32_t va = eip_linear(r, s), cr0 = (uint32_t)s->cr0, cr3 = (uint32_t)s->cr3, cr4 = (uint32_t)s->cr4;
    fprintf(out, "  page walk of %08x:", va);
    if (!(cr0 & X86_CR0_PG)) {
        fprintf(out, " paging off\n");
    } else if (cr4 & X86_CR4_PAE) {
        fprintf(out, " PAE paging, not walked\n");   /* the guest uses 32-bit paging only */
        return;
    } else {
        fprintf(out, " cr3=%08x\n", cr3);
        uint32_t pde, pte;
        if (!walk_level(out, g, "pde", cr3 & X86_PG_FRAME, va >> 22, true, &pde))
            return;
        bool large = (pde & X86_PG_PS) && (cr4 & X86_CR4_PSE);
        if (!large && !walk_level(out, g, "pte", pde & X86_PG_FRAME, (va >> 12) & 0x3FF, false, &pte))
            return;
    }
    uint64_t gpa;
    if (gmem_translate(g, cr0, cr3, cr4, va, &gpa, NULL, NULL))
        fprintf(out, "    -> physical %08" PRIx64 "\n", gpa);
    else
        fprintf(out, "    -> not in guest memory\n");
}

void vcpu_dump_state(FILE *out, const struct kvm_regs *r, const struct kvm_sregs *s, const struct guest_mem *g,
                     const struct symtab *syms)
{
    show_reset_note(out, r, s);
    show_registers(out, r, s);
    show_segments(out, s);
    show_control(out, s);
    show_code(out, r, s, g);
    show_symbol(out, r, s, syms);
    show_stack(out, r, s, g);
    show_page_walk(out, r, s, g);
}
