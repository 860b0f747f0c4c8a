/*
 * kd_modules.c: PsLoadedModuleList walked in a synthetic guest -- a malloc'd
 * guest memory of exactly MEM_SIZE bytes (ASan catches any read past it)
 * with a page directory mapping 0x80000000 as one 4 MiB page onto physical
 * 0, read through the one door (gmem_read_virt), as kd reads a paused vCPU.
 * Past MEM_SIZE (2 MiB) the 4 MiB page maps nothing; 0xC0000000 is unmapped.
 */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kd/kd.h"
#include "kd/kd_modules.h"
#include "ntdb/pe.h"
#include "vmm/guest_mem.h"

#ifndef PE_FIXTURES
#define PE_FIXTURES "build/tests/pe"
#endif

#define MEM_SIZE  0x200000u
#define PD        0x1000u
#define KVA(pa)   (0x80000000u + (pa))
#define HEAD      KVA(0x100000u)    /* PsLoadedModuleList */
#define ENTRY(i)  KVA(0x101000u + 0x100u * (i))
#define NAMES(i)  KVA(0x140000u + 0x100u * (i))

static uint8_t *mem;
static struct guest_mem gm;

static size_t door_read(void *ctx, uint32_t va, void *buf, size_t len)
{
    (void)ctx;
    return gmem_read_virt(&gm, 0x80000011u, PD, 0x10u, va, buf, len);   /* PG|PE|ET, CR4.PSE */
}

static const struct kd_target TARGET = { NULL, door_read, NULL, NULL };

static void put32(uint32_t va, uint32_t v)
{
    uint32_t pa = va - 0x80000000u;
    ck_assert_uint_le(pa + 4, MEM_SIZE);
    memcpy(mem + pa, &v, 4);
}

/* A UNICODE_STRING at us naming text, its buffer at buf. */
static void ustr(uint32_t us, uint32_t buf, const char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++) {
        mem[buf - 0x80000000u + 2 * i] = (uint8_t)text[i];
        mem[buf - 0x80000000u + 2 * i + 1] = 0;
    }
    put32(us, (uint32_t)(n * 2) | (uint32_t)(n * 2 + 2) << 16);
    put32(us + 4, buf);
}

/* Entry i of the list: its links, DllBase, SizeOfImage, BaseDllName. */
static void entry(int i, uint32_t flink, uint32_t base, uint32_t size, const char *name)
{
    put32(ENTRY(i), flink);
    put32(ENTRY(i) + 4, i ? ENTRY(i - 1) : HEAD);
    put32(ENTRY(i) + KLDR_DLL_BASE, base);
    put32(ENTRY(i) + KLDR_ENTRY_POINT, base + 0x1000);
    put32(ENTRY(i) + KLDR_SIZE_OF_IMAGE, size);
    ustr(ENTRY(i) + KLDR_FULL_DLL_NAME, NAMES(i) + 0x80, name);
    ustr(ENTRY(i) + KLDR_BASE_DLL_NAME, NAMES(i), name);
}

/* ntoskrnl, then two drivers, then back at the head. */
static void setup(void)
{
    mem = calloc(1, MEM_SIZE);
    gm = (struct guest_mem){ mem, MEM_SIZE };
    memcpy(mem + PD + (0x80000000u >> 22) * 4, &(uint32_t){ 0x83 }, 4);   /* P|W|PS -> physical 0 */
    put32(HEAD, ENTRY(0));
    put32(HEAD + 4, ENTRY(2));
    entry(0, ENTRY(1), 0x80100000, 0x80000, "ntoskrnl.exe");
    entry(1, ENTRY(2), 0xB0000000, 0x8000, "ntzw.sys");
    entry(2, HEAD, 0xB0100000, 0x9000, "host_drv.sys");
}

static void teardown(void)
{
    free(mem);
}

START_TEST(walks_in_load_order)
{
    struct kd_ldr_module m[8];
    ck_assert_int_eq(kd_walk_loaded_modules(&TARGET, HEAD, m, 8), 3);
    ck_assert_str_eq(m[0].base_name, "ntoskrnl.exe");
    ck_assert_str_eq(m[1].base_name, "ntzw.sys");
    ck_assert_uint_eq(m[1].dll_base, 0xB0000000);
    ck_assert_uint_eq(m[1].size_of_image, 0x8000);
    ck_assert_uint_eq(m[1].entry_point, 0xB0001000);
    ck_assert_uint_eq(m[2].entry_va, ENTRY(2));
    ck_assert_int_eq(kd_walk_loaded_modules(&TARGET, HEAD, m, 2), 2);   /* capped */
    put32(HEAD, HEAD);                                                   /* empty list */
    ck_assert_int_eq(kd_walk_loaded_modules(&TARGET, HEAD, m, 8), 0);
    ck_assert_int_eq(kd_walk_loaded_modules(&TARGET, 0xC0000000, m, 8), -1);   /* unmapped head */
    ck_assert_int_eq(kd_walk_loaded_modules(&TARGET, KVA(MEM_SIZE), m, 8), -1);  /* past memory */
}
END_TEST

START_TEST(hostile_lists)
{
    struct kd_ldr_module m[KD_MAX_LDR_MODULES + 4];
    put32(ENTRY(2), ENTRY(1));                /* a cycle that never comes back to the head */
    ck_assert_int_eq(kd_walk_loaded_modules(&TARGET, HEAD, m, 8), 3);
    put32(ENTRY(1), 0xC0000000);              /* into unmapped space */
    ck_assert_int_eq(kd_walk_loaded_modules(&TARGET, HEAD, m, 8), 2);
    put32(ENTRY(1), KVA(MEM_SIZE - 8));       /* an entry straddling the end of memory */
    ck_assert_int_eq(kd_walk_loaded_modules(&TARGET, HEAD, m, 8), 2);
    put32(ENTRY(1), 0xFFFFFFFC);              /* at the top of the address space */
    ck_assert_int_eq(kd_walk_loaded_modules(&TARGET, HEAD, m, 8), 2);
    /* a long list: cut at KD_MAX_LDR_MODULES */
    for (int i = 0; i < KD_MAX_LDR_MODULES + 3; i++)
        entry(i, ENTRY(i + 1), 0xB0000000 + 0x100000u * (unsigned)i, 0x1000, "x.sys");
    ck_assert_int_eq(kd_walk_loaded_modules(&TARGET, HEAD, m, KD_MAX_LDR_MODULES + 4), KD_MAX_LDR_MODULES);
    /* names: too long, odd, unreadable, not ASCII */
    teardown();
    setup();
    put32(ENTRY(0) + KLDR_BASE_DLL_NAME, 0xFFFF);             /* Length 0xFFFF */
    put32(ENTRY(1) + KLDR_BASE_DLL_NAME + 4, 0xC0000000);     /* Buffer unmapped */
    mem[NAMES(2) - 0x80000000u + 1] = 0x4E;                   /* U+4E68: not ASCII */
    ck_assert_int_eq(kd_walk_loaded_modules(&TARGET, HEAD, m, 8), 3);
    ck_assert_uint_eq(strlen(m[0].base_name), KD_LDR_NAME_MAX);
    ck_assert_str_eq(m[1].base_name, "");
    ck_assert_str_eq(m[2].base_name, "?ost_drv.sys");
}
END_TEST

/* The nt module with PsLoadedModuleList, and a program module named like a driver. */
static void kernel_symbols(struct symtab *t)
{
    symtab_init(t);
    struct sym_module *nt = symtab_add_module(t, "nt", 0x80100000, 0x80180000);
    sym_module_add(nt, "PsLoadedModuleList", HEAD, 0);
    sym_module_finish(nt);
    ck_assert_ptr_nonnull(symtab_add_module(t, "ntzw", 0x00400000, 0x00410000));
}

START_TEST(drivers_become_modules)
{
    struct symtab t;
    const char *drivers[] = { "examples/ntzw.sys", PE_FIXTURES "/host_drv.sys" };
    kernel_symbols(&t);
    ck_assert_int_eq(kd_add_driver_modules(&t, &TARGET, drivers, 2), 2);
    const struct sym_module *z = symtab_module(&t, "ntzw_b0000000");   /* "ntzw" is the program's */
    ck_assert_ptr_nonnull(z);
    ck_assert_uint_eq(z->base, 0xB0000000);
    ck_assert_uint_eq(z->end, 0xB0008000);
    ck_assert_str_eq(z->image, "ntzw.sys");   /* no such file: a module without symbols */
    const struct sym_module *d = symtab_module(&t, "host_drv");
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->base, 0xB0100000);
    uint32_t a;
    ck_assert(symtab_lookup(&t, "host_drv!DriverEntry", &a));
    ck_assert_uint_ge(a, 0xB0100000);
    ck_assert_uint_lt(a, d->end);
    char name[64];
    ck_assert(symtab_format(&t, a + 1, name, sizeof(name)));
    ck_assert_str_eq(name, "host_drv!DriverEntry+0x1");
    ck_assert_int_eq(kd_add_driver_modules(&t, &TARGET, drivers, 2), 0);   /* the next stop: nothing new */
    symtab_free(&t);

    /* a kernel without the list (today's): nothing changes */
    symtab_init(&t);
    symtab_add_module(&t, "nt", 0x80100000, 0x80180000);
    ck_assert_int_eq(kd_add_driver_modules(&t, &TARGET, drivers, 2), 0);
    ck_assert_uint_eq(t.n, 1);
    symtab_free(&t);
    /* the list's head unreadable */
    kernel_symbols(&t);
    put32(HEAD, 0xC0000000);
    ck_assert_int_eq(kd_add_driver_modules(&t, &TARGET, drivers, 2), 0);
    symtab_free(&t);
}
END_TEST

/* lm after the walk: the drivers with their bases, sizes and image names. */
START_TEST(lm_lists_drivers)
{
    struct symtab t;
    struct kd kd;
    char *out = NULL;
    size_t len = 0;
    const char *drivers[] = { PE_FIXTURES "/host_drv.sys" };
    kernel_symbols(&t);
    entry(1, ENTRY(2), 0xB0000000, 0x8000, "bad name!.sys");
    ck_assert_int_eq(kd_add_driver_modules(&t, &TARGET, drivers, 1), 2);
    FILE *f = open_memstream(&out, &len);
    ck_assert_int_eq(kd_init(&kd, &TARGET, &t, f), 0);
    kd_exec(&kd, "lm");
    kd_free(&kd);
    fclose(f);
    ck_assert_msg(strstr(out, "b0000000 b0008000   bad_name_      (no symbols)       bad?name!.sys\n"), "%s", out);
    ck_assert_msg(strstr(out, "b0100000 b01"), "%s", out);
    ck_assert_msg(strstr(out, "   host_drv       (symbols)          host_drv.sys\n"), "%s", out);
    free(out);
    symtab_free(&t);
}
END_TEST

/* ln, u and x on a PE module: the driver's sections laid into guest memory where its symbols say. */
START_TEST(ln_u_x_on_a_pe_module)
{
    FILE *img = fopen(PE_FIXTURES "/host_drv.sys", "rb");
    ck_assert_ptr_nonnull(img);
    static uint8_t file[65536];
    size_t size = fread(file, 1, sizeof(file), img);
    fclose(img);
    struct pe_image pe;
    char err[256];
    uint32_t base = KVA(0x180000);
    ck_assert_int_eq(pe_parse(&pe, file, size, "host_drv.sys", err, sizeof(err)), 0);
    for (unsigned i = 0; i < pe.n_sections; i++) {
        const struct pe_section *sec = &pe.sections[i];
        ck_assert_uint_le(0x180000u + sec->va + sec->raw_size, MEM_SIZE);
        memcpy(mem + 0x180000u + sec->va, file + sec->raw_off, sec->raw_size);
    }
    struct symtab t;
    symtab_init(&t);
    ck_assert_int_eq(symtab_load_pe(&t, "host_drv", "host_drv.sys", file, size, base, err, sizeof(err)), 0);
    struct kd kd;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    ck_assert_int_eq(kd_init(&kd, &TARGET, &t, f), 0);
    kd_exec(&kd, "u host_drv!DriverEntry L8");
    kd_exec(&kd, "ln host_drv!HostStd+1");
    kd_exec(&kd, "x host_drv!Host*");
    kd_free(&kd);
    fclose(f);
    ck_assert_msg(strstr(out, "host_drv!DriverEntry:\n"), "%s", out);
    ck_assert_msg(strstr(out, "call    host_drv!HostFast ("), "%s", out);   /* the call's target, by name */
    ck_assert_msg(strstr(out, "   host_drv!HostStd+0x1   |  ("), "%s", out);
    ck_assert_msg(strstr(out, "          host_drv!HostCdecl\n"), "%s", out);
    ck_assert_msg(strstr(out, "          host_drv!HostExportedData\n"), "%s", out);
    ck_assert_msg(!strstr(out, "HostStd@8"), "%s", out);
    free(out);
    symtab_free(&t);
}
END_TEST

static Suite *modules_suite(void)
{
    Suite *s = suite_create("kd_modules");
    TCase *tc = tcase_create("PsLoadedModuleList");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, walks_in_load_order);
    tcase_add_test(tc, drivers_become_modules);
    tcase_add_test(tc, lm_lists_drivers);
    tcase_add_test(tc, hostile_lists);
    tcase_add_test(tc, ln_u_x_on_a_pe_module);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(modules_suite());
}
