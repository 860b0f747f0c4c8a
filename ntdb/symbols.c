/* Symbol tables from ELF32 images, and lookups by name, pattern and address. */
#define _GNU_SOURCE
#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <nt/layout.h>
#include "base/errbuf.h"
#include "pe.h"
#include "symbols.h"

void symtab_init(struct symtab *t)
{
    memset(t, 0, sizeof(*t));
}

void symtab_free(struct symtab *t)
{
    for (size_t i = 0; i < t->n; i++) {
        for (size_t j = 0; j < t->mods[i].n; j++)
            free(t->mods[i].syms[j].name);
        free(t->mods[i].syms);
    }
    memset(t, 0, sizeof(*t));
}

/* Module names: letters, digits, '_', '-', '.' (no '!', no wildcards). */
static bool good_module_name(const char *name)
{
    size_t len = strlen(name);
    if (!len || len > SYM_MAX_MODULE_NAME)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
            return false;
    return true;
}

struct sym_module *symtab_add_module(struct symtab *t, const char *name, uint32_t base, uint32_t end)
{
    if (t->n >= SYM_MAX_MODULES || !good_module_name(name) || end <= base || symtab_module(t, name))
        return NULL;
    struct sym_module *m = &t->mods[t->n++];
    memset(m, 0, sizeof(*m));
    snprintf(m->name, sizeof(m->name), "%s", name);
    m->base = base;
    m->end = end;
    return m;
}

/* Symbol names: printable ASCII without spaces or '!'. */
static bool good_symbol_name(const char *name, size_t len)
{
    if (!len || len > SYM_MAX_NAME)
        return false;
    for (size_t i = 0; i < len; i++)
        if (name[i] <= ' ' || name[i] >= 0x7F || name[i] == '!')
            return false;
    return true;
}

int sym_module_add(struct sym_module *m, const char *name, uint32_t addr, unsigned rank)
{
    size_t len = strlen(name);
    if (!good_symbol_name(name, len) || m->n >= SYM_MAX_SYMBOLS)
        return -1;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct sym *s = realloc(m->syms, cap * sizeof(*s));
        if (!s)
            return -1;
        m->syms = s;
        m->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return -1;
    m->syms[m->n++] = (struct sym){ .addr = addr, .rank = (uint8_t)(rank > 255 ? 255 : rank), .name = copy };
    return 0;
}

/* Address order; at one address the preferred name first (rank, then name:
   NtReadFile before ZwReadFile, as the debugger shows them). */
static int sym_cmp(const void *a, const void *b)
{
    const struct sym *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Whether the run of symbols [first, i) at one address already has s's name. */
static bool name_in_run(const struct sym *first, const struct sym *end, const char *name)
{
    for (const struct sym *p = first; p < end; p++)
        if (!strcmp(p->name, name))
            return true;
    return false;
}

/* Sorts, then drops a name repeated at one address (a PE export and its COFF
   symbol): the copy with the preferred rank, which sorts first, stays. */
void sym_module_finish(struct sym_module *m)
{
    if (!m->n)
        return;
    qsort(m->syms, m->n, sizeof(*m->syms), sym_cmp);
    size_t out = 0, run = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (out && m->syms[out - 1].addr != m->syms[i].addr)
            run = out;
        if (name_in_run(m->syms + run, m->syms + out, m->syms[i].name)) {
            free(m->syms[i].name);
            continue;
        }
        m->syms[out++] = m->syms[i];
    }
    m->n = out;
}

/* ---------------------------------------------------------------- ELF32 */

static void drop_last_module(struct symtab *t)
{
    struct sym_module *m = &t->mods[--t->n];
    for (size_t j = 0; j < m->n; j++)
        free(m->syms[j].name);
    free(m->syms);
    memset(m, 0, sizeof(*m));
}

static bool in_file(size_t size, uint64_t off, uint64_t len)
{
    return off <= size && len <= size - off;
}

/* Preference among names at one address: global functions and objects first,
   local labels and names starting with '_' last. */
static unsigned rank_of(const Elf32_Sym *s, const char *name)
{
    unsigned bind = ELF32_ST_BIND(s->st_info), type = ELF32_ST_TYPE(s->st_info);
    unsigned r = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 2 : 4;
    if (type != STT_FUNC && type != STT_OBJECT)
        r += 1;
    if (name[0] == '_')
        r += 8;
    return r;
}

/*
 * The module's range: its PT_LOAD segments -- the biggest cluster of them,
 * so that a kernel's low identity-mapped boot segment does not stretch nt
 * over the whole user address space. 0, or -1 with err.
 */
static int elf_range(const Elf32_Ehdr *eh, const uint8_t *data, size_t size, const char *image, uint64_t *lo,
                     uint64_t *hi, char *err, size_t errlen)
{
    if (eh->e_phnum == 0 || eh->e_phnum > 256 || eh->e_phentsize != sizeof(Elf32_Phdr) ||
        !in_file(size, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr)))
        return errbuf_fail(err, errlen, "%s: bad program header table", image);
    struct { uint64_t lo, hi; } seg[256];
    unsigned nseg = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf32_Phdr ph;
        memcpy(&ph, data + eh->e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        uint64_t end = (uint64_t)ph.p_vaddr + ph.p_memsz;
        if (end > 0x100000000ull)
            return errbuf_fail(err, errlen, "%s: segment %u runs past 4 GiB", image, i);
        unsigned j = nseg++;
        while (j > 0 && seg[j - 1].lo > ph.p_vaddr) {   /* insertion sort by address */
            seg[j] = seg[j - 1];
            j--;
        }
        seg[j].lo = ph.p_vaddr;
        seg[j].hi = end;
    }
    if (!nseg)
        return errbuf_fail(err, errlen, "%s: no loadable segment", image);
    uint64_t best = 0;
    *lo = *hi = 0;
    for (unsigned i = 0; i < nseg;) {
        uint64_t clo = seg[i].lo, chi = seg[i].hi, bytes = 0;
        unsigned j = i;
        for (; j < nseg && seg[j].lo <= chi + SYM_CLUSTER_GAP; j++) {
            bytes += seg[j].hi - seg[j].lo;
            if (seg[j].hi > chi)
                chi = seg[j].hi;
        }
        if (bytes > best) {
            best = bytes;
            *lo = clo;
            *hi = chi;
        }
        i = j;
    }
    if (*hi == 0x100000000ull)
        *hi = 0xFFFFFFFFull;   /* [base, end) cannot name the last byte: lose it */
    return 0;
}

/* The symbol table and its string table, checked to lie in the file. 0, or -1 with err. */
static int elf_symbol_sections(const Elf32_Ehdr *eh, const uint8_t *data, size_t size, const char *image,
                               Elf32_Shdr *symsh, Elf32_Shdr *strsh, char *err, size_t errlen)
{
    if (eh->e_shnum == 0 || eh->e_shnum >= SHN_LORESERVE || eh->e_shentsize != sizeof(Elf32_Shdr) ||
        !in_file(size, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf32_Shdr)))
        return errbuf_fail(err, errlen, "%s: bad section header table", image);
    bool found = false;
    for (unsigned i = 0; i < eh->e_shnum && !found; i++) {
        memcpy(symsh, data + eh->e_shoff + (size_t)i * sizeof(*symsh), sizeof(*symsh));
        found = symsh->sh_type == SHT_SYMTAB;
    }
    if (!found)
        return errbuf_fail(err, errlen, "%s: no symbol table (stripped?)", image);
    if (symsh->sh_entsize != sizeof(Elf32_Sym) || symsh->sh_size % sizeof(Elf32_Sym) ||
        !in_file(size, symsh->sh_offset, symsh->sh_size))
        return errbuf_fail(err, errlen, "%s: bad symbol table section", image);
    if (symsh->sh_link == 0 || symsh->sh_link >= eh->e_shnum)
        return errbuf_fail(err, errlen, "%s: symbol table has no string table", image);
    memcpy(strsh, data + eh->e_shoff + (size_t)symsh->sh_link * sizeof(*strsh), sizeof(*strsh));
    if (strsh->sh_type != SHT_STRTAB || !in_file(size, strsh->sh_offset, strsh->sh_size) || strsh->sh_size == 0 ||
        data[strsh->sh_offset + strsh->sh_size - 1] != '\0')
        return errbuf_fail(err, errlen, "%s: bad string table", image);
    size_t nsyms = symsh->sh_size / sizeof(Elf32_Sym);
    if (nsyms > SYM_MAX_SYMBOLS)
        return errbuf_fail(err, errlen, "%s: %zu symbols, more than %u", image, nsyms, SYM_MAX_SYMBOLS);
    return 0;
}

/* The symbols of the table that name code or data inside the module; -1 when out of memory. */
static int add_elf_symbols(struct sym_module *m, const uint8_t *data, const Elf32_Shdr *symsh,
                           const Elf32_Shdr *strsh)
{
    const char *strtab = (const char *)data + strsh->sh_offset;
    size_t nsyms = symsh->sh_size / sizeof(Elf32_Sym);
    for (size_t i = 1; i < nsyms; i++) {
        Elf32_Sym s;
        memcpy(&s, data + symsh->sh_offset + i * sizeof(s), sizeof(s));
        unsigned type = ELF32_ST_TYPE(s.st_info);
        if (type == STT_SECTION || type == STT_FILE || s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE)
            continue;   /* absolute symbols belong to other images (a program's ntdll imports) */
        if (s.st_name >= strsh->sh_size || s.st_value < m->base || s.st_value >= m->end)
            continue;
        const char *nm = strtab + s.st_name;   /* NUL-terminated: the table ends in NUL */
        if (!strncmp(nm, ".L", 2) || !good_symbol_name(nm, strlen(nm)))
            continue;
        if (sym_module_add(m, nm, s.st_value, rank_of(&s, nm)) < 0)
            return -1;
    }
    return 0;
}

int symtab_load_elf(struct symtab *t, const char *name, const char *image, const uint8_t *data,
                    size_t size, char *err, size_t errlen)
{
    Elf32_Ehdr eh;
    if (size < sizeof(eh))
        return errbuf_fail(err, errlen, "%s: too small for an ELF header", image);
    memcpy(&eh, data, sizeof(eh));
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG))
        return errbuf_fail(err, errlen, "%s: not an ELF file", image);
    if (eh.e_ident[EI_CLASS] != ELFCLASS32 || eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_386)
        return errbuf_fail(err, errlen, "%s: not an ELF32 little-endian i386 image", image);
    uint64_t lo, hi;
    Elf32_Shdr symsh = { 0 }, strsh = { 0 };
    if (elf_range(&eh, data, size, image, &lo, &hi, err, errlen) < 0 ||
        elf_symbol_sections(&eh, data, size, image, &symsh, &strsh, err, errlen) < 0)
        return -1;
    struct sym_module *m = symtab_add_module(t, name, (uint32_t)lo, (uint32_t)hi);
    if (!m)
        return errbuf_fail(err, errlen,
                "%s: cannot add module '%s' (bad name, taken, or table full)", image, name);
    if (add_elf_symbols(m, data, &symsh, &strsh) < 0) {
        drop_last_module(t);
        return errbuf_fail(err, errlen, "%s: out of memory for symbols", image);
    }
    snprintf(m->image, sizeof(m->image), "%s", image);
    sym_module_finish(m);
    return 0;
}

/* ---------------------------------------------------------------- PE32 */

void sym_undecorate(const char *in, bool c_prefix, char *out, size_t len)
{
    if (!len)
        return;
    if (c_prefix && (in[0] == '_' || in[0] == '@'))
        in++;   /* i386 C names: _cdecl, _stdcall@N, @fastcall@N */
    size_t n = strlen(in), cut = n;
    while (cut > 0 && isdigit((unsigned char)in[cut - 1]))
        cut--;
    if (cut > 1 && cut < n && in[cut - 1] == '@')
        n = cut - 1;   /* the stdcall/fastcall argument bytes */
    if (n >= len)
        n = len - 1;
    memcpy(out, in, n);
    out[n] = '\0';
}

struct pe_load {
    struct sym_module *m;
    const struct pe_image *pe;
    uint32_t base;
    bool oom;
};

static void add_pe_symbol(struct pe_load *l, const char *raw, bool c_prefix, uint32_t rva, unsigned rank)
{
    char name[SYM_MAX_NAME + 2];
    sym_undecorate(raw, c_prefix, name, sizeof(name));
    uint32_t addr = l->base + rva;
    if (!good_symbol_name(name, strlen(name)) || addr < l->m->base || addr >= l->m->end)
        return;
    if (name[0] == '_')
        rank += 8;   /* still an underscore: the runtime's and the linker's own names */
    if (sym_module_add(l->m, name, addr, rank) < 0)
        l->oom = true;
}

static void on_pe_export(void *ctx, const char *name, uint32_t rva)
{
    add_pe_symbol(ctx, name, false, rva, 0);   /* exports are the names the image gives itself */
}

/* External and static functions and data in a section; not section (".text"), file or label records. */
static void on_coff_symbol(void *ctx, const struct pe_symbol *s)
{
    struct pe_load *l = ctx;
    bool external = s->storage_class == PE_SYM_CLASS_EXTERNAL;
    if ((!external && s->storage_class != PE_SYM_CLASS_STATIC) || s->section < 1 ||
        (unsigned)s->section > l->pe->n_sections || s->name[0] == '.')
        return;
    const struct pe_section *sec = &l->pe->sections[s->section - 1];
    if (s->value > sec->vsize)
        return;   /* past its section (the end label of one is still in it) */
    bool func = (s->type & 0x30) == PE_SYM_DTYPE_FUNCTION;
    add_pe_symbol(l, s->name, true, sec->va + s->value, (external ? 1 : 4) + (func ? 0 : 1));
}

int symtab_load_pe(struct symtab *t, const char *name, const char *image, const uint8_t *data, size_t size,
                   uint32_t base, char *err, size_t errlen)
{
    struct pe_image *pe = malloc(sizeof(*pe));
    if (!pe)
        return errbuf_fail(err, errlen, "%s: out of memory", image);
    char why[256];
    int rc = -1;
    if (pe_parse(pe, data, size, image, err, errlen) < 0)
        goto out;
    struct pe_load l = { .pe = pe, .base = base ? base : pe->image_base };
    if ((uint64_t)l.base + pe->size_of_image >= 0x100000000ull) {   /* [base, end) cannot end at 4 GiB */
        rc = errbuf_fail(err, errlen, "%s: 0x%x bytes at 0x%x run past 4 GiB", image, pe->size_of_image, l.base);
        goto out;
    }
    l.m = symtab_add_module(t, name, l.base, l.base + pe->size_of_image);
    if (!l.m) {
        rc = errbuf_fail(err, errlen, "%s: cannot add module '%s' (bad name, taken, or table full)", image, name);
        goto out;
    }
    const char *dll = NULL;
    if (pe_exports(pe, &dll, on_pe_export, &l, why, sizeof(why)) < 0 || (dll && !good_symbol_name(dll, strlen(dll))))
        dll = NULL;   /* a hostile export directory: what it names is left out, the COFF symbols stay */
    pe_coff_symbols(pe, on_coff_symbol, &l);
    if (l.oom) {
        drop_last_module(t);
        rc = errbuf_fail(err, errlen, "%s: out of memory for symbols", image);
        goto out;
    }
    /* a DLL's own name for itself, as NT's loader lists it; else the file's */
    snprintf(l.m->image, sizeof(l.m->image), "%s", dll && (pe->characteristics & PE_FILE_DLL) ? dll : image);
    sym_module_finish(l.m);
    rc = 0;
out:
    free(pe);
    return rc;
}

/* The whole file at path, at most SYM_MAX_IMAGE bytes, into *buf (free it); 0, or -1 with err. */
static int read_image_file(const char *path, uint8_t **buf, size_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errbuf_fail(err, errlen, "%s: %s", path, strerror(errno));
    *buf = malloc(SYM_MAX_IMAGE + 1);
    if (!*buf) {
        fclose(f);
        return errbuf_fail(err, errlen, "%s: out of memory", path);
    }
    *size = fread(*buf, 1, SYM_MAX_IMAGE + 1, f);
    int bad = ferror(f);
    fclose(f);
    int rc = 0;
    if (bad)
        rc = errbuf_fail(err, errlen, "%s: read error", path);
    else if (*size > SYM_MAX_IMAGE)
        rc = errbuf_fail(err, errlen, "%s: larger than %u MiB", path, SYM_MAX_IMAGE >> 20);
    if (rc < 0) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

static const char *path_base(const char *path)
{
    const char *base = strrchr(path, '/');
    return base ? base + 1 : path;
}

int symtab_load_elf_file(struct symtab *t, const char *name, const char *path, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t n;
    if (read_image_file(path, &buf, &n, err, errlen) < 0)
        return -1;
    int rc = symtab_load_elf(t, name, path_base(path), buf, n, err, errlen);
    free(buf);
    return rc;
}

int symtab_load_image_file(struct symtab *t, const char *name, const char *path, uint32_t base, char *err,
                           size_t errlen)
{
    uint8_t *buf;
    size_t n;
    if (read_image_file(path, &buf, &n, err, errlen) < 0)
        return -1;
    int rc;
    if (pe_looks_like(buf, n))
        rc = symtab_load_pe(t, name, path_base(path), buf, n, base, err, errlen);
    else if (n >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG))
        rc = symtab_load_elf(t, name, path_base(path), buf, n, err, errlen);   /* linked where it runs */
    else
        rc = errbuf_fail(err, errlen, "%s: neither a PE (MZ) nor an ELF image", path_base(path));
    free(buf);
    return rc;
}

int symtab_add_shared_user_data(struct symtab *t)
{
    struct sym_module *m = symtab_add_module(t, "SharedUserData", MM_SHARED_USER_DATA_VA,
                                             MM_SHARED_USER_DATA_VA + PAGE_SIZE);
    if (!m || sym_module_add(m, "SystemCallStub", MM_SHARED_USER_DATA_VA + USER_SHARED_SYSTEM_CALL, 0) < 0)
        return -1;
    sym_module_finish(m);
    return 0;
}

/* ---------------------------------------------------------------- lookups */

const struct sym_module *symtab_module(const struct symtab *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcasecmp(t->mods[i].name, name))
            return &t->mods[i];
    return NULL;
}

const struct sym_module *symtab_module_at(const struct symtab *t, uint32_t addr)
{
    for (size_t i = 0; i < t->n; i++)
        if (addr >= t->mods[i].base && addr < t->mods[i].end)
            return &t->mods[i];
    return NULL;
}

static bool module_lookup(const struct sym_module *m, const char *name, uint32_t *addr)
{
    /* the preferred name first: the lowest address with that name */
    for (size_t i = 0; i < m->n; i++) {
        if (!strcasecmp(m->syms[i].name, name)) {
            *addr = m->syms[i].addr;
            return true;
        }
    }
    return false;
}

bool symtab_lookup(const struct symtab *t, const char *expr, uint32_t *addr)
{
    const char *bang = strchr(expr, '!');
    if (bang) {
        char mod[SYM_MAX_MODULE_NAME + 1];
        size_t mlen = (size_t)(bang - expr);
        if (mlen == 0 || mlen > SYM_MAX_MODULE_NAME)
            return false;
        memcpy(mod, expr, mlen);
        mod[mlen] = '\0';
        const struct sym_module *m = symtab_module(t, mod);
        return m && module_lookup(m, bang + 1, addr);
    }
    for (size_t i = 0; i < t->n; i++)
        if (module_lookup(&t->mods[i], expr, addr))
            return true;
    const struct sym_module *m = symtab_module(t, expr);
    if (m) {
        *addr = m->base;
        return true;
    }
    return false;
}

bool symtab_nearest(const struct symtab *t, uint32_t addr, const struct sym_module **mod,
                    const struct sym **before, const struct sym **after)
{
    const struct sym_module *m = symtab_module_at(t, addr);
    *mod = m;
    *before = *after = NULL;
    if (!m)
        return false;
    /* binary search: the first symbol above addr */
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < m->n)
        *after = &m->syms[lo];
    if (lo > 0) {
        size_t i = lo - 1;
        uint32_t a = m->syms[i].addr;
        while (i > 0 && m->syms[i - 1].addr == a)
            i--;
        *before = &m->syms[i];   /* the preferred name at that address */
    }
    return true;
}

size_t sym_module_at(const struct sym_module *m, uint32_t addr, const struct sym **first)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->syms[mid].addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = 0;
    while (lo + n < m->n && m->syms[lo + n].addr == addr)
        n++;
    *first = n ? &m->syms[lo] : NULL;
    return n;
}

bool symtab_format(const struct symtab *t, uint32_t addr, char *buf, size_t len)
{
    const struct sym_module *m;
    const struct sym *before, *after;
    if (len)
        buf[0] = '\0';
    if (!symtab_nearest(t, addr, &m, &before, &after))
        return false;
    if (!before)
        snprintf(buf, len, "%s+0x%x", m->name, addr - m->base);
    else if (before->addr == addr)
        snprintf(buf, len, "%s!%s", m->name, before->name);
    else
        snprintf(buf, len, "%s!%s+0x%x", m->name, before->name, addr - before->addr);
    return true;
}

size_t symtab_match(const struct symtab *t, const char *mod_pattern, const char *pattern,
                    void (*fn)(void *ctx, const struct sym_module *m, const struct sym *s), void *ctx)
{
    size_t count = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct sym_module *m = &t->mods[i];
        if (fnmatch(mod_pattern, m->name, FNM_CASEFOLD | FNM_NOESCAPE))
            continue;
        for (size_t j = 0; j < m->n; j++) {
            if (fnmatch(pattern, m->syms[j].name, FNM_CASEFOLD | FNM_NOESCAPE))
                continue;
            fn(ctx, m, &m->syms[j]);
            count++;
        }
    }
    return count;
}
