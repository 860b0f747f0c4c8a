/*
 * The PE parser (ntdb/pe.c) and what kd builds from it (symtab_load_pe):
 * the input is a PE file; every export, COFF symbol, section and string the
 * parser hands out must lie inside it (the data is an exact-size copy, so
 * ASan sees a read past the end).
 */
#include <stdlib.h>
#include <string.h>
#include "ntdb/pe.h"
#include "ntdb/symbols.h"

static const uint8_t *file;
static size_t file_size;

static void inside(const void *p, size_t len)
{
    const uint8_t *b = p;
    if (b < file || b + len > file + file_size)
        abort();
}

static void on_export(void *ctx, const char *name, uint32_t rva)
{
    (void)rva;
    ++*(long *)ctx;
    inside(name, strlen(name) + 1);
}

static void on_symbol(void *ctx, const struct pe_symbol *s)
{
    ++*(size_t *)ctx;
    (void)strlen(s->name);   /* may be a copy of a short name: only its terminator matters */
}

static void walk(const struct pe_image *pe)
{
    const char *dll = NULL;
    long exports = 0;
    size_t symbols = 0;
    char err[256];
    long n = pe_exports(pe, &dll, on_export, &exports, err, sizeof(err));
    if (n >= 0 && n != exports)
        abort();
    if (dll)
        inside(dll, strlen(dll) + 1);
    if (pe_coff_symbols(pe, on_symbol, &symbols) != symbols)
        abort();
    for (unsigned i = 0; i < pe->n_sections; i++) {
        const struct pe_section *s = &pe->sections[i];
        size_t off;
        uint32_t len = s->raw_size < 16 ? s->raw_size : 16;   /* an empty range may lie anywhere */
        if (len && pe_rva_to_off(pe, s->va, len, &off) && off + len > file_size)
            abort();
        pe_section_at(pe, s->va + s->vsize / 2);
        const char *str = pe_string_at(pe, s->va, 64);
        if (str)
            inside(str, strlen(str) + 1);
    }
    pe_string_at(pe, pe->entry_rva, 256);
}

static void load_symbols(const uint8_t *data, size_t size)
{
    struct symtab t;
    char err[256], buf[160];
    uint32_t addr;
    symtab_init(&t);
    if (symtab_load_pe(&t, "nt", "ntoskrnl.exe", data, size, 0, err, sizeof(err)) == 0 && t.n) {
        const struct sym_module *m = &t.mods[0];
        for (size_t i = 0; i < m->n && i < 64; i++)
            symtab_format(&t, m->syms[i].addr + 1, buf, sizeof(buf));
        symtab_lookup(&t, "nt!DriverEntry", &addr);
    }
    symtab_free(&t);
    symtab_init(&t);
    symtab_load_pe(&t, "drv", "drv.sys", data, size, 0xF8000000u, err, sizeof(err));
    symtab_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    file = copy;
    file_size = size;
    struct pe_image pe;
    char err[256];
    pe_looks_like(copy, size);
    if (pe_parse(&pe, copy, size, "fuzz.exe", err, sizeof(err)) == 0)
        walk(&pe);
    load_symbols(copy, size);
    free(copy);
    return 0;
}
