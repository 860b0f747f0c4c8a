/* Multiboot 0.6.96 loader for ELF32 and ELF64 kernels; see multiboot.h.
 *
 * All file offsets and guest addresses are computed in uint64_t, so no sum of
 * two 32-bit quantities can wrap. Loading is two-phase: everything is
 * validated and laid out first (commit = 0), then written (commit = 1) by the
 * same code, so an error leaves guest memory untouched. */
#include <stdio.h>
#include <string.h>

#include "base/errbuf.h"
#include "multiboot.h"

/* ELF constants (kept local: no dependency on the host's <elf.h>). */
#define EI_NIDENT       16
#define EI_CLASS        4
#define EI_DATA         5
#define EI_VERSION      6
#define ELFCLASS32      1
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define ELFDATA2MSB     2
#define EV_CURRENT      1
#define ET_REL          1
#define ET_EXEC         2
#define ET_DYN          3
#define ET_CORE         4
#define EM_386          3
#define EM_X86_64       62
#define PT_LOAD         1
#define ELF32_EHDR_SIZE 52
#define ELF32_PHDR_SIZE 32
#define ELF64_EHDR_SIZE 64
#define ELF64_PHDR_SIZE 56
#define MB_HEADER_SIZE  12   /* magic, flags, checksum */

_Static_assert(MB_INFO_AREA_END <= MB_KERNEL_MIN_ADDR, "info area must lie below the kernel");
_Static_assert(MB_INFO_AREA_START >= 0x1000u, "page 0 must stay unused");
_Static_assert(MB_INFO_AREA_START % 8 == 0, "info area alignment");

/* ------------------------------------------------------------------ helpers */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

static const char *img_name(const struct mb_image *img, const char *dflt)
{
    return img && img->name && img->name[0] ? img->name : dflt;
}

const char *mb_error_name(int e)
{
    static const char *const names[] = {
        [MB_OK] = "ok",
        [MB_ERR_TRUNCATED] = "truncated",
        [MB_ERR_NOT_ELF] = "not ELF",
        [MB_ERR_WRONG_CLASS] = "wrong ELF class",
        [MB_ERR_WRONG_MACHINE] = "wrong machine",
        [MB_ERR_NOT_EXECUTABLE] = "not an executable",
        [MB_ERR_NO_HEADER] = "no multiboot header",
        [MB_ERR_BAD_HEADER] = "bad multiboot header",
        [MB_ERR_BAD_SEGMENT] = "bad segment",
        [MB_ERR_OVERLAP] = "overlap",
        [MB_ERR_OUT_OF_RANGE] = "out of range",
        [MB_ERR_TOO_LARGE] = "too large",
        [MB_ERR_BAD_ENTRY] = "bad entry point",
        [MB_ERR_NO_SPACE] = "no space",
        [MB_ERR_UNSUPPORTED] = "unsupported",
        [MB_ERR_INVALID_ARG] = "invalid argument",
    };

    if (e < 0 || (size_t)e >= sizeof names / sizeof names[0] || !names[e])
        return "unknown error";
    return names[e];
}

/* ---------------------------------------------------------------- ELF parse */

struct elf_seg {
    unsigned index;                /* program header number */
    uint32_t offset, filesz, memsz;
    uint64_t vaddr;                /* ELF64: a long-mode kernel's own addresses */
    uint32_t paddr;
    uint32_t addr;                 /* the one checked against the range: paddr or vaddr */
};

struct elf_info {
    uint64_t e_entry;
    uint32_t entry;                /* resolved entry (see mb_load) */
    unsigned n;                    /* PT_LOAD segments with p_memsz > 0 */
    struct elf_seg seg[MB_MAX_PHNUM];
    uint64_t lowest, highest;      /* [lowest, highest) of the segments' addr ranges */
};

enum { ADDR_PHYS, ADDR_VIRT };

/* What the header says, read by class. */
struct elf_header {
    unsigned elf_class;
    uint16_t e_type, e_machine, e_phentsize, e_phnum;
    uint32_t e_version;
    uint64_t e_entry, e_phoff;
};

/* The identification bytes and the header's size: an ELF32 (or, where allow64, an ELF64),
   little-endian, version 1. */
static int elf_check_ident(const uint8_t *d, uint64_t size, const char *name, int allow64, char *err,
                           size_t errlen)
{
    static const uint8_t magic[4] = { 0x7F, 'E', 'L', 'F' };
    if (size < sizeof magic) {
        if (size == 0 || memcmp(d, magic, (size_t)size) == 0)
            return errbuf_fail_code(err, errlen, MB_ERR_TRUNCATED,
                                    "%s: truncated: ELF header ends at 0x%x but file is 0x%llx bytes",
                                    name, ELF32_EHDR_SIZE, (unsigned long long)size);
        return errbuf_fail_code(err, errlen, MB_ERR_NOT_ELF, "%s: not an ELF file (bad magic)", name);
    }
    if (memcmp(d, magic, sizeof magic) != 0)
        return errbuf_fail_code(err, errlen, MB_ERR_NOT_ELF,
                                "%s: not an ELF file (magic %02x %02x %02x %02x, expected 7f 45 4c 46)",
                                name, d[0], d[1], d[2], d[3]);
    if (size < EI_NIDENT)
        return errbuf_fail_code(err, errlen, MB_ERR_TRUNCATED,
                                "%s: truncated: ELF header ends at 0x%x but file is 0x%llx bytes",
                                name, ELF32_EHDR_SIZE, (unsigned long long)size);
    if (d[EI_CLASS] != ELFCLASS32 && !(allow64 && d[EI_CLASS] == ELFCLASS64))
        return errbuf_fail_code(err, errlen, MB_ERR_WRONG_CLASS,
                "%s: EI_CLASS is %u (%s), expected 1 (ELFCLASS32)%s",
                name, d[EI_CLASS], d[EI_CLASS] == ELFCLASS64 ? "ELFCLASS64, a 64-bit ELF" : "invalid",
                allow64 ? " or 2 (ELFCLASS64)" : "");
    if (d[EI_DATA] != ELFDATA2LSB)
        return errbuf_fail_code(err, errlen, MB_ERR_WRONG_CLASS,
                "%s: EI_DATA is %u (%s), expected 1 (ELFDATA2LSB)",
                name, d[EI_DATA], d[EI_DATA] == ELFDATA2MSB ? "big-endian" : "invalid");
    if (d[EI_VERSION] != EV_CURRENT)
        return errbuf_fail_code(err, errlen, MB_ERR_NOT_ELF,
                "%s: EI_VERSION is %u, expected 1", name, d[EI_VERSION]);
    unsigned ehdr_size = d[EI_CLASS] == ELFCLASS64 ? ELF64_EHDR_SIZE : ELF32_EHDR_SIZE;
    if (size < ehdr_size)
        return errbuf_fail_code(err, errlen, MB_ERR_TRUNCATED,
                                "%s: truncated: ELF header ends at 0x%x but file is 0x%llx bytes",
                                name, ehdr_size, (unsigned long long)size);
    return MB_OK;
}

static void elf_read_header(const uint8_t *d, struct elf_header *h)
{
    h->elf_class = d[EI_CLASS];
    h->e_type = rd16(d + 16);
    h->e_machine = rd16(d + 18);
    h->e_version = rd32(d + 20);
    if (h->elf_class == ELFCLASS64) {
        h->e_entry = rd64(d + 24);
        h->e_phoff = rd64(d + 32);
        h->e_phentsize = rd16(d + 54);
        h->e_phnum = rd16(d + 56);
    } else {
        h->e_entry = rd32(d + 24);
        h->e_phoff = rd32(d + 28);
        h->e_phentsize = rd16(d + 42);
        h->e_phnum = rd16(d + 44);
    }
}

/* The ELF header proper: an ET_EXEC for i386 (ELFCLASS32) or x86-64 (ELFCLASS64) whose program
   headers lie in the file. */
static int elf_check_header(const struct elf_header *h, uint64_t size, const char *name, char *err, size_t errlen)
{
    const int is64 = h->elf_class == ELFCLASS64;
    const unsigned want_machine = is64 ? EM_X86_64 : EM_386, phdr_size = is64 ? ELF64_PHDR_SIZE : ELF32_PHDR_SIZE;
    if (h->e_type != ET_EXEC)
        return errbuf_fail_code(err, errlen, MB_ERR_NOT_EXECUTABLE,
                "%s: e_type is %u (%s), expected 2 (ET_EXEC)", name,
                h->e_type, h->e_type == ET_DYN ? "ET_DYN, a shared object or PIE" : h->e_type == ET_REL
                ? "ET_REL, an object file" : h->e_type == ET_CORE ? "ET_CORE" : "unknown");
    if (h->e_machine != want_machine)
        return errbuf_fail_code(err, errlen, MB_ERR_WRONG_MACHINE,
                "%s: e_machine is %u%s, expected %s", name, h->e_machine,
                h->e_machine == EM_X86_64 ? " (EM_X86_64)" : h->e_machine == EM_386 ? " (EM_386)" : "",
                is64 ? "62 (EM_X86_64) in an ELFCLASS64 image" : "3 (EM_386)");
    if (h->e_version != EV_CURRENT)
        return errbuf_fail_code(err, errlen, MB_ERR_NOT_ELF,
                "%s: e_version is %u, expected 1", name, h->e_version);
    if (h->e_phentsize != phdr_size)
        return errbuf_fail_code(err, errlen, MB_ERR_BAD_SEGMENT, "%s: e_phentsize is %u, expected %u", name,
                                h->e_phentsize, phdr_size);
    if (h->e_phnum == 0)
        return errbuf_fail_code(err, errlen, MB_ERR_BAD_SEGMENT, "%s: no program headers (e_phnum is 0)", name);
    if (h->e_phnum > MB_MAX_PHNUM)
        return errbuf_fail_code(err, errlen, MB_ERR_TOO_LARGE,
                "%s: e_phnum is %u, at most %u program headers supported",
                name, h->e_phnum, MB_MAX_PHNUM);
    if (h->e_phoff > size || (uint64_t)h->e_phnum * phdr_size > size - h->e_phoff)
        return errbuf_fail_code(err, errlen, MB_ERR_TRUNCATED,
                                "%s: truncated: program headers end at 0x%llx but file is 0x%llx bytes",
                                name, (unsigned long long)(h->e_phoff + (uint64_t)h->e_phnum * phdr_size),
                                (unsigned long long)size);
    return MB_OK;
}

/* What the segment checks need besides the segment itself. */
struct seg_limits {
    const char *name, *what;       /* the image, and "physical" or "virtual" */
    uint64_t size, lo, hi, max_size;
};

/*
 * One PT_LOAD segment (program header i): in the file, p_filesz <= p_memsz
 * <= max_size, no wrap at 4 GiB, inside [lo, hi), overlapping no earlier one.
 * Empty segments are skipped; the others are added to ei.
 */
static int elf_add_segment(const struct seg_limits *l, struct elf_seg s, struct elf_info *ei, char *err,
                           size_t errlen)
{
    const unsigned i = s.index;
    uint64_t start = s.addr, end = start + s.memsz;
    if (s.filesz > s.memsz)
        return errbuf_fail_code(err, errlen, MB_ERR_BAD_SEGMENT,
                                "%s: program header %u: p_filesz 0x%x is larger than p_memsz 0x%x",
                                l->name, i, s.filesz, s.memsz);
    if (s.filesz && (uint64_t)s.offset + s.filesz > l->size)
        return errbuf_fail_code(err, errlen, MB_ERR_TRUNCATED,
                "%s: truncated: program header %u: segment data ends at 0x%llx but file is 0x%llx bytes",
                l->name, i, (unsigned long long)s.offset + s.filesz, (unsigned long long)l->size);
    if (s.memsz == 0)
        return MB_OK;               /* occupies nothing */
    if (s.memsz > l->max_size)
        return errbuf_fail_code(err, errlen, MB_ERR_TOO_LARGE,
                "%s: program header %u: p_memsz 0x%x is larger than the 0x%llx bytes available",
                l->name, i, s.memsz, (unsigned long long)l->max_size);
    if (end > 0x100000000ull)
        return errbuf_fail_code(err, errlen, MB_ERR_BAD_SEGMENT,
                                "%s: program header %u: %s segment [0x%x, +0x%x) wraps around 4 GiB",
                                l->name, i, l->what, s.addr, s.memsz);
    if (start < l->lo || end > l->hi)
        return errbuf_fail_code(err, errlen, MB_ERR_OUT_OF_RANGE,
                "%s: program header %u: %s segment [0x%x, +0x%x) is outside [0x%llx, 0x%llx)",
                l->name, i, l->what, s.addr, s.memsz, (unsigned long long)l->lo, (unsigned long long)l->hi);
    for (unsigned j = 0; j < ei->n; j++) {
        const struct elf_seg *o = &ei->seg[j];
        if (start < (uint64_t)o->addr + o->memsz && o->addr < end)
            return errbuf_fail_code(err, errlen, MB_ERR_OVERLAP,
                    "%s: program header %u: segment [0x%x, +0x%x) overlaps segment %u [0x%x, +0x%x)",
                    l->name, i, s.addr, s.memsz, o->index, o->addr, o->memsz);
    }
    ei->seg[ei->n++] = s;
    if (start < ei->lowest)
        ei->lowest = start;
    if (end > ei->highest)
        ei->highest = end;
    return MB_OK;
}

/*
 * Program header i as a segment. ELF64's fields are 64-bit, but Multiboot
 * loads into the 32-bit physical space: offsets, sizes and p_paddr must fit
 * 32 bits (p_vaddr, a long-mode kernel's own address, may not).
 */
static int elf_read_segment(const uint8_t *d, const struct elf_header *h, const char *name, unsigned i,
                            struct elf_seg *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->index = i;
    if (h->elf_class != ELFCLASS64) {
        const uint8_t *ph = d + h->e_phoff + (size_t)i * ELF32_PHDR_SIZE;
        s->offset = rd32(ph + 4);
        s->vaddr = rd32(ph + 8);
        s->paddr = rd32(ph + 12);
        s->filesz = rd32(ph + 16);
        s->memsz = rd32(ph + 20);
        return MB_OK;
    }
    const uint8_t *ph = d + h->e_phoff + (size_t)i * ELF64_PHDR_SIZE;
    uint64_t offset = rd64(ph + 8), paddr = rd64(ph + 24), filesz = rd64(ph + 32), memsz = rd64(ph + 40);
    if ((offset | paddr | filesz | memsz) >> 32)
        return errbuf_fail_code(err, errlen, MB_ERR_OUT_OF_RANGE,
                "%s: program header %u: p_offset 0x%llx, p_paddr 0x%llx, p_filesz 0x%llx or p_memsz 0x%llx "
                "does not fit the 32-bit physical space Multiboot loads into", name, i,
                (unsigned long long)offset, (unsigned long long)paddr, (unsigned long long)filesz,
                (unsigned long long)memsz);
    s->offset = (uint32_t)offset;
    s->vaddr = rd64(ph + 16);
    s->paddr = (uint32_t)paddr;
    s->filesz = (uint32_t)filesz;
    s->memsz = (uint32_t)memsz;
    return MB_OK;
}

/*
 * Validates an ET_EXEC (ELF32 i386, or ELF64 x86-64 where allow64) and its
 * PT_LOAD segments: each must lie in the file, have p_filesz <= p_memsz,
 * p_memsz <= max_size, not wrap 2^32, lie in [lo, hi) by the address
 * selected by which (ELF64: physical only), and not overlap another.
 */
static int elf_parse(const struct mb_image *img, const char *name, int which, int allow64, uint64_t lo,
                     uint64_t hi, uint64_t max_size, struct elf_info *ei, char *err, size_t errlen)
{
    const uint8_t *d = img->data;
    struct elf_header h;
    memset(ei, 0, sizeof *ei);
    int rc = elf_check_ident(d, img->size, name, allow64 && which == ADDR_PHYS, err, errlen);
    if (rc != MB_OK)
        return rc;
    elf_read_header(d, &h);
    if ((rc = elf_check_header(&h, img->size, name, err, errlen)) != MB_OK)
        return rc;
    ei->e_entry = h.e_entry;

    const struct seg_limits limits = { name, which == ADDR_PHYS ? "physical" : "virtual", img->size, lo, hi,
                                       max_size };
    const unsigned phdr_size = h.elf_class == ELFCLASS64 ? ELF64_PHDR_SIZE : ELF32_PHDR_SIZE;
    ei->lowest = UINT64_MAX;
    for (unsigned i = 0; i < h.e_phnum; i++) {
        struct elf_seg s;
        if (rd32(d + h.e_phoff + (size_t)i * phdr_size) != PT_LOAD)
            continue;
        if ((rc = elf_read_segment(d, &h, name, i, &s, err, errlen)) != MB_OK)
            return rc;
        s.addr = which == ADDR_PHYS ? s.paddr : (uint32_t)s.vaddr;
        if ((rc = elf_add_segment(&limits, s, ei, err, errlen)) != MB_OK)
            return rc;
    }
    if (ei->n == 0)
        return errbuf_fail_code(err, errlen, MB_ERR_BAD_SEGMENT,
                "%s: no loadable (non-empty PT_LOAD) segment", name);
    return MB_OK;
}

/* Index of the segment whose [field, field + memsz) holds addr, or -1. */
static int seg_containing(const struct elf_info *ei, uint64_t addr, int use_vaddr)
{
    for (unsigned j = 0; j < ei->n; j++) {
        uint64_t base = use_vaddr ? ei->seg[j].vaddr : ei->seg[j].paddr;

        if (addr >= base && addr - base < ei->seg[j].memsz)
            return (int)j;
    }
    return -1;
}

int mb_check_elf32_exec(const struct mb_image *img, uint32_t lo, uint32_t hi, char *err, size_t errlen)
{
    struct elf_info ei;
    const char *name = img_name(img, "image");
    int rc;

    if (err && errlen)
        err[0] = '\0';
    if (!img || (!img->data && img->size))
        return errbuf_fail_code(err, errlen, MB_ERR_INVALID_ARG, "%s: no image data", name);
    if (lo >= hi)
        return errbuf_fail_code(err, errlen, MB_ERR_INVALID_ARG,
                "%s: empty address range [0x%x, 0x%x)", name, lo, hi);
    rc = elf_parse(img, name, ADDR_VIRT, 0, lo, hi, (uint64_t)hi - lo, &ei, err, errlen);
    if (rc != MB_OK)
        return rc;
    if (seg_containing(&ei, ei.e_entry, 1) < 0)
        return errbuf_fail_code(err, errlen, MB_ERR_BAD_ENTRY,
                "%s: entry point 0x%llx is not inside a loaded segment",
                name, (unsigned long long)ei.e_entry);
    return MB_OK;
}

/* ------------------------------------------------------- Multiboot header */

/*
 * Finds the Multiboot header: the first 4-aligned offset whose 12 bytes lie
 * wholly in the first 8 KiB of the file, hold the magic and checksum to 0
 * (like GRUB and QEMU, a magic with a bad checksum is skipped). *off gets the
 * offset. Returns MB_OK, MB_ERR_NO_HEADER, or MB_ERR_BAD_HEADER when a magic
 * was seen but none had a valid checksum.
 */
static int find_header(const struct mb_image *img, const char *name, uint32_t *flags, uint64_t *off,
                       char *err, size_t errlen)
{
    uint64_t limit = img->size < MB_HEADER_SEARCH ? img->size : MB_HEADER_SEARCH;
    uint64_t bad_off = UINT64_MAX;
    uint32_t bad_sum = 0;

    for (uint64_t o = 0; o + MB_HEADER_SIZE <= limit; o += 4) {
        const uint8_t *h = img->data + o;
        uint32_t f, sum;

        if (rd32(h) != MB_HEADER_MAGIC)
            continue;
        f = rd32(h + 4);
        sum = MB_HEADER_MAGIC + f + rd32(h + 8);
        if (sum == 0) {
            *flags = f;
            *off = o;
            return MB_OK;
        }
        if (bad_off == UINT64_MAX) {
            bad_off = o;
            bad_sum = sum;
        }
    }
    if (bad_off != UINT64_MAX)
        return errbuf_fail_code(err, errlen, MB_ERR_BAD_HEADER,
                "%s: multiboot header at 0x%llx: bad checksum (magic + flags + checksum = 0x%x, expected 0)",
                name, (unsigned long long)bad_off, bad_sum);
    return errbuf_fail_code(err, errlen, MB_ERR_NO_HEADER,
                            "%s: no multiboot header (magic 0x%08x, 4-byte aligned) in the first %u bytes",
                            name, MB_HEADER_MAGIC, MB_HEADER_SEARCH);
}

static int check_header_flags(const char *name, uint32_t flags, uint64_t off, char *err, size_t errlen)
{
    uint32_t unsupported = flags & 0xFFFFu & ~MB_HDR_SUPPORTED_REQUIRED;

    if (unsupported) {
        unsigned bit = (unsigned)__builtin_ctz(unsupported);

        return errbuf_fail_code(err, errlen, MB_ERR_UNSUPPORTED,
                "%s: multiboot header at 0x%llx: flags 0x%08x require bit %u%s, which is not supported",
                name, (unsigned long long)off, flags, bit, bit == 2 ? " (video mode)" : "");
    }
    if (flags & MB_HDR_AOUT_KLUDGE)
        return errbuf_fail_code(err, errlen, MB_ERR_UNSUPPORTED,
                "%s: multiboot header at 0x%llx: flags 0x%08x set bit 16 (a.out kludge load addresses); "
                "only ELF kernels are supported", name, (unsigned long long)off, flags);
    return MB_OK;
}

/* ------------------------------------------------------------------ loader */

struct plan {
    uint8_t *mem;
    uint64_t mem_size;
    const struct mb_image *kernel;
    const struct elf_info *ei;
    const char *kernel_cmdline;
    const struct mb_module *modules;
    size_t n_modules;
    uint64_t kernel_end;
};

/* Allocates len bytes (aligned to align) in the info area. */
static int area_alloc(uint64_t *cursor, uint64_t len, uint64_t align, uint64_t *addr)
{
    uint64_t a = align_up(*cursor, align);

    if (len > MB_INFO_AREA_END || a + len > MB_INFO_AREA_END)
        return -1;
    *addr = a;
    *cursor = a + len;
    return 0;
}

static void put_mmap_entry(uint8_t *p, uint64_t base, uint64_t len, uint32_t type)
{
    wr32(p, MB_MMAP_ENTRY_SIZE - 4);    /* size of the entry, not counting this field */
    wr64(p + 4, base);
    wr64(p + 12, len);
    wr32(p + 20, type);
}

/*
 * Lays out the info area and the modules; with commit, also writes the
 * kernel segments, the modules and the info structures. Run once without
 * commit to validate (only then can it fail), then with commit.
 */
/* Where the info area's fixed parts go (lay_out allocates them in this order). */
struct info_layout {
    uint64_t info, mmap, mods, lname, kcmd;
};

/* The kernel's segments (p_filesz bytes copied, the rest to p_memsz zeroed), the info structure and memory map. */
static void write_kernel_and_info(const struct plan *p, const struct info_layout *at, const char *kcmd)
{
    uint8_t *mi = p->mem + at->info;
    for (unsigned j = 0; j < p->ei->n; j++) {
        const struct elf_seg *s = &p->ei->seg[j];
        if (s->filesz)
            memmove(p->mem + s->paddr, p->kernel->data + s->offset, s->filesz);
        memset(p->mem + s->paddr + s->filesz, 0, (size_t)(s->memsz - s->filesz));
    }

    memset(mi, 0, MB_INFO_SIZE);
    wr32(mi + 0, MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MMAP | MB_INFO_LOADER_NAME);
    wr32(mi + 4, MB_LOW_MEM_END / 1024);                             /* mem_lower: 639 */
    wr32(mi + 8, (uint32_t)((p->mem_size - MB_KERNEL_MIN_ADDR) / 1024)); /* mem_upper */
    wr32(mi + 16, (uint32_t)at->kcmd);
    wr32(mi + 20, (uint32_t)p->n_modules);
    wr32(mi + 24, (uint32_t)at->mods);
    wr32(mi + 44, 3 * MB_MMAP_ENTRY_SIZE);
    wr32(mi + 48, (uint32_t)at->mmap);
    wr32(mi + 64, (uint32_t)at->lname);

    put_mmap_entry(p->mem + at->mmap, 0, MB_LOW_MEM_END, MB_MMAP_AVAILABLE);
    put_mmap_entry(p->mem + at->mmap + MB_MMAP_ENTRY_SIZE, MB_LOW_MEM_END,
                   MB_KERNEL_MIN_ADDR - MB_LOW_MEM_END, MB_MMAP_RESERVED);
    put_mmap_entry(p->mem + at->mmap + 2 * MB_MMAP_ENTRY_SIZE, MB_KERNEL_MIN_ADDR,
                   p->mem_size - MB_KERNEL_MIN_ADDR, MB_MMAP_AVAILABLE);

    memcpy(p->mem + at->lname, MB_LOADER_NAME, sizeof MB_LOADER_NAME);
    memcpy(p->mem + at->kcmd, kcmd, strlen(kcmd) + 1);
}

/* The fixed parts of the info area, and the module array before any module is looked at. */
static int allocate_info(const struct plan *p, const char *kname, const char *kcmd, uint64_t *cursor,
                         struct info_layout *at, char *err, size_t errlen)
{
    if (area_alloc(cursor, MB_INFO_SIZE, 8, &at->info) || area_alloc(cursor, 3 * MB_MMAP_ENTRY_SIZE, 8, &at->mmap))
        return errbuf_fail_code(err, errlen, MB_ERR_NO_SPACE, "%s: info area too small", kname);
    if (p->n_modules > (MB_INFO_AREA_END - MB_INFO_AREA_START) / MB_MODULE_SIZE
        || area_alloc(cursor, (uint64_t)p->n_modules * MB_MODULE_SIZE, 8, &at->mods))
        return errbuf_fail_code(err, errlen, MB_ERR_NO_SPACE,
                                "%s: %zu modules: the module array does not fit in the info area [0x%x, 0x%x)",
                                kname, p->n_modules, MB_INFO_AREA_START, MB_INFO_AREA_END);
    if (area_alloc(cursor, sizeof MB_LOADER_NAME, 1, &at->lname))
        return errbuf_fail_code(err, errlen, MB_ERR_NO_SPACE, "%s: info area too small", kname);
    size_t len = strlen(kcmd);
    if (area_alloc(cursor, (uint64_t)len + 1, 1, &at->kcmd))
        return errbuf_fail_code(err, errlen, MB_ERR_NO_SPACE,
                                "%s: command line (%zu bytes) does not fit in the info area [0x%x, 0x%x)",
                                kname, len, MB_INFO_AREA_START, MB_INFO_AREA_END);
    return MB_OK;
}

/* Module i: page-aligned at *mod_cur, its command line in the info area; with commit, copied and listed. */
static int place_module(const struct plan *p, size_t i, const struct info_layout *at, uint64_t *cursor,
                        uint64_t *mod_cur, int commit, char *err, size_t errlen)
{
    const struct mb_module *m = &p->modules[i];
    const char *mname = img_name(&m->image, "module");
    const char *mcmd = m->cmdline ? m->cmdline : "";
    uint64_t start = align_up(*mod_cur, MB_MODULE_ALIGN), end, str;

    if (!m->image.data && m->image.size)
        return errbuf_fail_code(err, errlen, MB_ERR_INVALID_ARG, "module %zu (%s): no data", i, mname);
    end = start + (uint64_t)m->image.size;
    if (m->image.size > p->mem_size || end > p->mem_size)
        return errbuf_fail_code(err, errlen, MB_ERR_NO_SPACE,
                                "module %zu (%s): needs [0x%llx, +0x%llx) but guest memory ends at 0x%llx",
                                i, mname, (unsigned long long)start, (unsigned long long)m->image.size,
                                (unsigned long long)p->mem_size);
    if (start < p->kernel_end || start < MB_INFO_AREA_END)       /* cannot happen: placed after both */
        return errbuf_fail_code(err, errlen, MB_ERR_OVERLAP, "module %zu (%s): overlaps the kernel", i, mname);
    size_t len = strlen(mcmd);
    if (area_alloc(cursor, (uint64_t)len + 1, 1, &str))
        return errbuf_fail_code(err, errlen, MB_ERR_NO_SPACE,
                "module %zu (%s): command line (%zu bytes) does not fit in the info area [0x%x, 0x%x)",
                i, mname, len, MB_INFO_AREA_START, MB_INFO_AREA_END);
    if (commit) {
        uint8_t *me = p->mem + at->mods + i * MB_MODULE_SIZE;
        if (m->image.size)
            memmove(p->mem + start, m->image.data, m->image.size);
        memcpy(p->mem + str, mcmd, len + 1);
        wr32(me + 0, (uint32_t)start);
        wr32(me + 4, (uint32_t)end);
        wr32(me + 8, (uint32_t)str);
        wr32(me + 12, 0);
    }
    *mod_cur = end;
    return MB_OK;
}

static int lay_out(const struct plan *p, int commit, uint32_t *info_addr, char *err, size_t errlen)
{
    const char *kname = img_name(p->kernel, "kernel");
    const char *kcmd = p->kernel_cmdline ? p->kernel_cmdline : "";
    uint64_t cursor = MB_INFO_AREA_START;
    struct info_layout at = { 0 };
    int rc = allocate_info(p, kname, kcmd, &cursor, &at, err, errlen);
    if (rc != MB_OK)
        return rc;
    if (commit) {
        write_kernel_and_info(p, &at, kcmd);
        *info_addr = (uint32_t)at.info;
    }
    /* Modules: page-aligned, in order, after the kernel. */
    uint64_t mod_cur = align_up(p->kernel_end, MB_MODULE_ALIGN);
    for (size_t i = 0; i < p->n_modules; i++)
        if ((rc = place_module(p, i, &at, &cursor, &mod_cur, commit, err, errlen)) != MB_OK)
            return rc;
    return MB_OK;
}

int mb_load(uint8_t *mem, size_t mem_size, const struct mb_image *kernel, const char *kernel_cmdline,
            const struct mb_module *modules, size_t n_modules, struct mb_boot *out, char *err, size_t errlen)
{
    struct elf_info ei;
    struct plan p;
    const char *name = img_name(kernel, "kernel");
    uint32_t flags = 0, info_addr = 0;
    uint64_t hdr_off = 0;
    int rc, sidx;

    if (err && errlen)
        err[0] = '\0';
    if (out)
        memset(out, 0, sizeof *out);
    if (!mem || !out || !kernel || (!kernel->data && kernel->size) || (!modules && n_modules))
        return errbuf_fail_code(err, errlen, MB_ERR_INVALID_ARG, "%s: mb_load: NULL %s", name,
                                !mem ? "guest memory" : !out ? "result"
                                : !kernel || (!kernel->data && kernel->size) ? "kernel data" : "module array");
    if ((uint64_t)mem_size < MB_MEM_MIN || (uint64_t)mem_size > MB_MEM_MAX)
        return errbuf_fail_code(err, errlen, MB_ERR_OUT_OF_RANGE,
                                "%s: guest memory size 0x%llx is outside [0x%x, 0x%x]", name,
                                (unsigned long long)mem_size, MB_MEM_MIN, MB_MEM_MAX);

    rc = elf_parse(kernel, name, ADDR_PHYS, 1, MB_KERNEL_MIN_ADDR, mem_size, mem_size, &ei, err, errlen);
    if (rc == MB_ERR_NOT_ELF) {
        /* An a.out kludge kernel deserves a better message than "not ELF". */
        char tmp[8];

        if (find_header(kernel, name, &flags, &hdr_off, tmp, sizeof tmp) == MB_OK
            && (flags & MB_HDR_AOUT_KLUDGE))
            return check_header_flags(name, flags & ~0xFFFFu, hdr_off, err, errlen);
    }
    if (rc != MB_OK)
        return rc;

    rc = find_header(kernel, name, &flags, &hdr_off, err, errlen);
    if (rc != MB_OK)
        return rc;
    rc = check_header_flags(name, flags, hdr_off, err, errlen);
    if (rc != MB_OK)
        return rc;

    /* Entry: e_entry in a segment's virtual range is translated to physical
     * (GRUB 2 and QEMU do the same), else it must be physical already. */
    sidx = seg_containing(&ei, ei.e_entry, 1);
    if (sidx >= 0)
        ei.entry = (uint32_t)(ei.e_entry - ei.seg[sidx].vaddr) + ei.seg[sidx].paddr;
    else if (seg_containing(&ei, ei.e_entry, 0) >= 0)
        ei.entry = (uint32_t)ei.e_entry;
    else
        return errbuf_fail_code(err, errlen, MB_ERR_BAD_ENTRY,
                "%s: entry point 0x%llx is not inside a loaded segment (kernel occupies [0x%llx, 0x%llx))",
                name, (unsigned long long)ei.e_entry, (unsigned long long)ei.lowest, (unsigned long long)ei.highest);

    p.mem = mem;
    p.mem_size = mem_size;
    p.kernel = kernel;
    p.ei = &ei;
    p.kernel_cmdline = kernel_cmdline;
    p.modules = modules;
    p.n_modules = n_modules;
    p.kernel_end = ei.highest;

    rc = lay_out(&p, 0, &info_addr, err, errlen);
    if (rc != MB_OK)
        return rc;
    rc = lay_out(&p, 1, &info_addr, err, errlen);
    if (rc != MB_OK)
        return rc;       /* not reached: the first pass validated everything */

    out->entry = ei.entry;
    out->info_addr = info_addr;
    out->kernel_start = (uint32_t)ei.lowest;
    out->kernel_end = (uint32_t)ei.highest;
    return MB_OK;
}
