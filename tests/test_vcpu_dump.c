/* Check suite for vmm/vcpu_dump.c, the abnormal-end dump, over a fake guest
 * memory with hand-made page tables: the registers print as before, and the
 * code, symbol, stack words and page walk of EIP come out right for 4 KiB
 * and 4 MiB pages, absent entries, page tables outside memory, paging off,
 * and reads that run off the end of memory. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check_run.h"
#include "ntdb/symbols.h"
#include "vmm/vcpu_dump.h"

#define MEM_SIZE   (4u << 20)
#define PD         0x1000u      /* the page directory */
#define PT_KERNEL  0x2000u      /* the page table for 0x80000000.. */
#define PT_USER    0x3000u      /* the page table for 0x00000000.. */
#define CR0_PE_ET_PG 0x80000011u
#define CR4_PSE    0x10u

static uint8_t *mem;
static struct guest_mem g;
static struct kvm_regs r;
static struct kvm_sregs s;
static struct symtab syms;
static char *text;

static void put32(uint32_t pa, uint32_t v)
{
    memcpy(mem + pa, &v, 4);
}

/* 0x80100000 -> 0x00100000 (4 KiB, kernel), 0x0012F000 -> 0x00200000 (4 KiB, user),
   0x80400000 -> 0x00000000 (4 MiB, PSE). */
static void setup(void)
{
    mem = calloc(1, MEM_SIZE);
    ck_assert_ptr_nonnull(mem);
    g = (struct guest_mem){ mem, MEM_SIZE };
    put32(PD + 0x200 * 4, PT_KERNEL | 0x003);
    put32(PT_KERNEL + 0x100 * 4, 0x00100000u | 0x023);
    put32(PD + 0x201 * 4, 0x00000000u | 0x083);
    put32(PD + 0 * 4, PT_USER | 0x007);
    put32(PT_USER + 0x12F * 4, 0x00200000u | 0x067);
    memcpy(mem + 0x100010, "\x0f\x0b\x90\x90", 4);   /* ud2 at 0x80100010 */
    for (uint32_t i = 0; i < 8; i++)
        put32(0x200F70 + 4 * i, 0x11111111u * (i + 1));

    memset(&r, 0, sizeof(r));
    memset(&s, 0, sizeof(s));
    r.rip = 0x80100010;
    r.rsp = 0x0012FF70;
    r.rax = 0xB7;
    r.rflags = 0x246;
    s.cs = (struct kvm_segment){ .selector = 0x08, .limit = 0xFFFFFFFF, .type = 0xB, .present = 1, .db = 1,
                                 .s = 1, .g = 1 };
    s.ss = s.cs;
    s.ss.selector = 0x10;
    s.ss.type = 0x3;
    s.cr0 = CR0_PE_ET_PG;
    s.cr3 = PD;
    s.cr4 = CR4_PSE;

    symtab_init(&syms);
    struct sym_module *nt = symtab_add_module(&syms, "nt", 0x80100000u, 0x80200000u);
    ck_assert_ptr_nonnull(nt);
    ck_assert_int_eq(sym_module_add(nt, "KiTrap06", 0x80100000u, 0), 0);
    sym_module_finish(nt);
    text = NULL;
}

static void teardown(void)
{
    symtab_free(&syms);
    free(mem);
    free(text);
}

static const char *dump(const struct symtab *t)
{
    size_t len;
    free(text);
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    vcpu_dump_state(f, &r, &s, &g, t);
    fclose(f);
    return text;
}

#define HAS(out, want) ck_assert_msg(strstr((out), (want)) != NULL, "missing \"%s\" in:\n%s", (want), (out))
#define HASNT(out, no) ck_assert_msg(strstr((out), (no)) == NULL, "unexpected \"%s\" in:\n%s", (no), (out))

START_TEST(registers_as_before)
{
    const char *o = dump(&syms);
    HAS(o, "  eax=000000b7 ebx=00000000 ecx=00000000 edx=00000000 esi=00000000 edi=00000000\n"
           "  eip=80100010 esp=0012ff70 ebp=00000000 efl=00000246 cpl=0\n"
           "  cs  0008 base=00000000 limit=ffffffff type=b s=1 dpl=0 p=1 db=1 g=1\n"
           "  ss  0010 base=00000000 limit=ffffffff type=3 s=1 dpl=0 p=1 db=1 g=1\n");
    HAS(o, "  cr0=80000011 cr2=00000000 cr3=00001000 cr4=00000010 efer=0\n"
           "  gdtr=00000000/0000 idtr=00000000/0000\n"
           "  code at 80100010: 0f 0b 90 90 00 00 00 00 00 00 00 00 00 00 00 00\n");
    HASNT(o, "reset state");
}
END_TEST

START_TEST(symbol_stack_and_4k_walk)
{
    const char *o = dump(&syms);
    HAS(o, "  eip is nt!KiTrap06+0x10\n");
    HAS(o, "  stack at 0012ff70: 11111111 22222222 33333333 44444444 55555555 66666666 77777777 88888888\n");
    HAS(o, "  page walk of 80100010: cr3=00001000\n"
           "    pde[200] at 00001800 = 00002003 P W S\n"
           "    pte[100] at 00002400 = 00100023 P W S A\n"
           "    -> physical 00100010\n");
}
END_TEST

START_TEST(no_symbols_no_symbol_line)
{
    HASNT(dump(NULL), "eip is");
    r.rip = 0x80300000;   /* mapped by no module */
    HASNT(dump(&syms), "eip is");
}
END_TEST

START_TEST(large_page_walk)
{
    r.rip = 0x80400123;
    const char *o = dump(&syms);
    HAS(o, "  page walk of 80400123: cr3=00001000\n"
           "    pde[201] at 00001804 = 00000083 P W S PS\n"
           "    -> physical 00000123\n");
    HASNT(o, "pte[");
}
END_TEST

START_TEST(absent_entries_end_the_walk)
{
    r.rip = 0x80101000;   /* its PTE is zero */
    const char *o = dump(&syms);
    HAS(o, "  code at 80101000: (not mapped)\n");
    HAS(o, "    pte[101] at 00002404 = 00000000 not present\n");
    HASNT(o, "->");
    r.rip = 0x90000000;   /* its PDE is zero */
    o = dump(&syms);
    HAS(o, "    pde[240] at 00001900 = 00000000 not present\n");
    HASNT(o, "pte[");
}
END_TEST

START_TEST(page_tables_outside_memory)
{
    s.cr3 = 0xFFFFF000;   /* a hostile CR3 */
    const char *o = dump(&syms);
    HAS(o, "  code at 80100010: (not mapped)\n");
    HAS(o, "  stack at 0012ff70: (not mapped)\n");
    HAS(o, "    pde[200] at fffff800: outside guest memory\n");
    s.cr3 = PD;
    put32(PD + 0x200 * 4, 0xFFC00000u | 0x003);   /* a page table past the end */
    o = dump(&syms);
    HAS(o, "    pte[100] at ffc00400: outside guest memory\n");
    put32(PD + 0x200 * 4, 0x00000000u | 0x003);
    put32(0x400, 0x7FF00000u | 0x001);   /* a page past the end */
    o = dump(&syms);
    HAS(o, "    pte[100] at 00000400 = 7ff00001 P R S\n"
           "    -> not in guest memory\n");
}
END_TEST

START_TEST(paging_off_reads_to_the_end_of_memory)
{
    s.cr0 = 0x11;
    r.rip = MEM_SIZE - 3;
    r.rsp = MEM_SIZE - 8;
    memcpy(mem + MEM_SIZE - 8, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    const char *o = dump(&syms);
    HAS(o, "  code at 003ffffd: 06 07 08\n");
    HAS(o, "  stack at 003ffff8: 04030201 08070605\n");
    HAS(o, "  page walk of 003ffffd: paging off\n"
           "    -> physical 003ffffd\n");
    r.rip = MEM_SIZE;
    o = dump(&syms);
    HAS(o, "  code at 00400000: (not mapped)\n");
    HAS(o, "    -> not in guest memory\n");
}
END_TEST

START_TEST(pae_is_not_walked)
{
    s.cr4 = 0x20;
    HAS(dump(&syms), "  page walk of 80100010: PAE paging, not walked\n");
}
END_TEST

/* AMD SVM resets the vCPU on shutdown: the dump says so. */
START_TEST(reset_state_is_named)
{
    s.cr0 = 0x10;
    s.cs.base = 0xFFFF0000;
    s.cs.selector = 0xF000;
    r.rip = 0xFFF0;
    r.rsp = 0;
    const char *o = dump(&syms);
    HAS(o, "  (this is the vCPU's reset state: KVM resets it on shutdown under AMD SVM,\n");
    HAS(o, "  eip=0000fff0");
    HAS(o, "  cs  f000 base=ffff0000");
    HAS(o, "  code at fffffff0: (not mapped)\n");
    HASNT(o, "eip is");
}
END_TEST

static Suite *dump_suite(void)
{
    Suite *s = suite_create("vcpu_dump");
    TCase *tc = tcase_create("fake guest memory");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, registers_as_before);
    tcase_add_test(tc, symbol_stack_and_4k_walk);
    tcase_add_test(tc, no_symbols_no_symbol_line);
    tcase_add_test(tc, large_page_walk);
    tcase_add_test(tc, absent_entries_end_the_walk);
    tcase_add_test(tc, page_tables_outside_memory);
    tcase_add_test(tc, paging_off_reads_to_the_end_of_memory);
    tcase_add_test(tc, pae_is_not_walked);
    tcase_add_test(tc, reset_state_is_named);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(dump_suite());
}
