/* Check suite for vmm/guest_mem.c. Guest memory is a malloc'd buffer of
 * exactly MEM_SIZE bytes (so ASan catches any read outside it) holding
 * 32-bit non-PAE page tables built here from the SDM's formats (vol. 3A
 * 4.3): 4 KiB pages through page tables and 4 MiB PSE pages.
 *
 * Guest-physical layout:
 *   0x001000  page directory A (CR3)
 *   0x002000  page table for 0x00000000-0x003FFFFF
 *   0x003000  page table for 0x00400000-0x007FFFFF (reached through a supervisor read-only PDE)
 *   0x004000  page table for 0xFFC00000-0xFFFFFFFF
 *   0x005000  page directory B: va 0 mapped too, for the wrap-around test
 *   0x006000  page table for B's 0x00000000-0x003FFFFF
 *   0x050000+ the data pages, each filled with a pattern of its address
 *   0x7FF000  last page: a page table whose last entry ends exactly at MEM_SIZE
 *
 * Linear layout (directory A):
 *   0x00000000            not present (null page)
 *   0x00001000-0x0000FFFF identity, user, writable
 *   0x00010000            -> 0x50000  supervisor read-only
 *   0x00011000            -> 0x51000  user read-only
 *   0x00012000            -> 0x52000  supervisor writable
 *   0x00013000            not present
 *   0x00014000            -> 0x900000 (beyond memory)
 *   0x00015000            -> 0x7FF000 (the last page)
 *   0x00016000            -> 0x53000  PDE user+writable, PTE present only
 *   0x00400000            PDE supervisor read-only -> PTE user writable -> 0x54000
 *   0x00800000            4 MiB page -> 0x400000, user writable
 *   0x00C00000            4 MiB page -> 0x800000 (= MEM_SIZE: beyond memory)
 *   0x01000000            PDE -> page table at 0x900000 (beyond memory)
 *   0x01400000            PDE -> page table at 0x7FF000; its last entry -> 0x55000
 *   0x01800000            4 MiB page -> 0x400000, supervisor read-only
 *   0x01C00000            PDE not present (pointing at a valid table)
 *   0x02000000            PDE not present (a valid 4 MiB page otherwise)
 *   0x02400000            4 MiB page -> 0x400000 with the PAT bit (12) set
 *   0xFFFFF000            -> 0x61000
 */
#include <check.h>
#include "check_run.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/guest_mem.h"
#include "vmm/kvm.h"

#define MEM_SIZE  0x800000u
#define CR0_PG    0x80000000u
#define CR0_PE    0x00000001u
#define CR0_WP    0x00010000u
#define CR4_PSE   0x00000010u
#define CR4_PAE   0x00000020u
#define P  0x001u
#define W  0x002u
#define U  0x004u
#define A  0x020u
#define D  0x040u
#define PS 0x080u
#define G  0x100u

#define PD_A  0x1000u
#define PD_B  0x5000u
#define PG_ON (CR0_PG | CR0_PE | CR0_WP)

static uint8_t *mem;
static struct guest_mem gm;

static void put32(uint32_t gpa, uint32_t v)
{
    ck_assert_uint_le(gpa + 4, MEM_SIZE);
    memcpy(mem + gpa, &v, 4);
}

static void pde(uint32_t pd, uint32_t va, uint32_t v) { put32(pd + (va >> 22) * 4, v); }
static void pte(uint32_t pt, uint32_t va, uint32_t v) { put32(pt + ((va >> 12) & 0x3FF) * 4, v); }

/* Byte at guest-physical address a: depends on the page and the offset. */
static uint8_t pattern(uint32_t a) { return (uint8_t)((a >> 12) * 7 + (a & 0xFFF)); }

static void setup(void)
{
    mem = malloc(MEM_SIZE);
    ck_assert_ptr_nonnull(mem);
    for (uint32_t a = 0; a < MEM_SIZE; a++)
        mem[a] = pattern(a);
    gm = (struct guest_mem){ .mem = mem, .size = MEM_SIZE };

    /* the page-table pages start empty */
    memset(mem + 0x1000, 0, 0x6000);
    memset(mem + 0x400000, 0, 0x1000);   /* what a PS PDE points at, read as a table without PSE */
    memset(mem + 0x7FF000, 0, 0x1000);

    pde(PD_A, 0x00000000, 0x2000 | P | W | U);
    for (uint32_t va = 0x1000; va < 0x10000; va += 0x1000)
        pte(0x2000, va, va | P | W | U | A);
    pte(0x2000, 0x10000, 0x50000 | P);
    pte(0x2000, 0x11000, 0x51000 | P | U);
    pte(0x2000, 0x12000, 0x52000 | P | W | D | G);
    pte(0x2000, 0x13000, 0x13000 | W | U);         /* not present: the rest does not matter */
    pte(0x2000, 0x14000, 0x900000 | P | W | U);
    pte(0x2000, 0x15000, 0x7FF000 | P | W | U);
    pte(0x2000, 0x16000, 0x53000 | P);
    pde(PD_A, 0x00400000, 0x3000 | P);
    pte(0x3000, 0x00400000, 0x54000 | P | W | U);
    pde(PD_A, 0x00800000, 0x400000 | P | W | U | PS);
    pde(PD_A, 0x00C00000, 0x800000 | P | W | U | PS);
    pde(PD_A, 0x01000000, 0x900000 | P | W | U);
    pde(PD_A, 0x01400000, 0x7FF000 | P | W | U);
    put32(0x7FFFFC, 0x55000 | P | W | U);           /* entry 1023 of the table at 0x7FF000 */
    pde(PD_A, 0x01800000, 0x400000 | P | PS);
    pde(PD_A, 0x01C00000, 0x2000 | W | U);          /* not present, else a valid table */
    pde(PD_A, 0x02000000, 0x400000 | W | U | PS);   /* not present, else a valid 4 MiB page */
    pde(PD_A, 0x02400000, 0x400000 | P | PS | 0x1000);   /* bit 12 is PAT, not address */
    pde(PD_A, 0xFFC00000, 0x4000 | P | W | U);
    pte(0x4000, 0xFFFFF000, 0x61000 | P | W | U);

    pde(PD_B, 0x00000000, 0x6000 | P | W | U);
    pte(0x6000, 0x00000000, 0x62000 | P | W | U);
    pte(0x6000, 0x00001000, 0x63000 | P | W | U);
    pde(PD_B, 0xFFC00000, 0x4000 | P | W | U);
}

static void teardown(void)
{
    free(mem);
    mem = NULL;
}

/* Translates va with directory A, PSE on; returns the gpa or ~0 if not mapped. */
static uint64_t xlate(uint32_t va, bool *user, bool *writable)
{
    uint64_t gpa = 0xDEAD;
    bool u = false, w = false;
    if (!gmem_translate(&gm, PG_ON, PD_A, CR4_PSE, va, &gpa, &u, &w))
        return ~0ull;
    if (user)
        *user = u;
    if (writable)
        *writable = w;
    return gpa;
}

#define NOT_MAPPED ~0ull

/* ---------------------------------------------------------------- gmem_phys */

START_TEST(phys_bounds)
{
    ck_assert_ptr_eq(gmem_phys(&gm, 0, 0), mem);
    ck_assert_ptr_eq(gmem_phys(&gm, 0, MEM_SIZE), mem);
    ck_assert_ptr_eq(gmem_phys(&gm, 0x1234, 16), mem + 0x1234);
    ck_assert_ptr_eq(gmem_phys(&gm, MEM_SIZE - 1, 1), mem + MEM_SIZE - 1);
    ck_assert_ptr_eq(gmem_phys(&gm, MEM_SIZE - 4, 4), mem + MEM_SIZE - 4);
    ck_assert_ptr_null(gmem_phys(&gm, MEM_SIZE - 4, 5));
    ck_assert_ptr_null(gmem_phys(&gm, MEM_SIZE, 1));
    ck_assert_ptr_null(gmem_phys(&gm, MEM_SIZE + 1, 0));
    ck_assert_ptr_null(gmem_phys(&gm, 0, MEM_SIZE + 1));
    ck_assert_ptr_null(gmem_phys(&gm, 0x100000000ull, 4));
}
END_TEST

START_TEST(phys_overflow)
{
    /* gpa + len must not wrap around to something small */
    ck_assert_ptr_null(gmem_phys(&gm, SIZE_MAX - 1, 4));
    ck_assert_ptr_null(gmem_phys(&gm, SIZE_MAX, 1));
    ck_assert_ptr_null(gmem_phys(&gm, UINT64_MAX, 2));
    ck_assert_ptr_null(gmem_phys(&gm, UINT64_MAX - 3, 4));
    ck_assert_ptr_null(gmem_phys(&gm, 1, SIZE_MAX));
    ck_assert_ptr_null(gmem_phys(&gm, 0x10, SIZE_MAX - 0xF));
    ck_assert_ptr_null(gmem_phys(&gm, MEM_SIZE - 1, SIZE_MAX));
    ck_assert_ptr_null(gmem_phys(&gm, 0, SIZE_MAX));
}
END_TEST

START_TEST(phys_empty_memory)
{
    struct guest_mem none = { .mem = NULL, .size = 0 };
    ck_assert_ptr_null(gmem_phys(&none, 0, 1));
    ck_assert_ptr_null(gmem_phys(&none, 1, 0));
    uint64_t gpa;
    ck_assert(!gmem_translate(&none, 0, 0, 0, 0, &gpa, NULL, NULL));
    ck_assert(!gmem_translate(&none, PG_ON, 0, CR4_PSE, 0, &gpa, NULL, NULL));
    uint8_t b;
    ck_assert_uint_eq(gmem_read_virt(&none, 0, 0, 0, 0, &b, 1), 0);
}
END_TEST

/* ---------------------------------------------------------------- gmem_translate */

START_TEST(paging_off_is_identity)
{
    uint64_t gpa = 0;
    bool u = false, w = false;
    /* CR3 and CR4 are ignored when CR0.PG is clear, even PAE and a CR3 outside memory */
    ck_assert(gmem_translate(&gm, CR0_PE, 0xFFFFF000, CR4_PAE | CR4_PSE, 0x12345, &gpa, &u, &w));
    ck_assert_uint_eq(gpa, 0x12345);
    ck_assert(u && w);
    ck_assert(gmem_translate(&gm, 0, 0, 0, 0, &gpa, NULL, NULL));
    ck_assert_uint_eq(gpa, 0);
    ck_assert(gmem_translate(&gm, 0, 0, 0, MEM_SIZE - 1, &gpa, NULL, NULL));
    ck_assert_uint_eq(gpa, MEM_SIZE - 1);
    ck_assert(!gmem_translate(&gm, 0, 0, 0, MEM_SIZE, &gpa, NULL, NULL));
    ck_assert(!gmem_translate(&gm, 0, 0, 0, 0xFFFFFFFF, &gpa, NULL, NULL));
}
END_TEST

START_TEST(small_pages)
{
    bool u, w;
    ck_assert_uint_eq(xlate(0x00000000, NULL, NULL), NOT_MAPPED);
    ck_assert_uint_eq(xlate(0x00000FFF, NULL, NULL), NOT_MAPPED);
    ck_assert_uint_eq(xlate(0x00001000, &u, &w), 0x1000);
    ck_assert(u && w);
    ck_assert_uint_eq(xlate(0x0000ABCD, NULL, NULL), 0xABCD);
    ck_assert_uint_eq(xlate(0x00010000, &u, &w), 0x50000);
    ck_assert(!u && !w);
    ck_assert_uint_eq(xlate(0x00010FFF, NULL, NULL), 0x50FFF);
    ck_assert_uint_eq(xlate(0x00011234, &u, &w), 0x51234);
    ck_assert(u && !w);
    ck_assert_uint_eq(xlate(0x00012008, &u, &w), 0x52008);   /* D and G bits are not address bits */
    ck_assert(!u && w);
    ck_assert_uint_eq(xlate(0x00013000, NULL, NULL), NOT_MAPPED);
    ck_assert_uint_eq(xlate(0x00013FFF, NULL, NULL), NOT_MAPPED);
    ck_assert_uint_eq(xlate(0x00015FFF, NULL, NULL), 0x7FFFFF);
    ck_assert_uint_eq(xlate(0x00017000, NULL, NULL), NOT_MAPPED);   /* empty PTE */
    ck_assert_uint_eq(xlate(0x003FF000, NULL, NULL), NOT_MAPPED);
}
END_TEST

START_TEST(user_writable_combine_pde_and_pte)
{
    bool u = true, w = true;
    /* PDE user+writable, PTE neither */
    ck_assert_uint_eq(xlate(0x00016010, &u, &w), 0x53010);
    ck_assert(!u && !w);
    /* PDE neither, PTE user+writable */
    u = w = true;
    ck_assert_uint_eq(xlate(0x00400123, &u, &w), 0x54123);
    ck_assert(!u && !w);
    /* supervisor read-only 4 MiB page */
    u = w = true;
    ck_assert_uint_eq(xlate(0x01812345, &u, &w), 0x412345);
    ck_assert(!u && !w);
    /* and each bit on its own */
    pde(PD_A, 0x00400000, 0x3000 | P | U);
    ck_assert_uint_eq(xlate(0x00400000, &u, &w), 0x54000);
    ck_assert(u && !w);
    pde(PD_A, 0x00400000, 0x3000 | P | W);
    ck_assert_uint_eq(xlate(0x00400000, &u, &w), 0x54000);
    ck_assert(!u && w);
    pde(PD_A, 0x00400000, 0x3000 | P | W | U);
    pte(0x3000, 0x00400000, 0x54000 | P | U);
    ck_assert_uint_eq(xlate(0x00400000, &u, &w), 0x54000);
    ck_assert(u && !w);
}
END_TEST

START_TEST(large_pages)
{
    bool u = false, w = false;
    uint64_t gpa;
    ck_assert_uint_eq(xlate(0x00800000, &u, &w), 0x400000);
    ck_assert(u && w);
    ck_assert_uint_eq(xlate(0x00ABCDEF, NULL, NULL), 0x6BCDEF);
    ck_assert_uint_eq(xlate(0x00BFFFFF, NULL, NULL), 0x7FFFFF);
    /* a 4 MiB page that starts at the end of memory */
    ck_assert_uint_eq(xlate(0x00C00000, NULL, NULL), NOT_MAPPED);
    /* without CR4.PSE the PS bit is ignored: 0x400000 is read as a page table (empty here) */
    ck_assert(!gmem_translate(&gm, PG_ON, PD_A, 0, 0x00800000, &gpa, NULL, NULL));
    put32(0x400000 + 0x3 * 4, 0x56000 | P | U);
    ck_assert(gmem_translate(&gm, PG_ON, PD_A, 0, 0x00803456, &gpa, &u, &w));
    ck_assert_uint_eq(gpa, 0x56456);
    ck_assert(u && !w);
    /* small pages are the same with or without PSE */
    ck_assert(gmem_translate(&gm, PG_ON, PD_A, 0, 0x00011234, &gpa, NULL, NULL));
    ck_assert_uint_eq(gpa, 0x51234);
}
END_TEST

START_TEST(not_present_pde)
{
    uint64_t gpa;
    ck_assert_uint_eq(xlate(0x01C01000, NULL, NULL), NOT_MAPPED);
    ck_assert_uint_eq(xlate(0x01C0ABCD, NULL, NULL), NOT_MAPPED);
    ck_assert_uint_eq(xlate(0x02000000, NULL, NULL), NOT_MAPPED);
    ck_assert_uint_eq(xlate(0x02012345, NULL, NULL), NOT_MAPPED);
    ck_assert(!gmem_translate(&gm, PG_ON, PD_A, 0, 0x01C01000, &gpa, NULL, NULL));
    uint8_t b;
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x01C01000, &b, 1), 0);
}
END_TEST

START_TEST(large_page_pat_bit)
{
    ck_assert_uint_eq(xlate(0x02400000, NULL, NULL), 0x400000);
    ck_assert_uint_eq(xlate(0x02412345, NULL, NULL), 0x412345);
    ck_assert_uint_eq(xlate(0x027FFFFF, NULL, NULL), 0x7FFFFF);
}
END_TEST

START_TEST(cr3_low_bits_ignored)
{
    uint64_t gpa;
    /* PWT and PCD (bits 3, 4) and the other low bits are not part of the address */
    ck_assert(gmem_translate(&gm, PG_ON, PD_A | 0x18, CR4_PSE, 0x00011234, &gpa, NULL, NULL));
    ck_assert_uint_eq(gpa, 0x51234);
    ck_assert(gmem_translate(&gm, PG_ON, PD_A | 0xFFF, CR4_PSE, 0x00011234, &gpa, NULL, NULL));
    ck_assert_uint_eq(gpa, 0x51234);
}
END_TEST

START_TEST(pae_rejected)
{
    uint64_t gpa = 0x77;
    ck_assert(!gmem_translate(&gm, PG_ON, PD_A, CR4_PAE, 0x00001000, &gpa, NULL, NULL));
    ck_assert(!gmem_translate(&gm, PG_ON, PD_A, CR4_PAE | CR4_PSE, 0x00800000, &gpa, NULL, NULL));
    uint8_t buf[16];
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PAE, 0x1000, buf, sizeof(buf)), 0);
}
END_TEST

START_TEST(cr3_beyond_memory)
{
    uint64_t gpa;
    ck_assert(!gmem_translate(&gm, PG_ON, MEM_SIZE, CR4_PSE, 0x1000, &gpa, NULL, NULL));
    ck_assert(!gmem_translate(&gm, PG_ON, 0xFFFFF000, CR4_PSE, 0xFFFFF000, &gpa, NULL, NULL));
    ck_assert(!gmem_translate(&gm, PG_ON, 0x80000000, CR4_PSE, 0, &gpa, NULL, NULL));
    /* a directory in the last page: its last entry ends exactly at the end of memory */
    put32(0x7FFFFC, 0x400000 | P | PS | U);
    ck_assert(gmem_translate(&gm, PG_ON, 0x7FF000, CR4_PSE, 0xFFC01234, &gpa, NULL, NULL));
    ck_assert_uint_eq(gpa, 0x401234);
    ck_assert(!gmem_translate(&gm, PG_ON, 0x7FF000, CR4_PSE, 0x00001234, &gpa, NULL, NULL));
}
END_TEST

START_TEST(pde_beyond_memory)
{
    uint64_t gpa;
    ck_assert_uint_eq(xlate(0x01000000, NULL, NULL), NOT_MAPPED);
    ck_assert_uint_eq(xlate(0x013FF000, NULL, NULL), NOT_MAPPED);
    pde(PD_A, 0x01000000, 0xFFFFF000 | P | W | U);
    ck_assert_uint_eq(xlate(0x013FFFFF, NULL, NULL), NOT_MAPPED);
    pde(PD_A, 0x01000000, MEM_SIZE | P);
    ck_assert_uint_eq(xlate(0x01000000, NULL, NULL), NOT_MAPPED);
    /* a table in the last page of memory: entry 1023 is the last 4 bytes */
    ck_assert_uint_eq(xlate(0x017FF123, NULL, NULL), 0x55123);
    ck_assert(gmem_translate(&gm, PG_ON, PD_A, CR4_PSE, 0x017FF123, &gpa, NULL, NULL));
    ck_assert_uint_eq(xlate(0x01400000, NULL, NULL), NOT_MAPPED);
}
END_TEST

START_TEST(pte_beyond_memory)
{
    ck_assert_uint_eq(xlate(0x00014000, NULL, NULL), NOT_MAPPED);
    pte(0x2000, 0x14000, 0xFFFFF000 | P);
    ck_assert_uint_eq(xlate(0x00014FFF, NULL, NULL), NOT_MAPPED);
    pte(0x2000, 0x14000, MEM_SIZE | P);
    ck_assert_uint_eq(xlate(0x00014000, NULL, NULL), NOT_MAPPED);
    pte(0x2000, 0x14000, (MEM_SIZE - 0x1000) | P);
    ck_assert_uint_eq(xlate(0x00014FFF, NULL, NULL), MEM_SIZE - 1);
}
END_TEST

START_TEST(every_pde_and_pte_garbage)
{
    /* directory and table full of random entries: whatever comes out is inside memory */
    uint64_t gpa;
    srand(12345);
    for (uint32_t i = 0; i < 0x2000; i += 4)
        put32(0x1000 + i, (uint32_t)rand() << 1 ^ (uint32_t)rand());
    for (uint32_t n = 0; n < 20000; n++) {
        uint32_t va = (uint32_t)rand() << 1 ^ (uint32_t)rand();
        if (gmem_translate(&gm, PG_ON, PD_A, n & 1 ? CR4_PSE : 0, va, &gpa, NULL, NULL))
            ck_assert_uint_lt(gpa, MEM_SIZE);
    }
}
END_TEST

/* ---------------------------------------------------------------- gmem_read_virt */

static void check_bytes(const uint8_t *buf, uint32_t gpa, size_t n)
{
    ck_assert_uint_le((uint64_t)gpa + n, MEM_SIZE);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(buf[i] == mem[gpa + i], "byte %zu of gpa 0x%x", i, gpa);
}

START_TEST(read_within_and_across_pages)
{
    uint8_t buf[0x3000];
    /* identity pages 0x1000-0xFFFF, then 0x10000 -> 0x50000, 0x11000 -> 0x51000 */
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x8ff0, buf, 0x20), 0x20);
    check_bytes(buf, 0x8ff0, 0x20);
    ck_assert_uint_eq(buf[0x10], pattern(0x9000));
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0xFF80, buf, 0x1100), 0x1100);
    check_bytes(buf, 0xFF80, 0x80);
    check_bytes(buf + 0x80, 0x50000, 0x1000);
    check_bytes(buf + 0x1080, 0x51000, 0x80);
    /* 4 MiB page */
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x00900FF0, buf, 0x3000), 0x3000);
    check_bytes(buf, 0x500FF0, 0x3000);
    /* zero length */
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x1000, buf, 0), 0);
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x0, buf, 0), 0);
}
END_TEST

START_TEST(read_stops_at_unmapped_page)
{
    uint8_t *buf = malloc(0x200);
    ck_assert_ptr_nonnull(buf);
    memset(buf, 0xEE, 0x200);
    /* 0x12000 is mapped, 0x13000 is not: 0x100 bytes before the boundary */
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x12F00, buf, 0x200), 0x100);
    check_bytes(buf, 0x52F00, 0x100);
    for (size_t i = 0x100; i < 0x200; i++)
        ck_assert_uint_eq(buf[i], 0xEE);   /* untouched */
    /* starting in an unmapped page: nothing */
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x0, buf, 0x200), 0);
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x13FFF, buf, 1), 0);
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x13000 - 1, buf, 2), 1);
    /* a page that maps beyond memory */
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x14000, buf, 0x10), 0);
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x13F00, buf, 0x200), 0);
    /* the last bytes of memory through the page that maps them */
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x15FFC, buf, 4), 4);
    static const uint8_t last[4] = { 0x07, 0x50, 0x05, 0x00 };   /* the entry at 0x7FFFFC */
    ck_assert_mem_eq(buf, last, 4);
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x15FF0, buf, 0x10), 0x10);
    check_bytes(buf, MEM_SIZE - 0x10, 0x10);
    /* and, paging off, up to the end of memory and no further */
    ck_assert_uint_eq(gmem_read_virt(&gm, 0, 0, 0, MEM_SIZE - 0x10, buf, 0x200), 0x10);
    check_bytes(buf, MEM_SIZE - 0x10, 0x10);
    free(buf);
}
END_TEST

START_TEST(read_huge_length)
{
    /* va 0x1000: 0x12000 bytes are mapped before the hole at 0x13000; the buffer is exactly that */
    size_t mapped = 0x12000;
    uint8_t *buf = malloc(mapped);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x1000, buf, SIZE_MAX), mapped);
    check_bytes(buf, 0x1000, 0xF000);
    check_bytes(buf + 0xF000, 0x50000, 0x3000);
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_A, CR4_PSE, 0x1000, buf, SIZE_MAX / 2 + 7), mapped);
    free(buf);

    /* paging off: all of memory and no more */
    buf = malloc(MEM_SIZE);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(gmem_read_virt(&gm, 0, 0, 0, 0, buf, SIZE_MAX), MEM_SIZE);
    ck_assert(memcmp(buf, mem, MEM_SIZE) == 0);
    ck_assert_uint_eq(gmem_read_virt(&gm, 0, 0, 0, 0x123, buf, (size_t)1 << 40), MEM_SIZE - 0x123);
    ck_assert(memcmp(buf, mem + 0x123, MEM_SIZE - 0x123) == 0);
    ck_assert_uint_eq(gmem_read_virt(&gm, 0, 0, 0, MEM_SIZE, buf, SIZE_MAX), 0);
    free(buf);
}
END_TEST

START_TEST(read_does_not_wrap_past_4g)
{
    uint8_t *buf = malloc(0x1000);
    ck_assert_ptr_nonnull(buf);
    uint64_t gpa;
    /* with directory B both 0xFFFFF000 and 0x00000000 are mapped */
    ck_assert(gmem_translate(&gm, PG_ON, PD_B, CR4_PSE, 0xFFFFF000, &gpa, NULL, NULL));
    ck_assert_uint_eq(gpa, 0x61000);
    ck_assert(gmem_translate(&gm, PG_ON, PD_B, CR4_PSE, 0x00000000, &gpa, NULL, NULL));
    ck_assert_uint_eq(gpa, 0x62000);
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_B, CR4_PSE, 0xFFFFFF00, buf, 0x200), 0x100);
    check_bytes(buf, 0x61F00, 0x100);
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_B, CR4_PSE, 0xFFFFFFFF, buf, SIZE_MAX), 1);
    ck_assert_uint_eq(buf[0], pattern(0x61FFF));
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_B, CR4_PSE, 0xFFFFF000, buf, 0x1000), 0x1000);
    check_bytes(buf, 0x61000, 0x1000);
    /* a read from 0 itself is fine */
    ck_assert_uint_eq(gmem_read_virt(&gm, PG_ON, PD_B, CR4_PSE, 0, buf, 0x1000), 0x1000);
    check_bytes(buf, 0x62000, 0x1000);
    free(buf);
}
END_TEST


/* ---------------------------------------------------------------- the door: views, all-or-nothing, patch */

static struct guest_view view_a(void) { return gmem_view(gm, PG_ON, PD_A, CR4_PSE); }
static struct guest_view view_b(void) { return gmem_view(gm, PG_ON, PD_B, CR4_PSE); }

/* Asserts buf[0..n) still holds the fill byte: a failed all-or-nothing read wrote nothing. */
static void untouched(const uint8_t *buf, size_t n)
{
    size_t i = 0;
    while (i < n && buf[i] == 0xEE)
        i++;
    ck_assert_msg(i == n, "byte %zu written by a failed read", i);
}

START_TEST(gmem_of_is_the_vms_ram)
{
    struct kvm_vm vm = { .mem = mem, .mem_size = MEM_SIZE };
    struct guest_mem g = gmem_of(&vm);
    ck_assert_ptr_eq(g.mem, mem);
    ck_assert_uint_eq(g.size, MEM_SIZE);
    struct guest_view v = gmem_view(g, PG_ON, PD_A, CR4_PSE);
    ck_assert_uint_eq(v.cr0, PG_ON);
    ck_assert_uint_eq(v.cr3, PD_A);
    ck_assert_uint_eq(v.cr4, CR4_PSE);
    uint64_t gpa;
    ck_assert(gview_translate(&v, 0x00011234, &gpa));
    ck_assert_uint_eq(gpa, 0x51234);
    ck_assert(!gview_translate(&v, 0x00013000, &gpa));
}
END_TEST

START_TEST(read_phys_all_or_nothing)
{
    uint8_t buf[32];
    memset(buf, 0xEE, sizeof(buf));
    ck_assert(gmem_read_phys(&gm, MEM_SIZE - 16, buf, 16));
    check_bytes(buf, MEM_SIZE - 16, 16);
    memset(buf, 0xEE, sizeof(buf));
    ck_assert(!gmem_read_phys(&gm, MEM_SIZE - 16, buf, 17));
    ck_assert(!gmem_read_phys(&gm, UINT64_MAX - 3, buf, 8));
    ck_assert(!gmem_read_phys(&gm, 16, buf, SIZE_MAX));
    untouched(buf, sizeof(buf));
    ck_assert(gmem_read_phys(&gm, MEM_SIZE, buf, 0));
}
END_TEST

START_TEST(view_read_whole_or_nothing)
{
    struct guest_view v = view_a();
    uint8_t buf[0x200];
    /* across pages: identity 0xFFxx, then 0x10000 -> 0x50000 */
    ck_assert(gview_read(&v, 0xFF80, buf, 0x100));
    check_bytes(buf, 0xFF80, 0x80);
    check_bytes(buf + 0x80, 0x50000, 0x80);
    /* the second page is not present: nothing is copied, where the partial read copies the prefix */
    memset(buf, 0xEE, sizeof(buf));
    ck_assert(!gview_read(&v, 0x12F00, buf, 0x200));
    untouched(buf, sizeof(buf));
    ck_assert_uint_eq(gview_read_some(&v, 0x12F00, buf, 0x200), 0x100);
    check_bytes(buf, 0x52F00, 0x100);
    /* a page mapped beyond memory, a table beyond memory, memory ending mid-read */
    memset(buf, 0xEE, sizeof(buf));
    ck_assert(!gview_read(&v, 0x00013FF0, buf, 0x20));
    ck_assert(!gview_read(&v, 0x01000000, buf, 1));
    ck_assert(!gview_read(&v, 0x00C00000, buf, 1));
    untouched(buf, sizeof(buf));
    ck_assert(gview_read(&v, 0x15FF0, buf, 0x10));
    check_bytes(buf, MEM_SIZE - 0x10, 0x10);
    /* zero bytes always succeed, even where nothing is mapped */
    ck_assert(gview_read(&v, 0x13001, buf, 0));
    ck_assert_uint_eq(gview_read_some(&v, 0x13001, buf, 0), 0);
}
END_TEST

START_TEST(view_read_not_past_4g)
{
    /* with directory B, 0xFFFFF000 and 0 are both mapped: a read must still not wrap */
    struct guest_view v = view_b();
    uint8_t buf[16];
    memset(buf, 0xEE, sizeof(buf));
    ck_assert(!gview_read(&v, 0xFFFFFFF8, buf, 16));
    ck_assert(!gview_read(&v, 0xFFFFFFFF, buf, 2));
    ck_assert(!gview_read(&v, 1, buf, SIZE_MAX));
    untouched(buf, sizeof(buf));
    ck_assert_uint_eq(gview_read_some(&v, 0xFFFFFFF8, buf, 16), 8);
    check_bytes(buf, 0x61FF8, 8);
    ck_assert(gview_read(&v, 0xFFFFFFF8, buf, 8));
    check_bytes(buf, 0x61FF8, 8);
    uint32_t w = 0xEEEEEEEE;
    ck_assert(!gview_read_u32(&v, 0xFFFFFFFE, &w));
    ck_assert_uint_eq(w, 0xEEEEEEEE);
    ck_assert(gview_read_u32(&v, 0xFFFFFFFC, &w));
    ck_assert_uint_eq(w, (uint32_t)mem[0x61FFC] | (uint32_t)mem[0x61FFD] << 8 | (uint32_t)mem[0x61FFE] << 16 |
                             (uint32_t)mem[0x61FFF] << 24);
}
END_TEST

START_TEST(view_read_hostile_tables)
{
    /* a directory and a table of random entries: every read either fails whole or copies memory's bytes */
    srand(54321);
    for (uint32_t i = 0; i < 0x2000; i += 4)
        put32(0x1000 + i, (uint32_t)rand() << 1 ^ (uint32_t)rand());
    uint8_t buf[0x3000];
    for (uint32_t n = 0; n < 2000; n++) {
        struct guest_view v = gmem_view(gm, PG_ON, PD_A, n & 1 ? CR4_PSE : 0);
        uint32_t va = (uint32_t)rand() << 1 ^ (uint32_t)rand();
        size_t len = (size_t)rand() % sizeof(buf);
        memset(buf, 0xEE, len);
        if (!gview_read(&v, va, buf, len))
            untouched(buf, len);
        size_t got = gview_read_some(&v, va, buf, len);
        if (got > len)
            ck_abort_msg("read 0x%zx of 0x%zx bytes", got, len);
    }
}
END_TEST

/* ---------------------------------------------------------------- user views (U/S as the CPU checks it) */

static struct guest_view user_view_a(void)
{
    struct guest_view kernel = gmem_view(gm, PG_ON, PD_A, CR4_PSE);
    return gview_at_cpl(&kernel, 3);
}

/* Whether one byte at va reads through v, checked by all three readers and the translation alike. */
static bool readable(const struct guest_view *v, uint32_t va)
{
    uint8_t b[4];
    uint64_t gpa;
    bool whole = gview_read(v, va, b, 1);
    bool some = gview_read_some(v, va, b, 1) == 1;
    bool mapped = gview_translate(v, va, &gpa);
    ck_assert_msg(whole == some && some == mapped, "0x%08x: read %d, read_some %d, translate %d", va, whole, some, mapped);
    return whole;
}

START_TEST(view_privilege_by_cpl)
{
    struct guest_view kernel = gmem_view(gm, PG_ON, PD_A, CR4_PSE);
    ck_assert(!kernel.user);
    for (unsigned cpl = 0; cpl < 3; cpl++)
        ck_assert(!gview_at_cpl(&kernel, cpl).user);
    struct guest_view user = gview_at_cpl(&kernel, 3);
    ck_assert(user.user);
    ck_assert(!kernel.user);   /* a copy: the kernel's view is unchanged */
    ck_assert(!gview_at_cpl(&user, 0).user);
    ck_assert_uint_eq(user.cr3, PD_A);
}
END_TEST

START_TEST(user_view_refuses_supervisor_pages)
{
    struct guest_view k = gmem_view(gm, PG_ON, PD_A, CR4_PSE), u = user_view_a();
    /* va, and whether ring 3 may read it: the U/S bits of the PDE and the PTE both count */
    static const struct { uint32_t va; bool user; } pages[] = {
        { 0x00001000, true },    /* user PDE, user PTE */
        { 0x00010000, false },   /* user PDE, supervisor read-only PTE */
        { 0x00011000, true },    /* user read-only: R/W does not matter to a read */
        { 0x00012000, false },   /* supervisor writable PTE */
        { 0x00016000, false },   /* PDE user+writable, PTE present only */
        { 0x00400000, false },   /* supervisor PDE over a user PTE */
        { 0x00800000, true },    /* user 4 MiB page */
        { 0x01800000, false },   /* supervisor 4 MiB page */
        { 0x017FF000, true },    /* the last entry of a table in memory's last page */
    };
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        ck_assert_msg(readable(&k, pages[i].va), "kernel view: 0x%08x", pages[i].va);
        ck_assert_msg(readable(&u, pages[i].va) == pages[i].user, "user view: 0x%08x", pages[i].va);
    }
    /* not present stays not present for both */
    ck_assert(!readable(&k, 0x00013000) && !readable(&u, 0x00013000));
}
END_TEST

START_TEST(user_view_read_stops_at_supervisor_page)
{
    struct guest_view u = user_view_a();
    uint8_t buf[0x200];
    /* identity user page 0xF000, then 0x10000 supervisor: all or nothing, or the user prefix */
    memset(buf, 0xEE, sizeof(buf));
    ck_assert(!gview_read(&u, 0xFF80, buf, 0x100));
    untouched(buf, sizeof(buf));
    ck_assert_uint_eq(gview_read_some(&u, 0xFF80, buf, 0x100), 0x80);
    check_bytes(buf, 0xFF80, 0x80);
    uint32_t w = 0xEEEEEEEE;
    ck_assert(!gview_read_u32(&u, 0xFFFE, &w));
    ck_assert_uint_eq(w, 0xEEEEEEEE);
    /* user read-only 0x11000 after supervisor 0x10000: the read starts nowhere */
    ck_assert_uint_eq(gview_read_some(&u, 0x10FF0, buf, 0x20), 0);
    ck_assert(gview_read(&u, 0x11000, buf, 0x100));
    check_bytes(buf, 0x51000, 0x100);
}
END_TEST

/* NT's self-map (PTE_BASE) is a supervisor PDE that points at the directory: ring 3 cannot read the
   page tables through it; a crafted user self-map lets it, as it lets the CPU. */
START_TEST(user_view_self_map)
{
    pde(PD_A, 0xC0000000, PD_A | P | W);
    struct guest_view k = gmem_view(gm, PG_ON, PD_A, CR4_PSE), u = user_view_a();
    uint32_t entry;
    ck_assert(gview_read_u32(&k, 0xC0000000 + 0x10 * 4, &entry));   /* the PTE of 0x10000 */
    ck_assert_uint_eq(entry, 0x50000 | P);
    ck_assert(!gview_read_u32(&u, 0xC0000000 + 0x10 * 4, &entry));
    pde(PD_A, 0xC0000000, PD_A | P | U);
    ck_assert(gview_read_u32(&u, 0xC0000000 + 0x10 * 4, &entry));
    ck_assert_uint_eq(entry, 0x50000 | P);
    /* the directory read as a table through itself: its supervisor entry for 0x00400000 blocks that table */
    ck_assert(!gview_read_u32(&u, 0xC0000000 + (0x00400000 >> 12) * 4, &entry));
}
END_TEST

/* Random tables: what a user view reads, the kernel view reads the same, and every page of it is a user page. */
START_TEST(user_view_hostile_tables)
{
    srand(9876);
    for (uint32_t i = 0; i < 0x2000; i += 4)
        put32(0x1000 + i, (uint32_t)rand() << 1 ^ (uint32_t)rand());
    static uint8_t ubuf[0x3000], kbuf[0x3000];
    for (uint32_t n = 0; n < 2000; n++) {
        struct guest_view k = gmem_view(gm, PG_ON, PD_A, n & 1 ? CR4_PSE : 0), u = gview_at_cpl(&k, 3);
        uint32_t va = (uint32_t)rand() << 1 ^ (uint32_t)rand();
        size_t len = (size_t)rand() % sizeof(ubuf);
        size_t ugot = gview_read_some(&u, va, ubuf, len), kgot = gview_read_some(&k, va, kbuf, len);
        ck_assert_uint_le(ugot, kgot);
        ck_assert(ugot == 0 || !memcmp(ubuf, kbuf, ugot));
        for (uint64_t a = va; a < (uint64_t)va + ugot; a = (a & ~0xFFFull) + 0x1000) {
            uint64_t gpa;
            bool user = false;
            ck_assert(gmem_translate(&gm, k.cr0, k.cr3, k.cr4, (uint32_t)a, &gpa, &user, NULL));
            ck_assert_msg(user, "user view read supervisor page 0x%08llx", (unsigned long long)a);
        }
        ck_assert(gview_read(&u, va, ubuf, len) == (ugot == len));
    }
}
END_TEST

START_TEST(patch_saves_and_bounds)
{
    static const uint8_t two[2] = { 0xE6, 0xF8 };
    uint8_t old[2] = { 0, 0 };
    uint8_t before[2] = { mem[0x54321], mem[0x54322] };
    ck_assert(gmem_patch(&gm, 0x54321, two, old, 2));
    ck_assert_mem_eq(old, before, 2);
    ck_assert_mem_eq(mem + 0x54321, two, 2);
    ck_assert(gmem_patch(&gm, 0x54321, old, NULL, 2));   /* and back */
    ck_assert_mem_eq(mem + 0x54321, before, 2);
    /* the last two bytes of memory, and not one further */
    ck_assert(gmem_patch(&gm, MEM_SIZE - 2, two, NULL, 2));
    ck_assert_mem_eq(mem + MEM_SIZE - 2, two, 2);
    memset(old, 0xEE, sizeof(old));
    uint8_t last = mem[MEM_SIZE - 1];
    ck_assert(!gmem_patch(&gm, MEM_SIZE - 1, two, old, 2));
    ck_assert(!gmem_patch(&gm, UINT64_MAX, two, old, 2));
    ck_assert_uint_eq(mem[MEM_SIZE - 1], last);
    untouched(old, sizeof(old));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("guest_mem");
    TCase *tc = tcase_create("phys");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, phys_bounds);
    tcase_add_test(tc, phys_overflow);
    tcase_add_test(tc, phys_empty_memory);
    suite_add_tcase(s, tc);

    tc = tcase_create("translate");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, paging_off_is_identity);
    tcase_add_test(tc, small_pages);
    tcase_add_test(tc, user_writable_combine_pde_and_pte);
    tcase_add_test(tc, large_pages);
    tcase_add_test(tc, not_present_pde);
    tcase_add_test(tc, large_page_pat_bit);
    tcase_add_test(tc, cr3_low_bits_ignored);
    tcase_add_test(tc, pae_rejected);
    tcase_add_test(tc, cr3_beyond_memory);
    tcase_add_test(tc, pde_beyond_memory);
    tcase_add_test(tc, pte_beyond_memory);
    tcase_add_test(tc, every_pde_and_pte_garbage);
    suite_add_tcase(s, tc);

    tc = tcase_create("read_virt");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, read_within_and_across_pages);
    tcase_add_test(tc, read_stops_at_unmapped_page);
    tcase_add_test(tc, read_huge_length);
    tcase_add_test(tc, read_does_not_wrap_past_4g);
    suite_add_tcase(s, tc);

    tc = tcase_create("door");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, gmem_of_is_the_vms_ram);
    tcase_add_test(tc, read_phys_all_or_nothing);
    tcase_add_test(tc, view_read_whole_or_nothing);
    tcase_add_test(tc, view_read_not_past_4g);
    tcase_add_test(tc, view_read_hostile_tables);
    tcase_add_test(tc, patch_saves_and_bounds);
    suite_add_tcase(s, tc);

    tc = tcase_create("user_view");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, view_privilege_by_cpl);
    tcase_add_test(tc, user_view_refuses_supervisor_pages);
    tcase_add_test(tc, user_view_read_stops_at_supervisor_page);
    tcase_add_test(tc, user_view_self_map);
    tcase_add_test(tc, user_view_hostile_tables);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(suite());
}
