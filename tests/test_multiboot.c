/* Check suite for vmm/multiboot.c: ELF32 Multiboot kernels and modules are
 * built in memory, loaded into a malloc'd guest memory of exactly mem_size
 * bytes (so ASan catches any access outside it) from image buffers of
 * exactly their size, and every multiboot_info field is checked against
 * offsets taken from the Multiboot 0.6.96 spec (not from multiboot.h). */
#include <check.h>
#include "check_run.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/multiboot.h"

/* ---------------------------------------------------------------- helpers */

#define MiB         (1024u * 1024u)
#define MEM_SIZE    (4 * MiB)
#define CANARY      0xCC

/* multiboot_info offsets, from the spec. */
enum {
    MI_FLAGS = 0, MI_MEM_LOWER = 4, MI_MEM_UPPER = 8, MI_BOOT_DEVICE = 12, MI_CMDLINE = 16,
    MI_MODS_COUNT = 20, MI_MODS_ADDR = 24, MI_SYMS = 28, MI_MMAP_LENGTH = 44, MI_MMAP_ADDR = 48,
    MI_DRIVES_LENGTH = 52, MI_DRIVES_ADDR = 56, MI_CONFIG_TABLE = 60, MI_BOOT_LOADER_NAME = 64,
    MI_APM_TABLE = 68, MI_VBE_CONTROL_INFO = 72, MI_VBE_MODE_INFO = 76, MI_VBE_MODE = 80, MI_END = 88,
};

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/* A kernel to build: start from default_kernel() and change one thing. */
struct kseg {
    uint32_t type, offset, vaddr, paddr, filesz, memsz;
    uint8_t fill;                     /* file bytes are (fill + i) & 0xFF */
};

struct kspec {
    uint8_t ei_class, ei_data, ei_version;
    uint16_t e_type, e_machine, e_phentsize, e_phnum;
    uint32_t e_version, e_entry, e_phoff;
    unsigned nsegs;                   /* program headers written (may differ from e_phnum) */
    struct kseg seg[8];
    int mb_present;
    uint32_t mb_offset, mb_magic, mb_flags, mb_checksum_delta;
    size_t size;                      /* file size; 0 = just big enough for everything */
};

static void default_kernel(struct kspec *k)
{
    memset(k, 0, sizeof *k);
    k->ei_class = 1;
    k->ei_data = 1;
    k->ei_version = 1;
    k->e_type = 2;                    /* ET_EXEC */
    k->e_machine = 3;                 /* EM_386 */
    k->e_version = 1;
    k->e_entry = 0x100010;
    k->e_phoff = 52;
    k->e_phentsize = 32;
    k->e_phnum = 2;
    k->nsegs = 2;
    /* text: file [0x1000, 0x2800) -> [0x100000, 0x101800) */
    k->seg[0] = (struct kseg){ 1, 0x1000, 0x100000, 0x100000, 0x1800, 0x1800, 0x10 };
    /* data + bss: file [0x3000, 0x3100) -> [0x103000, 0x105000) */
    k->seg[1] = (struct kseg){ 1, 0x3000, 0x103000, 0x103000, 0x100, 0x2000, 0x80 };
    k->mb_present = 1;
    k->mb_offset = 0x80;
    k->mb_magic = 0x1BADB002;
    k->mb_flags = 0x3;                /* page-align modules, memory info */
}

struct img {
    uint8_t *data;
    size_t size;
};

static size_t max_sz(size_t a, uint64_t b) { return b > a ? (size_t)b : a; }

/* Builds the file into a malloc'd buffer of exactly its size. */
static struct img build(const struct kspec *k)
{
    size_t size = k->size;
    struct img im;
    uint8_t *d;

    if (!size) {
        size = 52;
        if (k->e_phoff < 0x100000)
            size = max_sz(size, (uint64_t)k->e_phoff + 32ull * k->nsegs);
        for (unsigned i = 0; i < k->nsegs; i++)
            if (k->seg[i].offset < 0x100000)
                size = max_sz(size, (uint64_t)k->seg[i].offset + k->seg[i].filesz);
        if (k->mb_present)
            size = max_sz(size, (uint64_t)k->mb_offset + 12);
    }
    d = calloc(1, size ? size : 1);
    ck_assert_ptr_nonnull(d);
    /* Everything is clipped to the file, so truncated files are easy to make. */
    uint8_t *full = calloc(1, size + 0x10000);
    ck_assert_ptr_nonnull(full);
    memcpy(full, "\x7f" "ELF", 4);
    full[4] = k->ei_class;
    full[5] = k->ei_data;
    full[6] = k->ei_version;
    put16(full + 16, k->e_type);
    put16(full + 18, k->e_machine);
    put32(full + 20, k->e_version);
    put32(full + 24, k->e_entry);
    put32(full + 28, k->e_phoff);
    put32(full + 32, 0);              /* e_shoff */
    put16(full + 40, 52);             /* e_ehsize */
    put16(full + 42, k->e_phentsize);
    put16(full + 44, k->e_phnum);
    for (unsigned i = 0; i < k->nsegs; i++) {
        const struct kseg *s = &k->seg[i];
        uint64_t ph = (uint64_t)k->e_phoff + 32ull * i;

        if (ph + 32 <= size) {
            put32(full + ph + 0, s->type);
            put32(full + ph + 4, s->offset);
            put32(full + ph + 8, s->vaddr);
            put32(full + ph + 12, s->paddr);
            put32(full + ph + 16, s->filesz);
            put32(full + ph + 20, s->memsz);
            put32(full + ph + 24, 7);
            put32(full + ph + 28, 0x1000);
        }
        for (uint64_t j = 0; j < s->filesz && s->offset + j < size; j++)
            full[s->offset + j] = (uint8_t)(s->fill + j);
    }
    if (k->mb_present && (uint64_t)k->mb_offset + 12 <= size + 0x10000) {
        put32(full + k->mb_offset, k->mb_magic);
        put32(full + k->mb_offset + 4, k->mb_flags);
        put32(full + k->mb_offset + 8, (uint32_t)(0u - k->mb_magic - k->mb_flags + k->mb_checksum_delta));
    }
    memcpy(d, full, size);
    free(full);
    im.data = d;
    im.size = size;
    return im;
}

static uint8_t *new_mem(size_t size)
{
    uint8_t *m = malloc(size);

    ck_assert_ptr_nonnull(m);
    memset(m, CANARY, size);
    return m;
}

static int all_canary(const uint8_t *m, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (m[i] != CANARY)
            return 0;
    return 1;
}

static char errbuf[512];

/* Loads spec k with no modules into fresh memory; asserts the code, that an
 * error has a message naming the kernel, and that an error wrote nothing. */
static void expect_load(const struct kspec *k, size_t mem_size, int want)
{
    struct img im = build(k);
    struct mb_image kimg = { im.data, im.size, "kernel.elf" };
    uint8_t *mem = new_mem(mem_size);
    struct mb_boot boot;
    int rc;

    errbuf[0] = '\0';
    rc = mb_load(mem, mem_size, &kimg, "k", NULL, 0, &boot, errbuf, sizeof errbuf);
    ck_assert_msg(rc == want, "got %d (%s) want %d (%s): %s", rc, mb_error_name(rc), want,
                  mb_error_name(want), errbuf);
    if (want != MB_OK) {
        ck_assert_msg(strncmp(errbuf, "kernel.elf: ", 12) == 0, "message: %s", errbuf);
        ck_assert(all_canary(mem, mem_size));
    }
    free(mem);
    free(im.data);
}

static void expect_check(const struct kspec *k, uint32_t lo, uint32_t hi, int want)
{
    struct img im = build(k);
    struct mb_image img = { im.data, im.size, "hello.exe" };
    int rc;

    errbuf[0] = '\0';
    rc = mb_check_elf32_exec(&img, lo, hi, errbuf, sizeof errbuf);
    ck_assert_msg(rc == want, "got %d (%s) want %d (%s): %s", rc, mb_error_name(rc), want,
                  mb_error_name(want), errbuf);
    if (want != MB_OK)
        ck_assert_msg(strncmp(errbuf, "hello.exe: ", 11) == 0, "message: %s", errbuf);
    free(im.data);
}

static uint8_t *pattern(size_t n, uint8_t seed)
{
    uint8_t *p = malloc(n ? n : 1);

    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
    return p;
}

/* ---------------------------------------------------------- good kernels */

START_TEST(test_good_kernel_two_modules)
{
    struct kspec k;
    struct img im;
    uint8_t *mem = new_mem(MEM_SIZE);
    uint8_t *m0 = pattern(0x2345, 1), *m1 = pattern(0x1000, 2);
    struct mb_module mods[2] = {
        { { m0, 0x2345, "ntdll.dll" }, "ntdll.dll" },
        { { m1, 0x1000, "hello.exe" }, "hello.exe arg1 \"arg 2\"" },
    };
    struct mb_boot boot;
    const uint8_t *mi, *me, *mm;
    uint32_t mods_addr, prev_end;

    default_kernel(&k);
    im = build(&k);
    struct mb_image kimg = { im.data, im.size, "kernel.elf" };
    ck_assert_int_eq(mb_load(mem, MEM_SIZE, &kimg, "kernel.elf syscall=int2e", mods, 2, &boot,
                             errbuf, sizeof errbuf), MB_OK);
    ck_assert_str_eq(errbuf, "");

    ck_assert_uint_eq(boot.entry, 0x100010);
    ck_assert_uint_eq(boot.kernel_start, 0x100000);
    ck_assert_uint_eq(boot.kernel_end, 0x105000);
    ck_assert_uint_ge(boot.info_addr, 0x1000);
    ck_assert_uint_le(boot.info_addr + MI_END, 0x9F000);
    ck_assert_uint_eq(boot.info_addr % 4, 0);

    /* Kernel bytes copied exactly, bss zeroed, nothing around them touched. */
    ck_assert_int_eq(memcmp(mem + 0x100000, im.data + 0x1000, 0x1800), 0);
    ck_assert_int_eq(memcmp(mem + 0x103000, im.data + 0x3000, 0x100), 0);
    for (uint32_t a = 0x103100; a < 0x105000; a++)
        ck_assert_uint_eq(mem[a], 0);
    ck_assert(all_canary(mem + 0x101800, 0x103000 - 0x101800));   /* gap between segments */
    ck_assert(all_canary(mem, 0x1000));                           /* page 0 */
    ck_assert(all_canary(mem + 0x9F000, 0x100000 - 0x9F000));     /* above the info area */

    /* multiboot_info */
    mi = mem + boot.info_addr;
    ck_assert_uint_eq(get32(mi + MI_FLAGS), (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
    ck_assert_uint_eq(get32(mi + MI_MEM_LOWER), 639);
    ck_assert_uint_eq(get32(mi + MI_MEM_UPPER), (MEM_SIZE - MiB) / 1024);
    ck_assert_uint_eq(get32(mi + MI_BOOT_DEVICE), 0);
    ck_assert_str_eq((const char *)mem + get32(mi + MI_CMDLINE), "kernel.elf syscall=int2e");
    ck_assert_uint_eq(get32(mi + MI_MODS_COUNT), 2);
    for (unsigned off = MI_SYMS; off < MI_MMAP_LENGTH; off += 4)
        ck_assert_uint_eq(get32(mi + off), 0);
    for (unsigned off = MI_DRIVES_LENGTH; off < MI_END; off += 4)
        if (off != MI_BOOT_LOADER_NAME)
            ck_assert_uint_eq(get32(mi + off), 0);
    ck_assert_str_eq((const char *)mem + get32(mi + MI_BOOT_LOADER_NAME), "ntvisor");

    /* Modules: page-aligned, in order, after the kernel, copied exactly. */
    mods_addr = get32(mi + MI_MODS_ADDR);
    ck_assert_uint_ge(mods_addr, 0x1000);
    ck_assert_uint_le(mods_addr + 32, 0x9F000);
    prev_end = boot.kernel_end;
    for (unsigned i = 0; i < 2; i++) {
        me = mem + mods_addr + 16 * i;
        uint32_t start = get32(me), end = get32(me + 4);

        ck_assert_uint_eq(start % 4096, 0);
        ck_assert_uint_ge(start, prev_end);
        ck_assert_uint_eq(end - start, mods[i].image.size);
        ck_assert_uint_le(end, MEM_SIZE);
        ck_assert_int_eq(memcmp(mem + start, mods[i].image.data, mods[i].image.size), 0);
        ck_assert_str_eq((const char *)mem + get32(me + 8), mods[i].cmdline);
        ck_assert_uint_eq(get32(me + 12), 0);
        prev_end = end;
    }
    ck_assert_uint_eq(get32(mem + mods_addr), 0x105000);            /* first page after the kernel */
    ck_assert_uint_eq(get32(mem + mods_addr + 16), 0x108000);       /* 0x105000 + 0x2345 -> 0x108000 */
    ck_assert(all_canary(mem + 0x105000 + 0x2345, 0x108000 - 0x107345));   /* alignment gap */
    ck_assert(all_canary(mem + 0x109000, MEM_SIZE - 0x109000));     /* rest of memory */

    /* Memory map: three entries, size field 20, as the spec lays them out. */
    ck_assert_uint_eq(get32(mi + MI_MMAP_LENGTH), 72);
    mm = mem + get32(mi + MI_MMAP_ADDR);
    ck_assert_uint_ge(get32(mi + MI_MMAP_ADDR), 0x1000);
    ck_assert_uint_eq(get32(mm + 0), 20);
    ck_assert_uint_eq(get64(mm + 4), 0);
    ck_assert_uint_eq(get64(mm + 12), 0x9FC00);
    ck_assert_uint_eq(get32(mm + 20), 1);
    ck_assert_uint_eq(get32(mm + 24), 20);
    ck_assert_uint_eq(get64(mm + 28), 0x9FC00);
    ck_assert_uint_eq(get64(mm + 36), 0x100000 - 0x9FC00);
    ck_assert_uint_eq(get32(mm + 44), 2);
    ck_assert_uint_eq(get32(mm + 48), 20);
    ck_assert_uint_eq(get64(mm + 52), 0x100000);
    ck_assert_uint_eq(get64(mm + 60), MEM_SIZE - 0x100000);
    ck_assert_uint_eq(get32(mm + 68), 1);

    /* The info structures do not overlap each other. */
    {
        struct { uint32_t a, n; } r[6] = {
            { boot.info_addr, MI_END }, { get32(mi + MI_MMAP_ADDR), 72 }, { mods_addr, 32 },
            { get32(mi + MI_CMDLINE), sizeof "kernel.elf syscall=int2e" },
            { get32(mi + MI_BOOT_LOADER_NAME), 8 },
            { get32(mem + mods_addr + 8), sizeof "ntdll.dll" },
        };
        for (unsigned i = 0; i < 6; i++)
            for (unsigned j = i + 1; j < 6; j++)
                ck_assert_msg(r[i].a + r[i].n <= r[j].a || r[j].a + r[j].n <= r[i].a,
                              "info pieces %u and %u overlap", i, j);
    }
    free(mem);
    free(im.data);
    free(m0);
    free(m1);
}
END_TEST

START_TEST(test_good_no_modules_null_cmdline)
{
    struct kspec k;
    struct img im;
    uint8_t *mem = new_mem(2 * MiB);
    struct mb_boot boot;

    default_kernel(&k);
    im = build(&k);
    struct mb_image kimg = { im.data, im.size, NULL };
    ck_assert_int_eq(mb_load(mem, 2 * MiB, &kimg, NULL, NULL, 0, &boot, errbuf, sizeof errbuf), MB_OK);
    const uint8_t *mi = mem + boot.info_addr;
    ck_assert_uint_eq(get32(mi + MI_MODS_COUNT), 0);
    ck_assert_str_eq((const char *)mem + get32(mi + MI_CMDLINE), "");
    ck_assert_uint_eq(get32(mi + MI_MEM_UPPER), 1024);
    ck_assert_uint_eq(get64(mem + get32(mi + MI_MMAP_ADDR) + 60), MiB);
    free(mem);
    free(im.data);
}
END_TEST

START_TEST(test_empty_and_unnamed_modules)
{
    struct kspec k;
    struct img im;
    uint8_t *mem = new_mem(MEM_SIZE);
    uint8_t one = 0x5A;
    struct mb_module mods[3] = {
        { { NULL, 0, "empty" }, "empty" },
        { { &one, 1, NULL }, NULL },
        { { NULL, 0, NULL }, "last" },
    };
    struct mb_boot boot;

    default_kernel(&k);
    im = build(&k);
    struct mb_image kimg = { im.data, im.size, "kernel.elf" };
    ck_assert_int_eq(mb_load(mem, MEM_SIZE, &kimg, "", mods, 3, &boot, errbuf, sizeof errbuf), MB_OK);
    const uint8_t *me = mem + get32(mem + boot.info_addr + MI_MODS_ADDR);
    ck_assert_uint_eq(get32(me + 0), 0x105000);
    ck_assert_uint_eq(get32(me + 4), 0x105000);           /* empty: mod_start == mod_end */
    ck_assert_str_eq((const char *)mem + get32(me + 8), "empty");
    ck_assert_uint_eq(get32(me + 16), 0x105000);
    ck_assert_uint_eq(get32(me + 20), 0x105001);
    ck_assert_uint_eq(mem[0x105000], 0x5A);
    ck_assert_str_eq((const char *)mem + get32(me + 24), "");
    ck_assert_uint_eq(get32(me + 32), 0x106000);
    ck_assert_uint_eq(get32(me + 36), 0x106000);
    ck_assert_str_eq((const char *)mem + get32(me + 40), "last");
    free(mem);
    free(im.data);
}
END_TEST

/* Linked higher-half (NT's KSEG0): e_entry virtual, translated to physical. */
START_TEST(test_higher_half_entry)
{
    struct kspec k;
    struct img im;
    uint8_t *mem = new_mem(MEM_SIZE);
    struct mb_boot boot;

    default_kernel(&k);
    k.seg[0].vaddr = 0x80100000;
    k.seg[1].vaddr = 0x80103000;
    k.e_entry = 0x80100020;
    im = build(&k);
    struct mb_image kimg = { im.data, im.size, "kernel.elf" };
    ck_assert_int_eq(mb_load(mem, MEM_SIZE, &kimg, "", NULL, 0, &boot, errbuf, sizeof errbuf), MB_OK);
    ck_assert_uint_eq(boot.entry, 0x100020);
    ck_assert_int_eq(memcmp(mem + 0x100000, im.data + 0x1000, 0x1800), 0);
    free(mem);
    free(im.data);

    /* A physical entry point is also accepted when vaddr != paddr. */
    k.e_entry = 0x103004;
    mem = new_mem(MEM_SIZE);
    im = build(&k);
    kimg.data = im.data;
    ck_assert_int_eq(mb_load(mem, MEM_SIZE, &kimg, "", NULL, 0, &boot, errbuf, sizeof errbuf), MB_OK);
    ck_assert_uint_eq(boot.entry, 0x103004);
    free(mem);
    free(im.data);
}
END_TEST

START_TEST(test_header_variants_accepted)
{
    struct kspec k;

    default_kernel(&k);                 /* last 4-aligned offset that fits in 8 KiB */
    k.mb_offset = 8192 - 12;
    expect_load(&k, MEM_SIZE, MB_OK);
    default_kernel(&k);                 /* no required flags; optional bits ignored */
    k.mb_flags = 0x00020000 | 0x80000000;
    expect_load(&k, MEM_SIZE, MB_OK);
    default_kernel(&k);                 /* a stray magic with a bad checksum before the real one */
    k.mb_offset = 0x90;
    {
        struct img im = build(&k);
        uint8_t *mem = new_mem(MEM_SIZE);
        struct mb_image kimg = { im.data, im.size, "kernel.elf" };
        struct mb_boot boot;

        put32(im.data + 0x80, 0x1BADB002);   /* flags 0, checksum 0: bad */
        ck_assert_int_eq(mb_load(mem, MEM_SIZE, &kimg, "", NULL, 0, &boot, errbuf, sizeof errbuf), MB_OK);
        free(mem);
        free(im.data);
    }
    default_kernel(&k);                 /* a non-PT_LOAD header and an empty PT_LOAD are skipped */
    k.e_phnum = k.nsegs = 4;
    k.seg[2] = (struct kseg){ 4 /* PT_NOTE */, 0x200, 0, 0, 12, 12, 0 };
    k.seg[3] = (struct kseg){ 1, 0, 0, 0, 0, 0, 0 };
    k.mb_offset = 0x100;
    expect_load(&k, MEM_SIZE, MB_OK);
}
END_TEST

START_TEST(test_error_names)
{
    ck_assert_str_eq(mb_error_name(MB_OK), "ok");
    ck_assert_str_eq(mb_error_name(MB_ERR_TRUNCATED), "truncated");
    for (int e = MB_OK; e <= MB_ERR_INVALID_ARG; e++) {
        ck_assert_ptr_nonnull(mb_error_name(e));
        ck_assert_str_ne(mb_error_name(e), "unknown error");
    }
    ck_assert_str_eq(mb_error_name(-1), "unknown error");
    ck_assert_str_eq(mb_error_name(MB_ERR_INVALID_ARG + 1), "unknown error");
}
END_TEST

/* A short or absent error buffer is fine. */
START_TEST(test_small_error_buffer)
{
    struct kspec k;
    struct img im;
    uint8_t *mem = new_mem(MEM_SIZE);
    struct mb_boot boot;
    char small[8];

    default_kernel(&k);
    k.e_machine = 62;
    im = build(&k);
    struct mb_image kimg = { im.data, im.size, "kernel.elf" };
    ck_assert_int_eq(mb_load(mem, MEM_SIZE, &kimg, "", NULL, 0, &boot, NULL, 0), MB_ERR_WRONG_MACHINE);
    memset(small, 'x', sizeof small);
    ck_assert_int_eq(mb_load(mem, MEM_SIZE, &kimg, "", NULL, 0, &boot, small, sizeof small),
                     MB_ERR_WRONG_MACHINE);
    ck_assert_str_eq(small, "kernel.");
    ck_assert(all_canary(mem, MEM_SIZE));
    free(mem);
    free(im.data);
}
END_TEST

/* -------------------------------------------------------------- bad ELF */

START_TEST(test_truncated_empty)
{
    struct mb_image kimg = { NULL, 0, "kernel.elf" };
    uint8_t *mem = new_mem(2 * MiB);
    struct mb_boot boot;

    ck_assert_int_eq(mb_load(mem, 2 * MiB, &kimg, "", NULL, 0, &boot, errbuf, sizeof errbuf), MB_ERR_TRUNCATED);
    ck_assert_str_eq(errbuf, "kernel.elf: truncated: ELF header ends at 0x34 but file is 0x0 bytes");
    free(mem);
}
END_TEST

START_TEST(test_truncated_mid_elf_header)
{
    struct kspec k;

    default_kernel(&k);
    k.size = 30;
    expect_load(&k, MEM_SIZE, MB_ERR_TRUNCATED);
    k.size = 3;                          /* a prefix of the magic */
    expect_load(&k, MEM_SIZE, MB_ERR_TRUNCATED);
    k.size = 10;                         /* magic, but not e_ident */
    expect_load(&k, MEM_SIZE, MB_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_truncated_mid_program_headers)
{
    struct kspec k;

    default_kernel(&k);
    k.size = 52 + 32 + 10;
    expect_load(&k, MEM_SIZE, MB_ERR_TRUNCATED);
    ck_assert_str_eq(errbuf, "kernel.elf: truncated: program headers end at 0x74 but file is 0x5e bytes");
}
END_TEST

START_TEST(test_truncated_segment_data)
{
    struct kspec k;

    default_kernel(&k);
    k.size = 0x3080;                     /* segment 1's data runs to 0x3100 */
    expect_load(&k, MEM_SIZE, MB_ERR_TRUNCATED);
    ck_assert_msg(strstr(errbuf, "program header 1") && strstr(errbuf, "0x3100"), "%s", errbuf);
    default_kernel(&k);
    k.seg[1].offset = 0xFFFFFF00;        /* + p_filesz 0x100 == 2^32: wraps to 0 in 32 bits */
    expect_load(&k, MEM_SIZE, MB_ERR_TRUNCATED);
    k.seg[1].offset = 0xFFFFFFF0;        /* wraps to 0xF0, inside the file */
    expect_load(&k, MEM_SIZE, MB_ERR_TRUNCATED);
}
END_TEST

/* Every proper prefix of a good kernel is "truncated", and reads stay in it. */
START_TEST(test_truncated_every_length)
{
    struct kspec k;
    struct img im;
    uint8_t *mem = new_mem(2 * MiB);
    struct mb_boot boot;

    default_kernel(&k);
    im = build(&k);
    for (size_t n = 0; n < im.size; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        struct mb_image kimg = { copy, n, "kernel.elf" };
        int rc;

        memcpy(copy, im.data, n);
        rc = mb_load(mem, 2 * MiB, &kimg, "", NULL, 0, &boot, errbuf, sizeof errbuf);
        ck_assert_msg(rc == MB_ERR_TRUNCATED, "length %zu: %d %s", n, rc, errbuf);
        free(copy);
    }
    ck_assert(all_canary(mem, 2 * MiB));
    free(mem);
    free(im.data);
}
END_TEST

START_TEST(test_bad_magic)
{
    struct kspec k;
    struct img im;
    uint8_t *mem = new_mem(MEM_SIZE);
    struct mb_boot boot;

    default_kernel(&k);
    im = build(&k);
    im.data[1] = 'X';
    struct mb_image kimg = { im.data, im.size, "kernel.elf" };
    ck_assert_int_eq(mb_load(mem, MEM_SIZE, &kimg, "", NULL, 0, &boot, errbuf, sizeof errbuf), MB_ERR_NOT_ELF);
    kimg.size = 2;                       /* too short, and not a prefix of the magic */
    ck_assert_int_eq(mb_load(mem, MEM_SIZE, &kimg, "", NULL, 0, &boot, errbuf, sizeof errbuf), MB_ERR_NOT_ELF);
    ck_assert(all_canary(mem, MEM_SIZE));
    free(mem);
    free(im.data);
}
END_TEST

START_TEST(test_bad_ident_version)
{
    struct kspec k;

    default_kernel(&k);
    k.ei_version = 0;
    expect_load(&k, MEM_SIZE, MB_ERR_NOT_ELF);
    default_kernel(&k);
    k.e_version = 2;
    expect_load(&k, MEM_SIZE, MB_ERR_NOT_ELF);
}
END_TEST

/* An ELFCLASS64 header must be an x86-64 one: i386's machine in it is refused. */
START_TEST(test_elf64)
{
    struct kspec k;

    default_kernel(&k);
    k.ei_class = 2;
    expect_load(&k, MEM_SIZE, MB_ERR_WRONG_MACHINE);
    ck_assert_msg(strstr(errbuf, "ELFCLASS64"), "%s", errbuf);
}
END_TEST

/* ---------------------------------------------------- ELF64 (long-mode kernels) */

/* An x86-64 ET_EXEC: a boot segment at its physical address, the rest linked in NT x64's
   kernel range (p_vaddr 0xFFFFF800'00101000) and loaded at p_paddr 0x101000. */
struct kspec64 {
    uint16_t e_machine;
    uint64_t e_entry;
    uint64_t vaddr[2], paddr[2], offset[2], filesz[2], memsz[2];
    size_t size;                      /* 0 = just big enough */
};

static void default_kernel64(struct kspec64 *k)
{
    memset(k, 0, sizeof *k);
    k->e_machine = 62;
    k->e_entry = 0x100010;            /* the 32-bit entry, at its physical address */
    k->vaddr[0] = k->paddr[0] = 0x100000;
    k->offset[0] = 0x1000;
    k->filesz[0] = k->memsz[0] = 0x1000;
    k->vaddr[1] = 0xFFFFF80000101000ull;
    k->paddr[1] = 0x101000;
    k->offset[1] = 0x2000;
    k->filesz[1] = 0x800;
    k->memsz[1] = 0x3000;
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static struct img build64(const struct kspec64 *k)
{
    size_t size = k->size ? k->size : 0x2800;
    uint8_t *d = calloc(1, 0x3000);
    ck_assert_ptr_nonnull(d);
    memcpy(d, "\x7f" "ELF", 4);
    d[4] = 2;                         /* ELFCLASS64 */
    d[5] = 1;
    d[6] = 1;
    put16(d + 16, 2);
    put16(d + 18, k->e_machine);
    put32(d + 20, 1);
    put64(d + 24, k->e_entry);
    put64(d + 32, 64);                /* e_phoff */
    put16(d + 52, 64);                /* e_ehsize */
    put16(d + 54, 56);
    put16(d + 56, 2);
    for (unsigned i = 0; i < 2; i++) {
        uint8_t *ph = d + 64 + 56 * i;
        put32(ph, 1);                 /* PT_LOAD */
        put32(ph + 4, 7);
        put64(ph + 8, k->offset[i]);
        put64(ph + 16, k->vaddr[i]);
        put64(ph + 24, k->paddr[i]);
        put64(ph + 32, k->filesz[i]);
        put64(ph + 40, k->memsz[i]);
        for (uint64_t j = 0; j < k->filesz[i] && k->offset[i] + j < 0x3000; j++)
            d[k->offset[i] + j] = (uint8_t)(0x40 + i + j);
    }
    put32(d + 0x200, 0x1BADB002);
    put32(d + 0x204, 0x3);
    put32(d + 0x208, 0u - 0x1BADB002u - 0x3u);
    struct img im = { d, size };
    return im;
}

static int load64(const struct kspec64 *k, uint8_t *mem, struct mb_boot *boot)
{
    struct img im = build64(k);
    struct mb_image kimg = { im.data, im.size, "ntoskrnl64.exe" };
    errbuf[0] = '\0';
    int rc = mb_load(mem, MEM_SIZE, &kimg, "k", NULL, 0, boot, errbuf, sizeof errbuf);
    free(im.data);
    return rc;
}

START_TEST(elf64_kernel_loads_at_its_physical_addresses)
{
    struct kspec64 k;
    struct mb_boot boot;
    uint8_t *mem = new_mem(MEM_SIZE);
    default_kernel64(&k);
    ck_assert_msg(load64(&k, mem, &boot) == MB_OK, "%s", errbuf);
    ck_assert_uint_eq(boot.entry, 0x100010);
    ck_assert_uint_eq(boot.kernel_start, 0x100000);
    ck_assert_uint_eq(boot.kernel_end, 0x104000);
    ck_assert_uint_eq(mem[0x100000], 0x40);
    ck_assert_uint_eq(mem[0x101000], 0x41);
    ck_assert_uint_eq(mem[0x1017FF], (uint8_t)(0x41 + 0x7FF));
    for (uint32_t a = 0x101800; a < 0x104000; a++)
        ck_assert_uint_eq(mem[a], 0);                 /* bss zeroed */
    free(mem);
}
END_TEST

/* An entry given as the long-mode virtual address is translated, as for ELF32. */
START_TEST(elf64_virtual_entry_is_translated)
{
    struct kspec64 k;
    struct mb_boot boot;
    uint8_t *mem = new_mem(MEM_SIZE);
    default_kernel64(&k);
    k.e_entry = 0xFFFFF80000101234ull;
    ck_assert_msg(load64(&k, mem, &boot) == MB_OK, "%s", errbuf);
    ck_assert_uint_eq(boot.entry, 0x101234);
    k.e_entry = 0xFFFFF80000200000ull;                /* in no segment */
    ck_assert_int_eq(load64(&k, mem, &boot), MB_ERR_BAD_ENTRY);
    ck_assert_msg(strstr(errbuf, "0xfffff80000200000"), "%s", errbuf);
    free(mem);
}
END_TEST

START_TEST(elf64_refuses_what_multiboot_cannot_load)
{
    struct kspec64 k;
    struct mb_boot boot;
    uint8_t *mem = new_mem(MEM_SIZE);

    default_kernel64(&k);
    k.e_machine = 3;                                  /* EM_386 in an ELFCLASS64 image */
    ck_assert_int_eq(load64(&k, mem, &boot), MB_ERR_WRONG_MACHINE);
    ck_assert_msg(strstr(errbuf, "expected 62 (EM_X86_64)"), "%s", errbuf);

    default_kernel64(&k);
    k.paddr[1] = 0x100101000ull;                      /* above 4 GiB */
    ck_assert_int_eq(load64(&k, mem, &boot), MB_ERR_OUT_OF_RANGE);
    ck_assert_msg(strstr(errbuf, "32-bit physical space"), "%s", errbuf);

    default_kernel64(&k);
    k.memsz[1] = 0x100000000ull;
    ck_assert_int_eq(load64(&k, mem, &boot), MB_ERR_OUT_OF_RANGE);

    default_kernel64(&k);
    k.size = 100;                                     /* the program headers are cut off */
    ck_assert_int_eq(load64(&k, mem, &boot), MB_ERR_TRUNCATED);

    default_kernel64(&k);
    k.size = 60;                                      /* inside the 64-byte ELF64 header */
    ck_assert_int_eq(load64(&k, mem, &boot), MB_ERR_TRUNCATED);
    ck_assert(all_canary(mem, MEM_SIZE));
    free(mem);
}
END_TEST

START_TEST(test_big_endian)
{
    struct kspec k;

    default_kernel(&k);
    k.ei_data = 2;
    expect_load(&k, MEM_SIZE, MB_ERR_WRONG_CLASS);
}
END_TEST

START_TEST(test_wrong_machine)
{
    struct kspec k;

    default_kernel(&k);
    k.e_machine = 62;                    /* EM_X86_64 */
    expect_load(&k, MEM_SIZE, MB_ERR_WRONG_MACHINE);
    ck_assert_msg(strstr(errbuf, "EM_X86_64"), "%s", errbuf);
}
END_TEST

START_TEST(test_et_dyn)
{
    struct kspec k;

    default_kernel(&k);
    k.e_type = 3;                        /* ET_DYN */
    expect_load(&k, MEM_SIZE, MB_ERR_NOT_EXECUTABLE);
    k.e_type = 1;                        /* ET_REL */
    expect_load(&k, MEM_SIZE, MB_ERR_NOT_EXECUTABLE);
}
END_TEST

START_TEST(test_bad_phentsize)
{
    struct kspec k;

    default_kernel(&k);
    k.e_phentsize = 56;
    expect_load(&k, MEM_SIZE, MB_ERR_BAD_SEGMENT);
}
END_TEST

START_TEST(test_no_load_segment)
{
    struct kspec k;

    default_kernel(&k);
    k.e_phnum = 0;
    expect_load(&k, MEM_SIZE, MB_ERR_BAD_SEGMENT);
    default_kernel(&k);
    k.seg[0].type = 4;                   /* PT_NOTE */
    k.seg[1].type = 6;                   /* PT_PHDR */
    expect_load(&k, MEM_SIZE, MB_ERR_BAD_SEGMENT);
}
END_TEST

START_TEST(test_phnum_huge)
{
    struct kspec k;

    default_kernel(&k);
    k.e_phnum = 0xFFFF;
    expect_load(&k, MEM_SIZE, MB_ERR_TOO_LARGE);
    k.e_phnum = 65;
    expect_load(&k, MEM_SIZE, MB_ERR_TOO_LARGE);
}
END_TEST

START_TEST(test_phoff_huge)
{
    struct kspec k;

    default_kernel(&k);
    k.e_phoff = 0xFFFFFFF0;              /* + 2 * 32 wraps in 32 bits */
    expect_load(&k, MEM_SIZE, MB_ERR_TRUNCATED);
    k.e_phoff = 0xFFFFFFE0;              /* + 32 == 2^32 exactly */
    k.e_phnum = 1;
    expect_load(&k, MEM_SIZE, MB_ERR_TRUNCATED);
}
END_TEST

/* ------------------------------------------------------ bad Multiboot header */

START_TEST(test_no_multiboot_header)
{
    struct kspec k;

    default_kernel(&k);
    k.mb_present = 0;
    expect_load(&k, MEM_SIZE, MB_ERR_NO_HEADER);
}
END_TEST

START_TEST(test_header_beyond_8k)
{
    struct kspec k;

    default_kernel(&k);
    k.mb_offset = 8192;
    expect_load(&k, MEM_SIZE, MB_ERR_NO_HEADER);
    k.mb_offset = 8192 - 8;              /* magic inside, checksum outside */
    expect_load(&k, MEM_SIZE, MB_ERR_NO_HEADER);
    k.mb_offset = 0x82;                  /* not 4-byte aligned */
    expect_load(&k, MEM_SIZE, MB_ERR_NO_HEADER);
}
END_TEST

START_TEST(test_bad_checksum)
{
    struct kspec k;

    default_kernel(&k);
    k.mb_checksum_delta = 1;
    expect_load(&k, MEM_SIZE, MB_ERR_BAD_HEADER);
    ck_assert_msg(strstr(errbuf, "checksum"), "%s", errbuf);
}
END_TEST

START_TEST(test_aout_kludge)
{
    struct kspec k;

    default_kernel(&k);
    k.mb_flags = 0x00010003;
    expect_load(&k, MEM_SIZE, MB_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(errbuf, "a.out"), "%s", errbuf);
}
END_TEST

/* A non-ELF a.out-kludge kernel is told why, not just "not ELF". */
START_TEST(test_aout_kludge_not_elf)
{
    uint8_t *d = calloc(1, 4096);
    struct mb_image kimg = { d, 4096, "kernel.bin" };
    uint8_t *mem = new_mem(2 * MiB);
    struct mb_boot boot;

    put32(d + 64, 0x1BADB002);
    put32(d + 68, 0x00010000);
    put32(d + 72, 0u - 0x1BADB002u - 0x00010000u);
    ck_assert_int_eq(mb_load(mem, 2 * MiB, &kimg, "", NULL, 0, &boot, errbuf, sizeof errbuf),
                     MB_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(errbuf, "a.out"), "%s", errbuf);
    free(d);
    free(mem);
}
END_TEST

START_TEST(test_unsupported_required_flag)
{
    struct kspec k;

    default_kernel(&k);
    k.mb_flags = 0x7;                    /* bit 2: video mode */
    expect_load(&k, MEM_SIZE, MB_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(errbuf, "bit 2"), "%s", errbuf);
    for (unsigned bit = 3; bit < 16; bit++) {
        k.mb_flags = 1u << bit;
        expect_load(&k, MEM_SIZE, MB_ERR_UNSUPPORTED);
    }
}
END_TEST

/* ------------------------------------------------------------ bad segments */

START_TEST(test_overlapping_segments)
{
    struct kspec k;

    default_kernel(&k);
    k.seg[1].paddr = 0x101000;           /* inside segment 0's [0x100000, 0x101800) */
    expect_load(&k, MEM_SIZE, MB_ERR_OVERLAP);
    ck_assert_str_eq(errbuf, "kernel.elf: program header 1: segment [0x101000, +0x2000) overlaps "
                     "segment 0 [0x100000, +0x1800)");
    k.seg[0].paddr = 0x200000;           /* segment 1 [0x1FF000, 0x201000) covers segment 0's start */
    k.seg[1].paddr = 0x1FF000;
    expect_load(&k, MEM_SIZE, MB_ERR_OVERLAP);
    default_kernel(&k);
    k.seg[1].paddr = 0x0FF000;           /* below 1 MiB is checked before overlap */
    expect_load(&k, MEM_SIZE, MB_ERR_OUT_OF_RANGE);
    k.seg[1].paddr = 0x101800;           /* adjacent: fine */
    expect_load(&k, MEM_SIZE, MB_OK);
}
END_TEST

START_TEST(test_segment_below_1mib)
{
    struct kspec k;

    default_kernel(&k);
    k.seg[0].paddr = 0xFF000;
    expect_load(&k, MEM_SIZE, MB_ERR_OUT_OF_RANGE);
    k.seg[0].paddr = 0;
    expect_load(&k, MEM_SIZE, MB_ERR_OUT_OF_RANGE);
}
END_TEST

START_TEST(test_segment_beyond_memory)
{
    struct kspec k;

    default_kernel(&k);
    k.seg[1].paddr = MEM_SIZE - 0x1000;  /* memsz 0x2000 */
    expect_load(&k, MEM_SIZE, MB_ERR_OUT_OF_RANGE);
    k.seg[1].paddr = MEM_SIZE - 0x2000;  /* ends exactly at the end: fine */
    expect_load(&k, MEM_SIZE, MB_OK);
    k.seg[1].paddr = 0x80000000;
    expect_load(&k, MEM_SIZE, MB_ERR_OUT_OF_RANGE);
}
END_TEST

START_TEST(test_segment_too_large)
{
    struct kspec k;

    default_kernel(&k);
    k.seg[1].memsz = MEM_SIZE + 1;
    expect_load(&k, MEM_SIZE, MB_ERR_TOO_LARGE);
    k.seg[1].memsz = 0xFFFFFFFF;
    expect_load(&k, MEM_SIZE, MB_ERR_TOO_LARGE);
}
END_TEST

START_TEST(test_filesz_gt_memsz)
{
    struct kspec k;

    default_kernel(&k);
    k.seg[1].memsz = 0xFF;               /* filesz 0x100 */
    expect_load(&k, MEM_SIZE, MB_ERR_BAD_SEGMENT);
}
END_TEST

START_TEST(test_segment_wraps)
{
    struct kspec k;

    default_kernel(&k);
    k.seg[1].paddr = 0xFFFFF000;         /* + 0x2000 wraps */
    expect_load(&k, MEM_SIZE, MB_ERR_BAD_SEGMENT);
    ck_assert_msg(strstr(errbuf, "wraps"), "%s", errbuf);
}
END_TEST

START_TEST(test_entry_outside_segments)
{
    struct kspec k;

    default_kernel(&k);
    k.e_entry = 0x102000;                /* the gap between the segments */
    expect_load(&k, MEM_SIZE, MB_ERR_BAD_ENTRY);
    k.e_entry = 0x105000;                /* one past the end */
    expect_load(&k, MEM_SIZE, MB_ERR_BAD_ENTRY);
    k.e_entry = 0;
    expect_load(&k, MEM_SIZE, MB_ERR_BAD_ENTRY);
    k.e_entry = 0x104FFF;                /* last bss byte: inside */
    expect_load(&k, MEM_SIZE, MB_OK);
}
END_TEST

/* -------------------------------------------------- modules and info area */

START_TEST(test_modules_dont_fit)
{
    struct kspec k;
    struct img im;
    uint8_t *mem = new_mem(2 * MiB);
    uint8_t *big = pattern(0x80000, 3);
    struct mb_module mods[3] = {
        { { big, 0x40000, "a" }, "a" },     /* [0x105000, 0x145000) */
        { { big, 0x40000, "b" }, "b" },     /* [0x145000, 0x185000) */
        { { big, 0x7C000, "c" }, "c" },     /* [0x185000, 0x201000): 4 KiB too many */
    };
    struct mb_boot boot;

    default_kernel(&k);
    im = build(&k);
    struct mb_image kimg = { im.data, im.size, "kernel.elf" };
    ck_assert_int_eq(mb_load(mem, 2 * MiB, &kimg, "", mods, 3, &boot, errbuf, sizeof errbuf), MB_ERR_NO_SPACE);
    ck_assert_msg(strncmp(errbuf, "module 2 (c): ", 14) == 0, "%s", errbuf);
    ck_assert(all_canary(mem, 2 * MiB));     /* nothing written, not even the kernel */
    mods[2].image.size = 0x7B000;            /* exactly up to the end: fits */
    ck_assert_int_eq(mb_load(mem, 2 * MiB, &kimg, "", mods, 3, &boot, errbuf, sizeof errbuf), MB_OK);
    ck_assert_uint_eq(get32(mem + get32(mem + boot.info_addr + MI_MODS_ADDR) + 36), 2 * MiB);
    mods[0].image.size = SIZE_MAX;           /* absurd: no overflow, no read */
    ck_assert_int_eq(mb_load(mem, 2 * MiB, &kimg, "", mods, 3, &boot, errbuf, sizeof errbuf), MB_ERR_NO_SPACE);
    free(mem);
    free(big);
    free(im.data);
}
END_TEST

START_TEST(test_too_many_modules)
{
    struct kspec k;
    struct img im;
    uint8_t *mem = new_mem(2 * MiB);
    struct mb_module one = { { NULL, 0, "x" }, "x" };
    struct mb_boot boot;

    default_kernel(&k);
    im = build(&k);
    struct mb_image kimg = { im.data, im.size, "kernel.elf" };
    /* The array holds one entry: the count must be rejected before any is read. */
    ck_assert_int_eq(mb_load(mem, 2 * MiB, &kimg, "", &one, SIZE_MAX / 8, &boot, errbuf, sizeof errbuf),
                     MB_ERR_NO_SPACE);
    ck_assert_int_eq(mb_load(mem, 2 * MiB, &kimg, "", &one, 0x9E000 / 16 + 1, &boot, errbuf, sizeof errbuf),
                     MB_ERR_NO_SPACE);
    ck_assert(all_canary(mem, 2 * MiB));
    free(mem);
    free(im.data);
}
END_TEST

START_TEST(test_too_long_cmdlines)
{
    struct kspec k;
    struct img im;
    uint8_t *mem = new_mem(2 * MiB);
    size_t n = 0x9F000;
    char *s = malloc(n + 1);
    struct mb_module mods[4];
    struct mb_boot boot;

    memset(s, 'a', n);
    s[n] = '\0';
    default_kernel(&k);
    im = build(&k);
    struct mb_image kimg = { im.data, im.size, "kernel.elf" };
    ck_assert_int_eq(mb_load(mem, 2 * MiB, &kimg, s, NULL, 0, &boot, errbuf, sizeof errbuf), MB_ERR_NO_SPACE);
    ck_assert_msg(strstr(errbuf, "command line"), "%s", errbuf);
    /* Each fits alone; together they do not. */
    s[0x30000] = '\0';
    for (unsigned i = 0; i < 4; i++)
        mods[i] = (struct mb_module){ { NULL, 0, "m" }, s };
    ck_assert_int_eq(mb_load(mem, 2 * MiB, &kimg, "", mods, 1, &boot, errbuf, sizeof errbuf), MB_OK);
    memset(mem, CANARY, 2 * MiB);
    ck_assert_int_eq(mb_load(mem, 2 * MiB, &kimg, "", mods, 4, &boot, errbuf, sizeof errbuf), MB_ERR_NO_SPACE);
    ck_assert_msg(strncmp(errbuf, "module 3 (m): command line", 26) == 0, "%s", errbuf);
    ck_assert(all_canary(mem, 2 * MiB));
    free(s);
    free(mem);
    free(im.data);
}
END_TEST

START_TEST(test_mem_size_out_of_range)
{
    struct kspec k;

    default_kernel(&k);
    expect_load(&k, 2 * MiB - 1, MB_ERR_OUT_OF_RANGE);
    expect_load(&k, 2 * MiB, MB_OK);
#if SIZE_MAX > 0xFFFFFFFFu
    {   /* 4 GiB: rejected before memory is touched (only 4 KiB really exist) */
        struct img im = build(&k);
        struct mb_image kimg = { im.data, im.size, "kernel.elf" };
        uint8_t *mem = new_mem(4096);
        struct mb_boot boot;

        ck_assert_int_eq(mb_load(mem, (size_t)1 << 32, &kimg, "", NULL, 0, &boot, errbuf, sizeof errbuf),
                         MB_ERR_OUT_OF_RANGE);
        free(mem);
        free(im.data);
    }
#endif
}
END_TEST

START_TEST(test_invalid_args)
{
    struct kspec k;
    struct img im;
    uint8_t *mem = new_mem(2 * MiB);
    struct mb_boot boot;
    struct mb_module bad = { { NULL, 5, "m" }, "m" };

    default_kernel(&k);
    im = build(&k);
    struct mb_image kimg = { im.data, im.size, "kernel.elf" }, nodata = { NULL, 100, "k" };
    ck_assert_int_eq(mb_load(NULL, 2 * MiB, &kimg, "", NULL, 0, &boot, errbuf, sizeof errbuf), MB_ERR_INVALID_ARG);
    ck_assert_int_eq(mb_load(mem, 2 * MiB, NULL, "", NULL, 0, &boot, errbuf, sizeof errbuf), MB_ERR_INVALID_ARG);
    ck_assert_int_eq(mb_load(mem, 2 * MiB, &nodata, "", NULL, 0, &boot, errbuf, sizeof errbuf), MB_ERR_INVALID_ARG);
    ck_assert_int_eq(mb_load(mem, 2 * MiB, &kimg, "", NULL, 0, NULL, errbuf, sizeof errbuf), MB_ERR_INVALID_ARG);
    ck_assert_int_eq(mb_load(mem, 2 * MiB, &kimg, "", NULL, 1, &boot, errbuf, sizeof errbuf), MB_ERR_INVALID_ARG);
    ck_assert_int_eq(mb_load(mem, 2 * MiB, &kimg, "", &bad, 1, &boot, errbuf, sizeof errbuf), MB_ERR_INVALID_ARG);
    ck_assert(all_canary(mem, 2 * MiB));
    free(mem);
    free(im.data);
}
END_TEST

/* Random byte corruption of the headers: never crashes, never reads or
 * writes out of bounds (ASan), always a known code with a message. */
START_TEST(test_fuzz_headers)
{
    struct kspec k;
    struct img im;
    uint8_t *mem = new_mem(2 * MiB);
    uint8_t *copy;
    struct mb_boot boot;
    unsigned seed = 12345, ok = 0;

    default_kernel(&k);
    im = build(&k);
    copy = malloc(im.size);
    for (unsigned iter = 0; iter < 3000; iter++) {
        struct mb_image kimg = { copy, im.size, "kernel.elf" };
        int rc;

        memcpy(copy, im.data, im.size);
        for (unsigned f = 0; f < 1 + iter % 4; f++) {
            seed = seed * 1103515245u + 12345u;
            copy[(seed >> 8) % 0x90] = (uint8_t)(seed >> 20);
        }
        errbuf[0] = '\0';
        rc = mb_load(mem, 2 * MiB, &kimg, "", NULL, 0, &boot, errbuf, sizeof errbuf);
        ck_assert_int_ge(rc, MB_OK);
        ck_assert_int_le(rc, MB_ERR_INVALID_ARG);
        if (rc == MB_OK) {
            ok++;
            ck_assert_uint_ge(boot.kernel_start, 0x100000);
            ck_assert_uint_le(boot.kernel_end, 2 * MiB);
            ck_assert_uint_ge(boot.entry, boot.kernel_start);
            ck_assert_uint_lt(boot.entry, boot.kernel_end);
        } else {
            ck_assert_msg(strncmp(errbuf, "kernel.elf: ", 12) == 0, "%d: %s", rc, errbuf);
        }
        rc = mb_check_elf32_exec(&kimg, 0x10000, 0x7FFF0000, errbuf, sizeof errbuf);
        ck_assert_int_ge(rc, MB_OK);
        ck_assert_int_le(rc, MB_ERR_INVALID_ARG);
    }
    ck_assert_uint_gt(ok, 0);
    free(copy);
    free(mem);
    free(im.data);
}
END_TEST

/* ------------------------------------------------------- mb_check_elf32_exec */

static void default_program(struct kspec *k)
{
    default_kernel(k);
    k->mb_present = 0;                   /* not needed */
    k->e_entry = 0x401000;
    k->seg[0] = (struct kseg){ 1, 0x1000, 0x401000, 0, 0x1800, 0x1800, 0x10 };
    k->seg[1] = (struct kseg){ 1, 0x3000, 0x403000, 0, 0x100, 0x2000, 0x80 };
}

START_TEST(test_check_good)
{
    struct kspec k;

    default_program(&k);
    expect_check(&k, 0x10000, 0x7FFF0000, MB_OK);
    expect_check(&k, 0x401000, 0x405000, MB_OK);          /* exactly the segments */
}
END_TEST

START_TEST(test_check_truncated_message)
{
    struct kspec k;

    default_program(&k);
    k.size = 0x40;
    expect_check(&k, 0x10000, 0x7FFF0000, MB_ERR_TRUNCATED);
    ck_assert_str_eq(errbuf, "hello.exe: truncated: program headers end at 0x74 but file is 0x40 bytes");
}
END_TEST

START_TEST(test_check_out_of_range)
{
    struct kspec k;

    default_program(&k);
    expect_check(&k, 0x402000, 0x7FFF0000, MB_ERR_OUT_OF_RANGE);
    expect_check(&k, 0x10000, 0x404000, MB_ERR_OUT_OF_RANGE);
    k.seg[1].vaddr = 0x7FFEF000;                          /* ends past MM_USER_PROBE_ADDRESS */
    expect_check(&k, 0x10000, 0x7FFF0000, MB_ERR_OUT_OF_RANGE);
    ck_assert_msg(strstr(errbuf, "virtual"), "%s", errbuf);
}
END_TEST

START_TEST(test_check_bad)
{
    struct kspec k;

    default_program(&k);
    k.ei_class = 2;
    expect_check(&k, 0x10000, 0x7FFF0000, MB_ERR_WRONG_CLASS);
    default_program(&k);
    k.e_machine = 62;
    expect_check(&k, 0x10000, 0x7FFF0000, MB_ERR_WRONG_MACHINE);
    default_program(&k);
    k.e_type = 3;
    expect_check(&k, 0x10000, 0x7FFF0000, MB_ERR_NOT_EXECUTABLE);
    default_program(&k);
    k.seg[1].vaddr = 0x402000;
    expect_check(&k, 0x10000, 0x7FFF0000, MB_ERR_OVERLAP);
    default_program(&k);
    k.e_entry = 0x100010;                                 /* paddr-like: not in a virtual range */
    expect_check(&k, 0x10000, 0x7FFF0000, MB_ERR_BAD_ENTRY);
    default_program(&k);
    k.seg[0].filesz = 0x1801;
    expect_check(&k, 0x10000, 0x7FFF0000, MB_ERR_BAD_SEGMENT);
    default_program(&k);
    k.seg[1].memsz = 0x80000000;
    expect_check(&k, 0x10000, 0x7FFF0000, MB_ERR_TOO_LARGE);
    default_program(&k);
    k.seg[1].vaddr = 0xFFFFF000;
    expect_check(&k, 0x10000, 0xFFFFFFFF, MB_ERR_BAD_SEGMENT);
    default_program(&k);
    k.e_phnum = 100;
    expect_check(&k, 0x10000, 0x7FFF0000, MB_ERR_TOO_LARGE);
    default_program(&k);
    k.size = 0x2000;                                      /* segment 1's data missing */
    expect_check(&k, 0x10000, 0x7FFF0000, MB_ERR_TRUNCATED);
    default_program(&k);
    expect_check(&k, 0x7FFF0000, 0x10000, MB_ERR_INVALID_ARG);
    ck_assert_int_eq(mb_check_elf32_exec(NULL, 0, 1, errbuf, sizeof errbuf), MB_ERR_INVALID_ARG);
    {
        struct mb_image empty = { NULL, 0, "hello.exe" };
        ck_assert_int_eq(mb_check_elf32_exec(&empty, 0, 1, errbuf, sizeof errbuf), MB_ERR_TRUNCATED);
    }
}
END_TEST

/* ------------------------------------------------------------------- main */

static Suite *multiboot_suite(void)
{
    Suite *s = suite_create("multiboot");
    TCase *good = tcase_create("good"), *elf = tcase_create("bad_elf"), *hdr = tcase_create("bad_header");
    TCase *seg = tcase_create("bad_segment"), *mods = tcase_create("modules_info"),
          *chk = tcase_create("check_elf32_exec");

    tcase_add_test(good, test_good_kernel_two_modules);
    tcase_add_test(good, test_good_no_modules_null_cmdline);
    tcase_add_test(good, test_empty_and_unnamed_modules);
    tcase_add_test(good, test_higher_half_entry);
    tcase_add_test(good, test_header_variants_accepted);
    tcase_add_test(good, test_error_names);
    tcase_add_test(good, test_small_error_buffer);

    tcase_add_test(elf, test_truncated_empty);
    tcase_add_test(elf, test_truncated_mid_elf_header);
    tcase_add_test(elf, test_truncated_mid_program_headers);
    tcase_add_test(elf, test_truncated_segment_data);
    tcase_add_test(elf, test_truncated_every_length);
    tcase_add_test(elf, test_bad_magic);
    tcase_add_test(elf, test_bad_ident_version);
    tcase_add_test(elf, test_elf64);
    tcase_add_test(elf, elf64_kernel_loads_at_its_physical_addresses);
    tcase_add_test(elf, elf64_virtual_entry_is_translated);
    tcase_add_test(elf, elf64_refuses_what_multiboot_cannot_load);
    tcase_add_test(elf, test_big_endian);
    tcase_add_test(elf, test_wrong_machine);
    tcase_add_test(elf, test_et_dyn);
    tcase_add_test(elf, test_bad_phentsize);
    tcase_add_test(elf, test_no_load_segment);
    tcase_add_test(elf, test_phnum_huge);
    tcase_add_test(elf, test_phoff_huge);
    tcase_add_test(elf, test_fuzz_headers);

    tcase_add_test(hdr, test_no_multiboot_header);
    tcase_add_test(hdr, test_header_beyond_8k);
    tcase_add_test(hdr, test_bad_checksum);
    tcase_add_test(hdr, test_aout_kludge);
    tcase_add_test(hdr, test_aout_kludge_not_elf);
    tcase_add_test(hdr, test_unsupported_required_flag);

    tcase_add_test(seg, test_overlapping_segments);
    tcase_add_test(seg, test_segment_below_1mib);
    tcase_add_test(seg, test_segment_beyond_memory);
    tcase_add_test(seg, test_segment_too_large);
    tcase_add_test(seg, test_filesz_gt_memsz);
    tcase_add_test(seg, test_segment_wraps);
    tcase_add_test(seg, test_entry_outside_segments);

    tcase_add_test(mods, test_modules_dont_fit);
    tcase_add_test(mods, test_too_many_modules);
    tcase_add_test(mods, test_too_long_cmdlines);
    tcase_add_test(mods, test_mem_size_out_of_range);
    tcase_add_test(mods, test_invalid_args);

    tcase_add_test(chk, test_check_good);
    tcase_add_test(chk, test_check_truncated_message);
    tcase_add_test(chk, test_check_out_of_range);
    tcase_add_test(chk, test_check_bad);

    tcase_set_timeout(elf, 60);
    suite_add_tcase(s, good);
    suite_add_tcase(s, elf);
    suite_add_tcase(s, hdr);
    suite_add_tcase(s, seg);
    suite_add_tcase(s, mods);
    suite_add_tcase(s, chk);
    return s;
}

int main(void)
{
    return check_run(multiboot_suite());
}
