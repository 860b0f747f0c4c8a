/* PE32 i386 and PE32+ amd64 images: headers, sections, exports and the COFF symbol table, every read bounded. */
#include <string.h>
#include "base/errbuf.h"
#include "pe.h"

#define COFF_MAX_SYMBOLS  (1u << 22)   /* 75 MiB of records: more than any file we read */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* [off, off+len) inside a file of size bytes, in 64-bit arithmetic so that nothing wraps. */
static bool in_file(size_t size, uint64_t off, uint64_t len)
{
    return off <= size && len <= size - off;
}

static bool pow2(uint32_t v) { return v && !(v & (v - 1)); }

bool pe_looks_like(const uint8_t *data, size_t size)
{
    return size >= 2 && data[0] == 'M' && data[1] == 'Z';
}

/* The DOS header, the signature and IMAGE_FILE_HEADER; *opt gets the optional header's offset. */
static int parse_file_header(struct pe_image *pe, const char *name, size_t *opt, uint16_t *opt_size,
                             char *err, size_t errlen)
{
    const uint8_t *d = pe->data;
    if (pe->size < PE_DOS_HEADER_SIZE || rd16(d) != PE_DOS_SIGNATURE)
        return errbuf_fail(err, errlen, "%s: not a PE image (no MZ header)", name);
    uint32_t lfanew = rd32(d + 0x3C);
    if (!in_file(pe->size, lfanew, 4 + PE_FILE_HEADER_SIZE))
        return errbuf_fail(err, errlen, "%s: e_lfanew 0x%x points past the end of the file", name, lfanew);
    if (rd32(d + lfanew) != PE_NT_SIGNATURE)
        return errbuf_fail(err, errlen, "%s: no PE signature at e_lfanew 0x%x", name, lfanew);
    const uint8_t *fh = d + lfanew + 4;
    pe->machine = rd16(fh);
    if (pe->machine != PE_MACHINE_I386 && pe->machine != PE_MACHINE_AMD64)
        return errbuf_fail(err, errlen, "%s: machine 0x%x, not i386 (0x%x) or amd64 (0x%x)", name, pe->machine,
                           PE_MACHINE_I386, PE_MACHINE_AMD64);
    pe->n_sections = rd16(fh + 2);
    if (pe->n_sections < PE_MIN_SECTIONS || pe->n_sections > PE_MAX_SECTIONS)
        return errbuf_fail(err, errlen, "%s: %u sections (an image has %d..%d)", name, pe->n_sections,
                           PE_MIN_SECTIONS, PE_MAX_SECTIONS);
    pe->symtab_off = rd32(fh + 8);
    pe->n_symbols = rd32(fh + 12);
    *opt_size = rd16(fh + 16);
    pe->characteristics = rd16(fh + 18);
    *opt = (size_t)lfanew + 4 + PE_FILE_HEADER_SIZE;
    return 0;
}

/* Alignments, base and sizes as NT's loader requires them. 0, or -1 with err. */
static int check_layout(const struct pe_image *pe, const char *name, char *err, size_t errlen)
{
    uint32_t sa = pe->section_alignment, fa = pe->file_alignment;
    if (!pow2(sa) || !pow2(fa) || fa > sa || fa > PE_MAX_FILE_ALIGNMENT || (fa < PE_MIN_FILE_ALIGNMENT && fa != sa))
        return errbuf_fail(err, errlen, "%s: bad alignment (section 0x%x, file 0x%x)", name, sa, fa);
    /* a PE32 image lies below 4 GiB; a PE32+ one in the 48-bit canonical space */
    const uint64_t top = pe->machine == PE_MACHINE_AMD64 ? 1ull << 47 : 1ull << 32;
    if (pe->image_base % PE_PAGE_SIZE)
        return errbuf_fail(err, errlen, "%s: ImageBase 0x%llx is not page aligned", name,
                           (unsigned long long)pe->image_base);
    if (!pe->size_of_image || pe->size_of_image > PE_MAX_IMAGE_SIZE ||
        (pe->image_base < top && pe->image_base + pe->size_of_image > top))
        return errbuf_fail(err, errlen, "%s: SizeOfImage 0x%x at ImageBase 0x%llx (at most 0x%x, not across 0x%llx)",
                           name, pe->size_of_image, (unsigned long long)pe->image_base, PE_MAX_IMAGE_SIZE,
                           (unsigned long long)top);
    if (!pe->size_of_headers || pe->size_of_headers > pe->size_of_image || pe->size_of_headers > pe->size)
        return errbuf_fail(err, errlen, "%s: SizeOfHeaders 0x%x outside the image or the file", name,
                           pe->size_of_headers);
    if (pe->entry_rva >= pe->size_of_image)
        return errbuf_fail(err, errlen, "%s: AddressOfEntryPoint 0x%x outside SizeOfImage 0x%x", name,
                           pe->entry_rva, pe->size_of_image);
    return 0;
}

/* IMAGE_OPTIONAL_HEADER32 (i386) or IMAGE_OPTIONAL_HEADER64 (amd64) and its data directories.
   0, or -1 with err. */
static int parse_optional_header(struct pe_image *pe, size_t opt, uint16_t opt_size, const char *name,
                                 char *err, size_t errlen)
{
    const int plus = pe->machine == PE_MACHINE_AMD64;
    const unsigned fixed = plus ? PE_OPTIONAL_HEADER64_FIXED : PE_OPTIONAL_HEADER_FIXED;
    const unsigned magic = plus ? PE_OPTIONAL_MAGIC_PE32PLUS : PE_OPTIONAL_MAGIC_PE32;
    if (opt_size < fixed || !in_file(pe->size, opt, opt_size))
        return errbuf_fail(err, errlen, "%s: optional header of %u bytes (truncated?)", name, opt_size);
    const uint8_t *o = pe->data + opt;
    if (rd16(o) != magic)
        return errbuf_fail(err, errlen, "%s: optional header magic 0x%x, not %s (0x%x) as its machine needs", name,
                           rd16(o), plus ? "PE32+" : "PE32", magic);
    pe->entry_rva = rd32(o + 16);
    pe->image_base = plus ? (uint64_t)rd32(o + 24) | (uint64_t)rd32(o + 28) << 32 : rd32(o + 28);
    pe->section_alignment = rd32(o + 32);
    pe->file_alignment = rd32(o + 36);
    pe->size_of_image = rd32(o + 56);
    pe->size_of_headers = rd32(o + 60);
    pe->subsystem = rd16(o + 68);
    pe->n_dirs = rd32(o + fixed - 4);
    if (pe->n_dirs > PE_MAX_DIRECTORIES || fixed + (uint64_t)pe->n_dirs * 8 > opt_size)
        return errbuf_fail(err, errlen, "%s: %u data directories do not fit the optional header", name, pe->n_dirs);
    if (check_layout(pe, name, err, errlen) < 0)
        return -1;
    for (uint32_t i = 0; i < pe->n_dirs; i++) {
        pe->dirs[i].rva = rd32(o + fixed + i * 8);
        pe->dirs[i].size = rd32(o + fixed + i * 8 + 4);
        if (i == PE_DIR_SECURITY || (!pe->dirs[i].rva && !pe->dirs[i].size))
            continue;
        if ((uint64_t)pe->dirs[i].rva + pe->dirs[i].size > pe->size_of_image)
            return errbuf_fail(err, errlen, "%s: data directory %u [0x%x, +0x%x) outside SizeOfImage 0x%x", name,
                               i, pe->dirs[i].rva, pe->dirs[i].size, pe->size_of_image);
    }
    return 0;
}

/* One section header, checked on its own: inside the image, its data inside the file. */
static int parse_section(struct pe_image *pe, unsigned i, const uint8_t *sh, const char *name, char *err,
                         size_t errlen)
{
    struct pe_section *s = &pe->sections[i];
    memcpy(s->name, sh, 8);
    s->name[8] = '\0';
    s->vsize = rd32(sh + 8);
    s->va = rd32(sh + 12);
    s->raw_size = rd32(sh + 16);
    s->raw_off = rd32(sh + 20);
    s->characteristics = rd32(sh + 36);
    if (!s->vsize)
        s->vsize = s->raw_size;   /* as NT's loader reads such a section */
    if (!s->vsize)
        return errbuf_fail(err, errlen, "%s: section %u (%s) is empty", name, i, s->name);
    if (s->va < pe->size_of_headers || s->va % pe->section_alignment)
        return errbuf_fail(err, errlen, "%s: section %u (%s) at RVA 0x%x overlaps the headers or is unaligned",
                           name, i, s->name, s->va);
    if ((uint64_t)s->va + s->vsize > pe->size_of_image)
        return errbuf_fail(err, errlen, "%s: section %u (%s) [0x%x, +0x%x) outside SizeOfImage 0x%x", name, i,
                           s->name, s->va, s->vsize, pe->size_of_image);
    if (s->raw_size && !in_file(pe->size, s->raw_off, s->raw_size))
        return errbuf_fail(err, errlen, "%s: section %u (%s) data [0x%x, +0x%x) past the end of the file", name,
                           i, s->name, s->raw_off, s->raw_size);
    if (s->raw_size > s->vsize)
        s->raw_size = s->vsize;   /* file bytes past the virtual size are never mapped */
    return 0;
}

/* The section table: each section sound, in ascending order, none overlapping the next. */
static int parse_sections(struct pe_image *pe, size_t table, const char *name, char *err, size_t errlen)
{
    if (!in_file(pe->size, table, (uint64_t)pe->n_sections * PE_SECTION_HEADER_SIZE) ||
        table + (uint64_t)pe->n_sections * PE_SECTION_HEADER_SIZE > pe->size_of_headers)
        return errbuf_fail(err, errlen, "%s: the section table runs past the headers or the file", name);
    uint64_t next = 0;
    for (unsigned i = 0; i < pe->n_sections; i++) {
        if (parse_section(pe, i, pe->data + table + (size_t)i * PE_SECTION_HEADER_SIZE, name, err, errlen) < 0)
            return -1;
        const struct pe_section *s = &pe->sections[i];
        if (s->va < next)
            return errbuf_fail(err, errlen, "%s: section %u (%s) at RVA 0x%x overlaps the one before it", name, i,
                               s->name, s->va);
        uint64_t a = pe->section_alignment;
        next = ((uint64_t)s->va + s->vsize + a - 1) / a * a;
    }
    return 0;
}

/* The COFF symbol table and the string table after it; left out (n_symbols 0) when either is unusable. */
static void parse_coff_table(struct pe_image *pe)
{
    uint64_t bytes = (uint64_t)pe->n_symbols * PE_COFF_SYMBOL_SIZE;
    pe->strtab_off = pe->strtab_size = 0;
    if (!pe->symtab_off || !pe->n_symbols || pe->n_symbols > COFF_MAX_SYMBOLS ||
        !in_file(pe->size, pe->symtab_off, bytes)) {
        pe->n_symbols = 0;
        return;
    }
    uint64_t st = pe->symtab_off + bytes;
    if (!in_file(pe->size, st, 4))
        return;   /* no string table: short names only */
    uint32_t len = rd32(pe->data + st);
    if (len < 4 || !in_file(pe->size, st, len)) {
        pe->n_symbols = 0;   /* long names would point into nothing */
        return;
    }
    pe->strtab_off = (uint32_t)st;
    pe->strtab_size = len;
}

int pe_parse(struct pe_image *pe, const uint8_t *data, size_t size, const char *name, char *err, size_t errlen)
{
    size_t opt = 0;
    uint16_t opt_size = 0;
    memset(pe, 0, sizeof(*pe));
    pe->data = data;
    pe->size = size;
    if (parse_file_header(pe, name, &opt, &opt_size, err, errlen) < 0 ||
        parse_optional_header(pe, opt, opt_size, name, err, errlen) < 0 ||
        parse_sections(pe, opt + opt_size, name, err, errlen) < 0)
        return -1;
    parse_coff_table(pe);
    return 0;
}

/* ---------------------------------------------------------------- RVAs */

const struct pe_section *pe_section_at(const struct pe_image *pe, uint32_t rva)
{
    for (unsigned i = 0; i < pe->n_sections; i++) {
        const struct pe_section *s = &pe->sections[i];
        if (rva >= s->va && rva - s->va < s->vsize)
            return s;
    }
    return NULL;
}

bool pe_rva_to_off(const struct pe_image *pe, uint32_t rva, uint32_t len, size_t *off)
{
    if (rva < pe->size_of_headers) {
        if ((uint64_t)rva + len > pe->size_of_headers)
            return false;
        *off = rva;
        return true;
    }
    const struct pe_section *s = pe_section_at(pe, rva);
    if (!s || (uint64_t)(rva - s->va) + len > s->raw_size)
        return false;   /* not file-backed (or runs out of its section) */
    *off = (size_t)s->raw_off + (rva - s->va);
    return true;
}

const char *pe_string_at(const struct pe_image *pe, uint32_t rva, size_t max)
{
    size_t off;
    if (!pe_rva_to_off(pe, rva, 1, &off))
        return NULL;
    /* the string must end inside the same file-backed stretch */
    const struct pe_section *s = rva < pe->size_of_headers ? NULL : pe_section_at(pe, rva);
    size_t limit = s ? (size_t)s->raw_off + s->raw_size : pe->size_of_headers;
    const uint8_t *p = pe->data + off;
    const void *nul = memchr(p, '\0', limit - off < max + 1 ? limit - off : max + 1);
    return nul ? (const char *)p : NULL;
}

/* ---------------------------------------------------------------- exports */

struct export_dir {
    uint32_t n_functions, n_names, functions, names, ordinals;
};

/* IMAGE_EXPORT_DIRECTORY with its three arrays in the file. 0, or -1 with err. */
static int read_export_dir(const struct pe_image *pe, struct export_dir *x, const char **dll_name,
                           char *err, size_t errlen)
{
    size_t off;
    if (!pe_rva_to_off(pe, pe->dirs[PE_DIR_EXPORT].rva, PE_EXPORT_DIRECTORY_SIZE, &off))
        return errbuf_fail(err, errlen, "export directory at RVA 0x%x is not in the file",
                           pe->dirs[PE_DIR_EXPORT].rva);
    const uint8_t *d = pe->data + off;
    uint32_t name_rva = rd32(d + 12);
    x->n_functions = rd32(d + 20);
    x->n_names = rd32(d + 24);
    x->functions = rd32(d + 28);
    x->names = rd32(d + 32);
    x->ordinals = rd32(d + 36);
    const char *dll = name_rva ? pe_string_at(pe, name_rva, PE_MAX_EXPORT_NAME) : NULL;
    if (name_rva && !dll)
        return errbuf_fail(err, errlen, "export directory Name at RVA 0x%x is not a string in the file", name_rva);
    if (dll_name)
        *dll_name = dll;
    if (x->n_functions > PE_MAX_EXPORTS || x->n_names > x->n_functions)
        return errbuf_fail(err, errlen, "export directory: %u functions, %u names", x->n_functions, x->n_names);
    if ((x->n_functions && !pe_rva_to_off(pe, x->functions, x->n_functions * 4, &off)) ||
        (x->n_names && (!pe_rva_to_off(pe, x->names, x->n_names * 4, &off) ||
                        !pe_rva_to_off(pe, x->ordinals, x->n_names * 2, &off))))
        return errbuf_fail(err, errlen, "export directory: its arrays are not in the file");
    return 0;
}

static uint32_t rva_u32(const struct pe_image *pe, uint32_t rva)
{
    size_t off;
    return pe_rva_to_off(pe, rva, 4, &off) ? rd32(pe->data + off) : 0;
}

long pe_exports(const struct pe_image *pe, const char **dll_name,
                void (*fn)(void *ctx, const char *name, uint32_t rva), void *ctx, char *err, size_t errlen)
{
    struct export_dir x = { 0 };
    if (dll_name)
        *dll_name = NULL;
    if (pe->n_dirs <= PE_DIR_EXPORT || !pe->dirs[PE_DIR_EXPORT].size)
        return 0;
    if (read_export_dir(pe, &x, dll_name, err, errlen) < 0)
        return -1;
    uint32_t dir_lo = pe->dirs[PE_DIR_EXPORT].rva, dir_size = pe->dirs[PE_DIR_EXPORT].size;
    long count = 0;
    for (uint32_t i = 0; i < x.n_names; i++) {
        size_t off;
        pe_rva_to_off(pe, x.ordinals + i * 2, 2, &off);   /* checked by read_export_dir */
        uint16_t ord = rd16(pe->data + off);
        uint32_t name_rva = rva_u32(pe, x.names + i * 4);
        const char *nm = name_rva ? pe_string_at(pe, name_rva, PE_MAX_EXPORT_NAME) : NULL;
        if (!nm)
            return errbuf_fail(err, errlen, "export %u: its name is not a string in the file", i);
        if (ord >= x.n_functions)
            continue;   /* an ordinal past the table names nothing */
        uint32_t rva = rva_u32(pe, x.functions + (uint32_t)ord * 4);
        if (!rva || rva >= pe->size_of_image || rva - dir_lo < dir_size)
            continue;   /* empty, outside the image, or a forwarder ("dll.name" inside the directory) */
        fn(ctx, nm, rva);
        count++;
    }
    return count;
}

/* ---------------------------------------------------------------- COFF symbols */

/* The symbol's name: 8 bytes inline, or (first 4 bytes zero) an offset into the string table. */
static const char *coff_name(const struct pe_image *pe, const uint8_t *rec, char short_name[9])
{
    if (rd32(rec)) {
        memcpy(short_name, rec, 8);
        short_name[8] = '\0';
        return short_name;
    }
    uint32_t off = rd32(rec + 4);
    if (!pe->strtab_size || off < 4 || off >= pe->strtab_size)
        return NULL;
    const char *s = (const char *)pe->data + pe->strtab_off + off;
    return memchr(s, '\0', pe->strtab_size - off) ? s : NULL;
}

size_t pe_coff_symbols(const struct pe_image *pe, void (*fn)(void *ctx, const struct pe_symbol *s), void *ctx)
{
    size_t count = 0;
    for (uint32_t i = 0; i < pe->n_symbols; i++) {
        const uint8_t *rec = pe->data + pe->symtab_off + (size_t)i * PE_COFF_SYMBOL_SIZE;
        char short_name[9];
        struct pe_symbol s = {
            .name = coff_name(pe, rec, short_name), .value = rd32(rec + 8), .section = (int16_t)rd16(rec + 12),
            .type = rd16(rec + 14), .storage_class = rec[16], .n_aux = rec[17],
        };
        i += s.n_aux;   /* the aux records describe this symbol; a count past the end just ends the loop */
        if (!s.name)
            continue;
        fn(ctx, &s);
        count++;
    }
    return count;
}
