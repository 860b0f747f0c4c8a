/*
 * ntdb/pe.c and the PE half of ntdb/symbols.c against real mingw-w64 images
 * (built from tests/pe/host_*.c by mk/pe-host.mk) and hostile mutations of
 * them: each mutation is refused with a message or loses only what it spoils,
 * and nothing reads outside the file (ASan watches: every image is copied
 * into a buffer of exactly its size).
 */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ntdb/pe.h"
#include "ntdb/symbols.h"
#include "vmm/session.h"

#ifndef PE_FIXTURES
#define PE_FIXTURES "build/tests/pe"
#endif

#define HAS(text, needle) ck_assert_msg(strstr((text), (needle)) != NULL, "expected \"%s\" in:\n%s", (needle), (text))

struct file { uint8_t *b; size_t size; };

static struct file slurp(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", PE_FIXTURES, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s: missing (make builds it with i686-w64-mingw32-gcc)", path);
    fseek(f, 0, SEEK_END);
    struct file r = { NULL, (size_t)ftell(f) };
    fseek(f, 0, SEEK_SET);
    r.b = malloc(r.size);
    ck_assert_uint_eq(fread(r.b, 1, r.size, f), r.size);
    fclose(f);
    return r;
}

/* A copy of the first size bytes in a buffer of exactly that size. */
static struct file cut(struct file f, size_t size)
{
    struct file r = { malloc(size ? size : 1), size };
    memcpy(r.b, f.b, size);
    return r;
}

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, (uint16_t)v); wr16(p + 2, (uint16_t)(v >> 16)); }

/* Offsets of the headers in a file */
static size_t file_hdr(const struct file *f) { return rd32(f->b + 0x3C) + 4; }
static size_t opt_hdr(const struct file *f) { return file_hdr(f) + 20; }
static size_t sect_hdr(const struct file *f, unsigned i)
{
    return opt_hdr(f) + (f->b[file_hdr(f) + 16] | f->b[file_hdr(f) + 17] << 8) + 40u * i;
}

static int parse(const struct file *f, char *err)
{
    struct pe_image pe;
    return pe_parse(&pe, f->b, f->size, "img", err, 256);
}

/* ---------------------------------------------------------------- valid images */

START_TEST(program_headers)
{
    struct file f = slurp("host_prog.exe");
    struct pe_image pe;
    char err[256];
    ck_assert_int_eq(pe_parse(&pe, f.b, f.size, "host_prog.exe", err, sizeof(err)), 0);
    ck_assert(pe_looks_like(f.b, f.size));
    ck_assert_uint_eq(pe.machine, PE_MACHINE_I386);
    ck_assert_uint_eq(pe.subsystem, PE_SUBSYSTEM_NATIVE);
    ck_assert(!(pe.characteristics & PE_FILE_DLL));
    ck_assert_uint_eq(pe.image_base, 0x00400000);
    const struct pe_section *text = pe_section_at(&pe, pe.entry_rva);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text->name, ".text");
    ck_assert(text->characteristics & PE_SCN_MEM_EXECUTE);
    ck_assert_uint_gt(pe.n_symbols, 0);       /* mingw keeps the COFF table */
    ck_assert_uint_gt(pe.strtab_size, 4);     /* and -g gives long names: /4 for .debug_info ... */
    bool long_name = false;
    for (unsigned i = 0; i < pe.n_sections; i++)
        long_name |= pe.sections[i].name[0] == '/';
    ck_assert(long_name);
    ck_assert_int_eq(pe_exports(&pe, NULL, NULL, NULL, err, sizeof(err)), 0);   /* an exe exports nothing */
    free(f.b);
}
END_TEST

struct names { char list[2048]; };
static void collect(void *ctx, const char *name, uint32_t rva)
{
    struct names *n = ctx;
    (void)rva;
    strncat(n->list, name, sizeof(n->list) - strlen(n->list) - 2);
    strcat(n->list, ",");
}

START_TEST(driver_exports)
{
    struct file f = slurp("host_drv.sys");
    struct pe_image pe;
    char err[256];
    const char *dll;
    struct names n = { "" };
    ck_assert_int_eq(pe_parse(&pe, f.b, f.size, "host_drv.sys", err, sizeof(err)), 0);
    ck_assert(pe.characteristics & PE_FILE_DLL);
    ck_assert_int_eq(pe_exports(&pe, &dll, collect, &n, err, sizeof(err)), 3);
    ck_assert_str_eq(dll, "host_drv.sys");
    HAS(n.list, "HostStd@8,");
    HAS(n.list, "HostCdecl,");
    HAS(n.list, "HostExportedData,");
    free(f.b);

    f = slurp("host_drv-s.sys");   /* stripped: the exports are all there is */
    ck_assert_int_eq(pe_parse(&pe, f.b, f.size, "host_drv-s.sys", err, sizeof(err)), 0);
    ck_assert_uint_eq(pe.n_symbols, 0);
    ck_assert_int_eq(pe_exports(&pe, NULL, collect, &n, err, sizeof(err)), 3);
    free(f.b);
}
END_TEST

START_TEST(program_symbols_as_windbg_shows_them)
{
    struct file f = slurp("host_prog.exe");
    struct pe_image pe;
    struct symtab t;
    char err[256], name[128];
    uint32_t a;
    ck_assert_int_eq(pe_parse(&pe, f.b, f.size, "p", err, sizeof(err)), 0);
    symtab_init(&t);
    ck_assert_int_eq(symtab_load_pe(&t, "host_prog", "host_prog.exe", f.b, f.size, 0, err, sizeof(err)), 0);
    const struct sym_module *m = symtab_module(&t, "host_prog");
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(m->base, 0x00400000);
    ck_assert_uint_eq(m->end, 0x00400000 + pe.size_of_image);
    ck_assert_str_eq(m->image, "host_prog.exe");
    ck_assert(symtab_format(&t, pe.image_base + pe.entry_rva, name, sizeof(name)));
    ck_assert_str_eq(name, "host_prog!NtProcessStartup");   /* _NtProcessStartup@4 */
    ck_assert(symtab_lookup(&t, "host_prog!HostHelper", &a));    /* a static function */
    ck_assert(symtab_lookup(&t, "host_prog!HostCounter", &a));   /* external data */
    ck_assert(symtab_lookup(&t, "host_prog!HostHidden", &a));    /* static data */
    ck_assert(symtab_lookup(&t, "host_prog!NtDisplayString", &a));   /* the import thunk */
    ck_assert(!symtab_lookup(&t, "host_prog!_NtProcessStartup@4", &a));
    ck_assert(!symtab_lookup(&t, "host_prog!.text", &a));
    symtab_free(&t);
    free(f.b);
}
END_TEST

START_TEST(driver_symbols_rebased)
{
    struct file f = slurp("host_drv.sys");
    struct pe_image pe;
    struct symtab t;
    char err[256], name[128];
    uint32_t a, base = 0xB0100000;
    ck_assert_int_eq(pe_parse(&pe, f.b, f.size, "d", err, sizeof(err)), 0);
    symtab_init(&t);
    ck_assert_int_eq(symtab_load_pe(&t, "host_drv", "x.sys", f.b, f.size, base, err, sizeof(err)), 0);
    const struct sym_module *m = symtab_module(&t, "host_drv");
    ck_assert_uint_eq(m->base, base);
    ck_assert_uint_eq(m->end, base + pe.size_of_image);
    ck_assert_str_eq(m->image, "host_drv.sys");   /* the export directory's Name, not the file's */
    ck_assert(symtab_format(&t, base + pe.entry_rva, name, sizeof(name)));
    ck_assert_str_eq(name, "host_drv!DriverEntry");
    ck_assert(symtab_lookup(&t, "host_drv!HostStd", &a));
    ck_assert_uint_ge(a, base);
    const struct sym *first;
    ck_assert_uint_eq(sym_module_at(m, a, &first), 1);   /* export HostStd@8 and COFF _HostStd@8: one name */
    ck_assert_uint_eq(first->rank, 0);                   /* the export's */
    ck_assert(symtab_lookup(&t, "host_drv!HostFast", &a));    /* @HostFast@8, COFF only */
    ck_assert(symtab_lookup(&t, "host_drv!HostLocal", &a));   /* static */
    ck_assert(symtab_lookup(&t, "host_drv!HostExportedData", &a));
    symtab_free(&t);
    free(f.b);

    f = slurp("host_drv-s.sys");
    symtab_init(&t);
    ck_assert_int_eq(symtab_load_pe(&t, "s", "host_drv-s.sys", f.b, f.size, 0, err, sizeof(err)), 0);
    ck_assert(symtab_lookup(&t, "s!HostCdecl", &a));
    ck_assert(!symtab_lookup(&t, "s!HostFast", &a));
    symtab_free(&t);
    free(f.b);
}
END_TEST

START_TEST(undecorate)
{
    char out[64];
    static const struct { const char *in; bool c; const char *out; } cases[] = {
        { "_NtProcessStartup@4", true, "NtProcessStartup" }, { "@IofCompleteRequest@8", true, "IofCompleteRequest" },
        { "_counter", true, "counter" }, { "___DTOR_LIST__", true, "__DTOR_LIST__" },
        { "DriverEntry@8", false, "DriverEntry" }, { "_x", false, "_x" }, { "a@", true, "a@" }, { "@8", false, "@8" },
        { "hname", true, "hname" }, { "f@1x", true, "f@1x" }, { "_", true, "" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sym_undecorate(cases[i].in, cases[i].c, out, sizeof(out));
        ck_assert_str_eq(out, cases[i].out);
    }
    sym_undecorate("_abcdef@4", true, out, 4);
    ck_assert_str_eq(out, "abc");
}
END_TEST

START_TEST(image_file_dispatch)
{
    struct symtab t;
    char err[256];
    uint32_t a;
    symtab_init(&t);
    ck_assert_int_eq(symtab_load_image_file(&t, "d", PE_FIXTURES "/host_drv.sys", 0, err, sizeof(err)), 0);
    ck_assert(symtab_lookup(&t, "d!DriverEntry", &a));
    ck_assert_int_eq(symtab_load_image_file(&t, "m", "tests/pe/host_drv.c", 0, err, sizeof(err)), -1);
    HAS(err, "neither a PE");
    ck_assert_int_eq(symtab_load_image_file(&t, "m", "/nonexistent.sys", 0, err, sizeof(err)), -1);
    symtab_free(&t);
}
END_TEST

/* ---------------------------------------------------------------- hostile headers */

START_TEST(hostile_headers)
{
    struct file f = slurp("host_prog.exe"), m;
    char err[256];
    size_t fh = file_hdr(&f), oh = opt_hdr(&f);
#define MUTATE(what, expect)                                                             \
    do {                                                                                 \
        m = cut(f, f.size);                                                              \
        what;                                                                            \
        ck_assert_msg(parse(&m, err) == -1, "accepted: %s", #what);                      \
        HAS(err, expect);                                                                \
        free(m.b);                                                                       \
    } while (0)
    size_t sizes[] = { 0, 1, 10, 63, 64, fh + 10, oh + 50, sect_hdr(&f, 1) + 7 };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        m = cut(f, sizes[i]);
        ck_assert_msg(parse(&m, err) == -1, "accepted %zu bytes", sizes[i]);
        free(m.b);
    }
    MUTATE(m.b[0] = 'X', "no MZ");
    MUTATE(wr32(m.b + 0x3C, (uint32_t)m.size), "past the end");
    MUTATE(wr32(m.b + 0x3C, 0xFFFFFFF0), "past the end");
    MUTATE(wr32(m.b + 0x3C, (uint32_t)m.size - 8), "past the end");
    MUTATE(m.b[fh - 4] = 'X', "no PE signature");
    MUTATE(wr16(m.b + fh, 0x8664), "not PE32+ (0x20b) as its machine needs");   /* amd64 needs PE32+ */
    MUTATE(wr16(m.b + fh, 0x01C0), "not i386 (0x14c) or amd64 (0x8664)");     /* ARM */
    MUTATE(wr16(m.b + fh + 2, 0), "0 sections");
    MUTATE(wr16(m.b + fh + 2, 97), "97 sections");
    MUTATE(wr16(m.b + fh + 2, 0xFFFF), "65535 sections");
    MUTATE(wr16(m.b + fh + 16, 40), "optional header");
    MUTATE(wr16(m.b + fh + 16, 0xFFFF), "optional header");
    MUTATE(wr16(m.b + oh, 0x20B), "not PE32");
    MUTATE(wr32(m.b + oh + 92, 17), "data directories");
    MUTATE(wr32(m.b + oh + 92, 0xFFFFFFFF), "data directories");
    MUTATE(wr32(m.b + oh + 56, 0), "SizeOfImage");
    MUTATE(wr32(m.b + oh + 56, 0x7FFFF000), "SizeOfImage");
    MUTATE(wr32(m.b + oh + 28, 0xFFFFF000), "SizeOfImage");       /* ImageBase + SizeOfImage wraps */
    MUTATE(wr32(m.b + oh + 28, 0x00400800), "page aligned");
    MUTATE(wr32(m.b + oh + 32, 0x1800), "alignment");
    MUTATE(wr32(m.b + oh + 36, 0x2000), "alignment");              /* file alignment above section alignment */
    MUTATE(wr32(m.b + oh + 60, 0x7FFFFFFF), "SizeOfHeaders");
    MUTATE(wr32(m.b + oh + 60, 0x40), "section table");            /* the table outside the headers */
    MUTATE(wr32(m.b + oh + 16, 0x7FFFFFFF), "AddressOfEntryPoint");
    MUTATE(wr32(m.b + oh + 96 + 8, 0xFFFFFF00), "data directory 1");     /* import directory RVA wraps */
    MUTATE(wr32(m.b + oh + 96 + 5 * 8 + 4, 0x7FFFFFFF), "data directory 5");
    free(f.b);
}
END_TEST

START_TEST(hostile_sections)
{
    struct file f = slurp("host_prog.exe"), m;
    char err[256];
    size_t s0 = sect_hdr(&f, 0), s1 = sect_hdr(&f, 1);
    MUTATE(wr32(m.b + s1 + 12, rd32(m.b + s0 + 12)), "overlaps");                  /* two sections at one RVA */
    MUTATE(wr32(m.b + s0 + 8, 0x2000), "overlaps");                                /* the first runs into the second */
    MUTATE(wr32(m.b + s1 + 12, rd32(m.b + s0 + 12) - 0x1000), "overlaps");        /* out of order */
    MUTATE(wr32(m.b + s0 + 8, 0xFFFFF000), "outside SizeOfImage");                 /* VA + size wraps */
    MUTATE(wr32(m.b + s0 + 12, 0xFFFFF000), "outside SizeOfImage");
    MUTATE(wr32(m.b + s0 + 12, 0), "headers");
    MUTATE(wr32(m.b + s0 + 12, 0x1100), "unaligned");
    MUTATE(wr32(m.b + s0 + 20, 0xFFFFFF00), "past the end of the file");           /* PointerToRawData */
    MUTATE(wr32(m.b + s0 + 16, 0x7FFFFFFF), "past the end of the file");           /* SizeOfRawData */
    MUTATE((wr32(m.b + s0 + 8, 0), wr32(m.b + s0 + 16, 0)), "empty");
    free(f.b);
}
END_TEST

/* ---------------------------------------------------------------- hostile directories and tables */

/* The export directory's file offset in the driver. */
static size_t export_dir_off(const struct file *f)
{
    struct pe_image pe;
    char err[256];
    size_t off;
    ck_assert_int_eq(pe_parse(&pe, f->b, f->size, "d", err, sizeof(err)), 0);
    ck_assert(pe_rva_to_off(&pe, pe.dirs[PE_DIR_EXPORT].rva, 40, &off));
    return off;
}

/* The driver loads (headers fine) but lost its exports; err says why pe_exports refused. */
static void exports_refused(const struct file *m, const char *expect)
{
    struct pe_image pe;
    struct symtab t;
    char err[256];
    uint32_t a;
    ck_assert_int_eq(pe_parse(&pe, m->b, m->size, "d", err, sizeof(err)), 0);
    ck_assert_int_eq(pe_exports(&pe, NULL, collect, &(struct names){ "" }, err, sizeof(err)), -1);
    HAS(err, expect);
    symtab_init(&t);
    ck_assert_int_eq(symtab_load_pe(&t, "d", "d.sys", m->b, m->size, 0, err, sizeof(err)), 0);
    ck_assert(symtab_lookup(&t, "d!HostFast", &a));          /* the COFF symbols are still there */
    ck_assert_str_eq(symtab_module(&t, "d")->image, "d.sys");
    symtab_free(&t);
}

START_TEST(hostile_exports)
{
    struct file f = slurp("host_drv.sys"), m;
    char err[256];
    size_t oh = opt_hdr(&f), x = export_dir_off(&f);
    uint32_t soi = rd32(f.b + oh + 56);
    MUTATE(wr32(m.b + oh + 96, soi - 4), "data directory 0");              /* outside the image */
    MUTATE(wr32(m.b + oh + 96, 0xFFFFFFF0), "data directory 0");           /* wraps */
    m = cut(f, f.size);
    wr32(m.b + oh + 96, 0x10);   /* inside the image (the headers), not an export directory */
    wr32(m.b + oh + 96 + 4, 0x28);
    struct pe_image pe;
    ck_assert_int_eq(pe_parse(&pe, m.b, m.size, "d", err, sizeof(err)), 0);
    ck_assert_int_le(pe_exports(&pe, NULL, collect, &(struct names){ "" }, err, sizeof(err)), 0);
    free(m.b);
    m = cut(f, f.size);
    wr32(m.b + x + 20, 0x7FFFFFFF);                                        /* NumberOfFunctions */
    exports_refused(&m, "functions");
    free(m.b);
    m = cut(f, f.size);
    wr32(m.b + x + 24, rd32(m.b + x + 20) + 1);                            /* more names than functions */
    exports_refused(&m, "names");
    free(m.b);
    m = cut(f, f.size);
    wr32(m.b + x + 28, 0xFFFFFFF0);                                        /* AddressOfFunctions */
    exports_refused(&m, "arrays");
    free(m.b);
    m = cut(f, f.size);
    wr32(m.b + x + 12, soi - 1);                                           /* Name past the file data */
    exports_refused(&m, "Name");
    free(m.b);
    /* names without a terminator: every byte from the DLL's Name to the end of the section */
    m = cut(f, f.size);
    ck_assert_int_eq(pe_parse(&pe, m.b, m.size, "d", err, sizeof(err)), 0);
    const struct pe_section *s = pe_section_at(&pe, pe.dirs[PE_DIR_EXPORT].rva);
    size_t name_off;
    ck_assert(pe_rva_to_off(&pe, rd32(m.b + x + 12), 1, &name_off));
    memset(m.b + name_off, 'A', s->raw_off + s->raw_size - name_off);
    exports_refused(&m, "not a string");
    free(m.b);
    free(f.b);
}
END_TEST

START_TEST(hostile_coff_tables)
{
    struct file f = slurp("host_prog.exe"), m;
    struct pe_image pe;
    struct symtab t;
    char err[256];
    uint32_t a;
    size_t fh = file_hdr(&f);
    uint32_t symoff = rd32(f.b + fh + 8), nsym = rd32(f.b + fh + 12);
    uint32_t patches[][2] = {
        { 8, (uint32_t)f.size - 10 }, { 8, 0xFFFFFFF0 }, { 12, 0xFFFFFFFF }, { 12, 0x0E38E38E },   /* 18 * n wraps 32 bits */
    };
    for (size_t i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
        m = cut(f, f.size);
        wr32(m.b + fh + patches[i][0], patches[i][1]);
        ck_assert_int_eq(pe_parse(&pe, m.b, m.size, "p", err, sizeof(err)), 0);   /* NT never reads it */
        ck_assert_uint_eq(pe.n_symbols, 0);
        free(m.b);
    }
    /* a string table whose size runs past the file: the table is left out, the image loads */
    uint32_t st = symoff + nsym * 18;
    m = cut(f, f.size);
    wr32(m.b + st, 0x7FFFFFFF);
    symtab_init(&t);
    ck_assert_int_eq(symtab_load_pe(&t, "p", "p.exe", m.b, m.size, 0, err, sizeof(err)), 0);
    ck_assert(!symtab_lookup(&t, "p!NtProcessStartup", &a));
    symtab_free(&t);
    free(m.b);
    /* bad string-table offsets in every long-named symbol, and aux counts running off the end */
    m = cut(f, f.size);
    for (uint32_t i = 0; i < nsym; i++) {
        uint8_t *rec = m.b + symoff + i * 18;
        if (!rd32(rec))
            wr32(rec + 4, i % 2 ? 0xFFFFFFFF : 2);
        if (i == nsym - 1)
            rec[17] = 200;
    }
    m.b[m.size - 1] = 'x';   /* nor is the string table's last name terminated */
    symtab_init(&t);
    ck_assert_int_eq(symtab_load_pe(&t, "p", "p.exe", m.b, m.size, 0, err, sizeof(err)), 0);
    symtab_free(&t);
    free(m.b);
    free(f.b);
}
END_TEST

/* Random bytes anywhere in the headers and tables: refused or loaded, never a bad read. */
START_TEST(fuzzed_images)
{
    const char *files[] = { "host_prog.exe", "host_drv.sys" };
    unsigned seed = 12345;
    for (size_t k = 0; k < 2; k++) {
        struct file f = slurp(files[k]);
        for (int round = 0; round < 3000; round++) {
            struct file m = cut(f, f.size);
            for (int j = 0; j < 1 + round % 8; j++) {
                seed = seed * 1103515245 + 12345;
                size_t at = (seed >> 8) % (round % 2 ? 0x400 : m.size);
                m.b[at] = (uint8_t)(seed >> 3);
            }
            struct symtab t;
            char err[256];
            symtab_init(&t);
            if (symtab_load_pe(&t, "f", "f.sys", m.b, m.size, round % 3 ? 0 : 0xB0000000, err, sizeof(err)) < 0)
                ck_assert(err[0]);
            symtab_free(&t);
            free(m.b);
        }
        free(f.b);
    }
}
END_TEST

/* ---------------------------------------------------------------- the monitor's checks */

static int check_as(const struct file *f, enum session_image_role role, uint32_t *entry, char *err)
{
    return session_check_pe(f->b, f->size, "x.img", role, entry, err, 256);
}

START_TEST(monitor_checks_by_role)
{
    struct file prog = slurp("host_prog.exe"), drv = slurp("host_drv.sys"), m;
    char err[256];
    uint32_t entry = 0;
    size_t poh = opt_hdr(&prog), doh = opt_hdr(&drv);
    ck_assert_int_eq(check_as(&prog, SESSION_IMAGE_PROGRAM, &entry, err), 0);
    ck_assert_uint_eq(entry, 0x00400000 + rd32(prog.b + poh + 16));   /* ImageBase + AddressOfEntryPoint */
    ck_assert_int_eq(check_as(&drv, SESSION_IMAGE_DRIVER, &entry, err), 0);
    ck_assert_int_eq(check_as(&drv, SESSION_IMAGE_PROGRAM, NULL, err), -1);
    HAS(err, "x.img: a DLL, not a program");
    ck_assert_int_eq(check_as(&prog, SESSION_IMAGE_DRIVER, NULL, err), -1);
    HAS(err, "link it with -shared");
    ck_assert_int_eq(check_as(&prog, SESSION_IMAGE_NTDLL, NULL, err), -1);
    HAS(err, "ntdll must be a PE DLL");
    ck_assert_int_eq(check_as(&drv, SESSION_IMAGE_NTDLL, NULL, err), -1);
    HAS(err, "not inside ntdll's range");

    m = cut(drv, drv.size);
    wr32(m.b + doh + 28, 0x77F50000);   /* a DLL at ntdll's base */
    ck_assert_int_eq(check_as(&m, SESSION_IMAGE_NTDLL, NULL, err), 0);
    free(m.b);
    m = cut(prog, prog.size);
    wr16(m.b + poh + 68, PE_SUBSYSTEM_WINDOWS_CUI);
    ck_assert_int_eq(check_as(&m, SESSION_IMAGE_PROGRAM, NULL, err), -1);
    HAS(err, "subsystem 3 (Windows console): only native programs run here");
    wr16(m.b + poh + 68, PE_SUBSYSTEM_WINDOWS_GUI);
    ck_assert_int_eq(check_as(&m, SESSION_IMAGE_PROGRAM, NULL, err), -1);
    HAS(err, "(Windows GUI)");
    free(m.b);
    m = cut(prog, prog.size);
    wr32(m.b + poh + 16, rd32(m.b + sect_hdr(&m, 1) + 12));   /* the entry in .data */
    ck_assert_int_eq(check_as(&m, SESSION_IMAGE_PROGRAM, NULL, err), -1);
    HAS(err, "not in an executable section");
    free(m.b);
    m = cut(prog, prog.size);
    m.b[file_hdr(&m) + 18] &= (uint8_t)~PE_FILE_EXECUTABLE_IMAGE;
    ck_assert_int_eq(check_as(&m, SESSION_IMAGE_PROGRAM, NULL, err), -1);
    HAS(err, "not marked executable");
    free(m.b);
    m = cut(drv, drv.size);
    m.b[file_hdr(&m) + 18] |= PE_FILE_RELOCS_STRIPPED;   /* and linked outside the driver range */
    ck_assert_int_eq(check_as(&m, SESSION_IMAGE_DRIVER, NULL, err), -1);
    HAS(err, "no relocations");
    wr32(m.b + doh + 28, 0xB0100000);                  /* linked for a slot: fine without them */
    ck_assert_int_eq(check_as(&m, SESSION_IMAGE_DRIVER, NULL, err), 0);
    free(m.b);
    m = cut(prog, 200);
    ck_assert_int_eq(check_as(&m, SESSION_IMAGE_PROGRAM, NULL, err), -1);
    HAS(err, "x.img: ");
    free(m.b);
    free(prog.b);
    free(drv.b);
}
END_TEST

static Suite *pe_suite(void)
{
    Suite *s = suite_create("pe");
    TCase *tc = tcase_create("valid");
    tcase_add_test(tc, program_headers);
    tcase_add_test(tc, driver_exports);
    tcase_add_test(tc, program_symbols_as_windbg_shows_them);
    tcase_add_test(tc, driver_symbols_rebased);
    tcase_add_test(tc, undecorate);
    tcase_add_test(tc, image_file_dispatch);
    suite_add_tcase(s, tc);
    TCase *h = tcase_create("hostile");
    tcase_set_timeout(h, 60);
    tcase_add_test(h, hostile_headers);
    tcase_add_test(h, hostile_sections);
    tcase_add_test(h, hostile_exports);
    tcase_add_test(h, hostile_coff_tables);
    tcase_add_test(h, fuzzed_images);
    tcase_add_test(h, monitor_checks_by_role);
    suite_add_tcase(s, h);
    return s;
}

int main(void)
{
    return check_run(pe_suite());
}
