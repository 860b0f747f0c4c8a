/*
 * Check suite for the PE ntdlls (mk/ntdll.mk): each build/guest/ntdll*.dll
 * is a PE32 DLL at 0x77F50000 whose export directory, sorted by name as NT's
 * loader expects, names every Nt and Zw of every slot at one RVA, the slot's
 * 16-byte stub holding that build's service number and 4*argc, plus the
 * Rtl/Dbg/C routines; and a program linked with mingw-w64's own libntdll.a
 * (tests/pe/ntdll_imports.c) imports only names every PE ntdll exports.
 * The amd64 ones (mk/ntdll64.mk, NTDLL_PE64_DIR) are PE32+ DLLs at the same
 * base with every amd64 build's numbering in 32-byte slots: `mov r10, rcx;
 * mov eax, N; syscall; ret`, and from Windows 10 1511 (build 10586) on the
 * variant that takes INT 2Eh when SharedUserData's byte 0x308 says so.
 * Run from the top of the tree (NTDLL_PE_DIR and NTDLL_PE_FIXTURES are the
 * build's paths).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check_run.h"
#include "ntdb/service_slots.h"
#include "ntdb/service_table.h"

#ifndef NTDLL_PE_DIR
#define NTDLL_PE_DIR "build/guest"
#endif
#ifndef NTDLL_PE64_DIR
#define NTDLL_PE64_DIR "build/guest/amd64"
#endif
#ifndef NTDLL_PE_FIXTURES
#define NTDLL_PE_FIXTURES "build/tests/pe"
#endif

#define NTDLL_BASE      0x77F50000u
#define STUB_AREA_RVA   0x1000u       /* the page after the headers */
#define SLOT_SIZE       16u
#define SLOT_SIZE64     32u
#define TABLES_DIR      "data/nt-syscalls"
#define STATUS_PROCEDURE_NOT_FOUND 0xC000007Au

/* The routines beside the stubs (guest/ntdll/ntdll.def), by their exported names. */
static const char *const rtl_exports[] = {
    "DbgPrint", "RtlAllocateHeap", "RtlAnsiStringToUnicodeString", "RtlCompareMemory",
    "RtlCompareUnicodeString", "RtlCopyMemory", "RtlCopyUnicodeString", "RtlEqualUnicodeString",
    "RtlFillMemory", "RtlFreeAnsiString", "RtlFreeHeap", "RtlFreeUnicodeString", "RtlInitAnsiString",
    "RtlInitString", "RtlInitUnicodeString", "RtlMoveMemory", "RtlReAllocateHeap", "RtlSizeHeap",
    "RtlUnicodeStringToAnsiString", "RtlUpcaseUnicodeChar", "RtlZeroMemory", "_snprintf", "_vsnprintf",
    "memcmp", "memcpy", "memmove", "memset", "sprintf", "strcmp", "strlen", "strncmp", "wcslen",
};

struct pe {
    uint8_t *data;
    size_t size;
    uint32_t nt;           /* offset of "PE\0\0" */
    uint16_t n_sections;
    uint32_t sections;     /* offset of the section table */
    uint64_t image_base;
    uint32_t entry, size_of_image;
    uint16_t machine, characteristics, magic;
    uint32_t export_rva, export_size, import_rva;
};

static uint16_t rd16(const struct pe *p, size_t off)
{
    ck_assert_msg(off + 2 <= p->size, "read past the end (0x%zx)", off);
    return (uint16_t)(p->data[off] | p->data[off + 1] << 8);
}

static uint32_t rd32(const struct pe *p, size_t off)
{
    ck_assert_msg(off + 4 <= p->size, "read past the end (0x%zx)", off);
    return (uint32_t)p->data[off] | (uint32_t)p->data[off + 1] << 8 | (uint32_t)p->data[off + 2] << 16 |
           (uint32_t)p->data[off + 3] << 24;
}

/* File offset of an RVA through the section table; fails the test if no section holds it. */
static size_t file_offset(const struct pe *p, uint32_t rva, uint32_t *characteristics)
{
    for (unsigned i = 0; i < p->n_sections; i++) {
        size_t s = p->sections + i * 40u;
        uint32_t va = rd32(p, s + 12), raw_size = rd32(p, s + 16), raw = rd32(p, s + 20);
        if (rva >= va && rva - va < raw_size) {
            if (characteristics)
                *characteristics = rd32(p, s + 36);
            ck_assert_msg(raw + (rva - va) < p->size, "RVA 0x%x outside the file", rva);
            return raw + (rva - va);
        }
    }
    ck_abort_msg("RVA 0x%x in no section", rva);
    return 0;
}

static const char *rva_string(const struct pe *p, uint32_t rva)
{
    size_t off = file_offset(p, rva, NULL);
    ck_assert_msg(memchr(p->data + off, 0, p->size - off) != NULL, "unterminated name at RVA 0x%x", rva);
    return (const char *)p->data + off;
}

static void pe_open(const char *path, struct pe *p)
{
    memset(p, 0, sizeof(*p));
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s: not built (make)", path);
    fseek(f, 0, SEEK_END);
    p->size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    p->data = malloc(p->size);
    ck_assert(p->data != NULL);
    ck_assert_uint_eq(fread(p->data, 1, p->size, f), p->size);
    fclose(f);

    ck_assert_uint_eq(rd16(p, 0), 0x5A4D);                      /* MZ */
    p->nt = rd32(p, 0x3C);
    ck_assert_uint_eq(rd32(p, p->nt), 0x00004550);             /* PE\0\0 */
    p->machine = rd16(p, p->nt + 4);
    p->n_sections = rd16(p, p->nt + 6);
    uint16_t optional_size = rd16(p, p->nt + 20);
    p->characteristics = rd16(p, p->nt + 22);
    size_t opt = p->nt + 24;
    p->magic = rd16(p, opt);
    ck_assert_msg(p->magic == 0x010B || p->magic == 0x020B, "%s: optional header magic 0x%x", path, p->magic);
    size_t dirs = opt + (p->magic == 0x020B ? 112 : 96);      /* PE32+: 64-bit ImageBase and stack sizes */
    p->entry = rd32(p, opt + 16);
    p->image_base = p->magic == 0x020B ? (uint64_t)rd32(p, opt + 24) | (uint64_t)rd32(p, opt + 28) << 32
                                       : rd32(p, opt + 28);
    p->size_of_image = rd32(p, opt + 56);
    ck_assert_uint_ge(rd32(p, dirs - 4), 2);                   /* NumberOfRvaAndSizes */
    p->export_rva = rd32(p, dirs);
    p->export_size = rd32(p, dirs + 4);
    p->import_rva = rd32(p, dirs + 8);
    p->sections = (uint32_t)(opt + optional_size);
}

struct export { const char *name; uint32_t rva; };

/* The export directory's names in its order, with each one's function RVA. */
static size_t pe_exports(const struct pe *p, struct export **out)
{
    size_t dir = file_offset(p, p->export_rva, NULL);
    uint32_t base = rd32(p, dir + 16), n_functions = rd32(p, dir + 20), n_names = rd32(p, dir + 24);
    size_t functions = file_offset(p, rd32(p, dir + 28), NULL), names = file_offset(p, rd32(p, dir + 32), NULL),
           ordinals = file_offset(p, rd32(p, dir + 36), NULL);
    ck_assert_uint_eq(base, 1);
    ck_assert_str_eq(rva_string(p, rd32(p, dir + 12)), "ntdll.dll");
    *out = calloc(n_names, sizeof(**out));
    ck_assert(*out != NULL);
    for (uint32_t i = 0; i < n_names; i++) {
        uint16_t ordinal = rd16(p, ordinals + 2u * i);
        ck_assert_uint_lt(ordinal, n_functions);
        (*out)[i].name = rva_string(p, rd32(p, names + 4u * i));
        (*out)[i].rva = rd32(p, functions + 4u * ordinal);
    }
    return n_names;
}

static int by_name(const void *key, const void *e)
{
    return strcmp(key, ((const struct export *)e)->name);
}

/* The RVA of an exported name (binary search, as NT's loader does it), or 0. */
static uint32_t lookup(const struct export *e, size_t n, const char *name)
{
    const struct export *hit = bsearch(name, e, n, sizeof(*e), by_name);
    return hit ? hit->rva : 0;
}

static struct svc_slots slots;
static char err[512];

static void load_slots(void)
{
    ck_assert_msg(svc_slots_builtin(&slots, err, sizeof(err)) == 0, "%s", err);
}

static void free_slots(void)
{
    svc_slots_free(&slots);
}

/* The stub a slot must hold: BUILD's number and its argc, or the not-found status. */
static void check_stub(const struct pe *p, uint32_t rva, const struct svc_entry *slot, const struct svc_table *t)
{
    const struct svc_entry *e = svc_table_find(t, slot->name);
    uint32_t text_flags = 0;
    size_t off = file_offset(p, rva, &text_flags);
    ck_assert_msg(text_flags & 0x20000000u, "%s is not in an executable section", slot->name);   /* MEM_EXECUTE */
    ck_assert_uint_le(off + SLOT_SIZE, p->size);
    const uint8_t *b = p->data + off;
    unsigned argc = e ? e->argc : slot->argc;
    ck_assert_uint_eq(b[0], 0xB8);                             /* mov eax, imm32 */
    uint32_t imm = (uint32_t)b[1] | (uint32_t)b[2] << 8 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 24;
    ck_assert_msg(imm == (e ? e->index : STATUS_PROCEDURE_NOT_FOUND), "%s: mov eax, 0x%x", slot->name, imm);
    const uint8_t *ret = b + 5;
    if (e) {
        static const uint8_t call[] = { 0xBA, 0x00, 0x03, 0xFE, 0x7F, 0xFF, 0xD2 };   /* mov edx, 7FFE0300h; call edx */
        ck_assert_msg(!memcmp(b + 5, call, sizeof(call)), "%s: not the SystemCallStub call", slot->name);
        ret = b + 12;
    }
    if (argc) {
        ck_assert_msg(ret[0] == 0xC2 && (unsigned)(ret[1] | ret[2] << 8) == argc * 4, "%s: not ret %u",
                      slot->name, argc * 4);
    } else {
        ck_assert_msg(ret[0] == 0xC3, "%s: not ret", slot->name);
    }
}

/* An amd64 slot's stub: BUILD's number behind `mov r10, rcx` (NT's 4C 8B D1), then SYSCALL, or
   from build 10586 on the INT 2Eh test first; the not-found status where BUILD lacks the name. */
static void check_stub64(const struct pe *p, uint32_t rva, const struct svc_entry *slot, const struct svc_table *t,
                         unsigned build_number)
{
    static const uint8_t mov_r10_rcx[] = { 0x4C, 0x8B, 0xD1 };
    static const uint8_t syscall_ret[] = { 0x0F, 0x05, 0xC3 };
    static const uint8_t int2e_test[] = { 0xF6, 0x04, 0x25, 0x08, 0x03, 0xFE, 0x7F, 0x01, 0x75, 0x03 };
    static const uint8_t int2e_ret[] = { 0xCD, 0x2E, 0xC3 };
    const struct svc_entry *e = svc_table_find(t, slot->name);
    uint32_t text_flags = 0;
    size_t off = file_offset(p, rva, &text_flags);
    ck_assert_msg(text_flags & 0x20000000u, "%s is not in an executable section", slot->name);
    ck_assert_uint_le(off + SLOT_SIZE64, p->size);
    const uint8_t *b = p->data + off;
    if (!e) {
        ck_assert_uint_eq(b[0], 0xB8);
        ck_assert_uint_eq(rd32(p, off + 1), STATUS_PROCEDURE_NOT_FOUND);
        ck_assert_uint_eq(b[5], 0xC3);
        return;
    }
    ck_assert_msg(!memcmp(b, mov_r10_rcx, 3) && b[3] == 0xB8, "%s: not mov r10, rcx; mov eax", slot->name);
    ck_assert_msg(rd32(p, off + 4) == e->index, "%s: mov eax, 0x%x", slot->name, rd32(p, off + 4));
    const uint8_t *rest = b + 8;
    if (build_number >= 10586) {
        ck_assert_msg(!memcmp(rest, int2e_test, sizeof int2e_test), "%s: no SharedUserData test", slot->name);
        ck_assert_msg(!memcmp(rest + sizeof int2e_test + 3, int2e_ret, 3), "%s: no int 2Eh", slot->name);
        rest += sizeof int2e_test;
    }
    ck_assert_msg(!memcmp(rest, syscall_ret, 3), "%s: not syscall; ret", slot->name);
}

/* One PE ntdll against the numbering of the table it was generated from. */
static void check_ntdll_exports(const char *path, const struct pe *p, const struct svc_slots *sl,
                                const struct svc_table *t, unsigned build_number);

static void check_ntdll(const char *path, const struct svc_table *t)
{
    struct pe p;
    pe_open(path, &p);
    ck_assert_uint_eq(p.machine, 0x014C);                      /* IMAGE_FILE_MACHINE_I386 */
    ck_assert_uint_eq(p.magic, 0x010B);                        /* PE32 */
    check_ntdll_exports(path, &p, &slots, t, 0);
    free(p.data);
}

static void check_ntdll_exports(const char *path, const struct pe *pp, const struct svc_slots *sl,
                                const struct svc_table *t, unsigned build_number)
{
    const struct pe p = *pp;
    const int amd64 = p.machine == 0x8664;
    const unsigned slot_size = amd64 ? SLOT_SIZE64 : SLOT_SIZE;
    struct export *exports;
    ck_assert_msg(p.characteristics & 0x2000, "%s: not a DLL", path);
    ck_assert_uint_eq(p.image_base, NTDLL_BASE);
    ck_assert_uint_eq(p.entry, 0);                             /* as NT's ntdll: no DllMain */
    size_t n = pe_exports(&p, &exports);
    for (size_t i = 1; i < n; i++)
        ck_assert_msg(strcmp(exports[i - 1].name, exports[i].name) < 0, "%s: exports not sorted at %s, %s",
                      path, exports[i - 1].name, exports[i].name);
    ck_assert_uint_eq(n, 2 * sl->count + sizeof(rtl_exports) / sizeof(rtl_exports[0]));

    for (size_t i = 0; i < sl->count; i++) {
        const struct svc_entry *s = &sl->slot[i];
        char zw[SVC_MAX_NAME + 2];
        snprintf(zw, sizeof(zw), "Zw%s", s->name + 2);
        uint32_t nt_rva = lookup(exports, n, s->name), zw_rva = lookup(exports, n, zw);
        ck_assert_msg(nt_rva, "%s: %s not exported", path, s->name);
        ck_assert_msg(zw_rva == nt_rva, "%s: %s and %s at 0x%x and 0x%x", path, s->name, zw, nt_rva, zw_rva);
        ck_assert_uint_eq(nt_rva, STUB_AREA_RVA + i * slot_size);   /* one slot order for every build */
        if (amd64)
            check_stub64(&p, nt_rva, s, t, build_number);
        else
            check_stub(&p, nt_rva, s, t);
    }
    for (size_t i = 0; i < sizeof(rtl_exports) / sizeof(rtl_exports[0]); i++) {
        uint32_t rva = lookup(exports, n, rtl_exports[i]), flags = 0;
        ck_assert_msg(rva, "%s: %s not exported", path, rtl_exports[i]);
        file_offset(&p, rva, &flags);
        ck_assert_msg(flags & 0x20000000u, "%s: %s is not code", path, rtl_exports[i]);
        ck_assert_uint_ge(rva, STUB_AREA_RVA + sl->count * slot_size);
    }
    free(exports);
}

static size_t n_builds(void)
{
    size_t n = 0;
    while (svc_builtin_tables[n].build)
        n++;
    return n;
}

START_TEST(every_build_has_a_pe_ntdll)
{
    char path[512];
    struct svc_table t;
    const char *build = svc_builtin_tables[_i].build;
    ck_assert_msg(svc_table_builtin(build, &t, err, sizeof(err)) == 0, "%s", err);
    snprintf(path, sizeof(path), "%s/ntdll-%s.dll", NTDLL_PE_DIR, build);
    check_ntdll(path, &t);
    if (!strcmp(build, SVC_DEFAULT_BUILD))
        check_ntdll(NTDLL_PE_DIR "/ntdll.dll", &t);
    svc_table_free(&t);
}
END_TEST

/* The amd64 tables, sorted as the Makefile's $(sort) gives them to gensvc; returns how many. */
static size_t amd64_builds(char names[][96], size_t max)
{
    static const char *const builds[] = {
        "10.0.10240-sp0-windows-10-th1-1507", "10.0.10586-sp0-windows-10-th2-1511",
        "10.0.14393-sp0-windows-10-rs1-1607", "10.0.15063-sp0-windows-10-rs2-1703",
        "10.0.16299-sp0-windows-10-rs3-1709", "6.0.6000-sp0-windows-vista", "6.0.6001-sp1-windows-vista",
        "6.0.6002-sp2-windows-vista", "6.1.7600-sp0-windows-7", "6.1.7601-sp1-windows-7",
        "6.2.9200-sp0-windows-8", "6.3.9600-sp0-windows-8.1",
    };
    size_t n = sizeof builds / sizeof builds[0];
    ck_assert_uint_le(n, max);
    for (size_t i = 0; i < n; i++)
        snprintf(names[i], 96, "%s", builds[i]);
    return n;
}

START_TEST(every_amd64_build_has_a_pe32plus_ntdll)
{
    char builds[16][96], path[512];
    size_t n = amd64_builds(builds, 16);
    struct svc_table tables[16];
    struct svc_slots slots64;
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s.amd64.ssdt.tsv", TABLES_DIR, builds[i]);
        ck_assert_msg(svc_table_load(path, &tables[i], err, sizeof err) == 0, "%s", err);
    }
    ck_assert_msg(svc_slots_of(tables, n, &slots64, err, sizeof err) == 0, "%s", err);
    for (size_t i = 0; i < n; i++) {
        struct pe p;
        unsigned major, minor, number;
        ck_assert_int_eq(sscanf(builds[i], "%u.%u.%u", &major, &minor, &number), 3);
        snprintf(path, sizeof path, "%s/ntdll-%s.dll", NTDLL_PE64_DIR, builds[i]);
        pe_open(path, &p);
        ck_assert_uint_eq(p.machine, 0x8664);                  /* IMAGE_FILE_MACHINE_AMD64 */
        ck_assert_uint_eq(p.magic, 0x020B);                    /* PE32+ */
        check_ntdll_exports(path, &p, &slots64, &tables[i], number);
        free(p.data);
        if (!strcmp(builds[i], "6.1.7601-sp1-windows-7")) {   /* the default amd64 build */
            pe_open(NTDLL_PE64_DIR "/ntdll.dll", &p);
            check_ntdll_exports(NTDLL_PE64_DIR "/ntdll.dll", &p, &slots64, &tables[i], number);
            free(p.data);
        }
    }
    svc_slots_free(&slots64);
    for (size_t i = 0; i < n; i++)
        svc_table_free(&tables[i]);
}
END_TEST

/* Every name a program imports from ntdll.dll, by name (no ordinals). */
static size_t pe_imports(const struct pe *p, const char **names, size_t max)
{
    size_t n = 0, desc = file_offset(p, p->import_rva, NULL);
    for (;; desc += 20) {
        uint32_t thunks = rd32(p, desc) ? rd32(p, desc) : rd32(p, desc + 16), dll = rd32(p, desc + 12);
        if (!dll)
            break;
        ck_assert_str_eq(rva_string(p, dll), "ntdll.dll");
        for (size_t th = file_offset(p, thunks, NULL);; th += 4) {
            uint32_t entry = rd32(p, th);
            if (!entry)
                break;
            ck_assert_msg(!(entry & 0x80000000u), "an import by ordinal");
            ck_assert_uint_lt(n, max);
            names[n++] = rva_string(p, entry + 2);             /* past the hint */
        }
    }
    return n;
}

static void check_imports_resolve(const char *program, size_t at_least)
{
    struct pe prog, dll;
    const char *names[256];
    pe_open(program, &prog);
    size_t n = pe_imports(&prog, names, sizeof(names) / sizeof(names[0]));
    ck_assert_uint_ge(n, at_least);
    for (size_t b = 0; svc_builtin_tables[b].build; b++) {
        char path[512];
        struct export *exports;
        snprintf(path, sizeof(path), "%s/ntdll-%s.dll", NTDLL_PE_DIR, svc_builtin_tables[b].build);
        pe_open(path, &dll);
        size_t m = pe_exports(&dll, &exports);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(lookup(exports, m, names[i]), "%s imports %s, which %s does not export", program,
                          names[i], path);
        free(exports);
        free(dll.data);
    }
    free(prog.data);
}

START_TEST(mingw_libntdll_imports_resolve)
{
    check_imports_resolve(NTDLL_PE_FIXTURES "/ntdll_imports.exe", 28);
}
END_TEST

/* The C routines mingw's libntdll.a lacks: through the import library built beside ntdll.dll. */
START_TEST(own_import_library_covers_the_c_routines)
{
    check_imports_resolve(NTDLL_PE_FIXTURES "/ntdll_crt_imports.exe", 12);
}
END_TEST

static Suite *ntdll_pe_suite(void)
{
    Suite *s = suite_create("ntdll_pe");
    TCase *tc = tcase_create("exports");
    tcase_add_unchecked_fixture(tc, load_slots, free_slots);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, every_build_has_a_pe_ntdll, 0, (int)n_builds());
    tcase_add_test(tc, every_amd64_build_has_a_pe32plus_ntdll);
    tcase_add_test(tc, mingw_libntdll_imports_resolve);
    tcase_add_test(tc, own_import_library_covers_the_c_routines);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(ntdll_pe_suite());
}
