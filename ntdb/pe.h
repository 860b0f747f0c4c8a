/*
 * PE32 i386 images as the host reads them: the monitor's pre-boot checks
 * (vmm/session.c) and kd's symbols (ntdb/symbols.c). The file is untrusted
 * input: pe_parse checks the structure with the limits the guest kernel's
 * loader uses (include/nt/pe_limits.h), and every later read -- a directory,
 * a string, a symbol -- is bounded again against the file before it is made.
 *
 * Field names follow winnt.h (IMAGE_FILE_HEADER, IMAGE_OPTIONAL_HEADER32,
 * IMAGE_SECTION_HEADER, IMAGE_EXPORT_DIRECTORY, IMAGE_SYMBOL).
 */
#ifndef NTVISOR_PE_H
#define NTVISOR_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nt/pe_limits.h>

/* IMAGE_FILE_HEADER.Characteristics */
#define PE_FILE_RELOCS_STRIPPED    0x0001
#define PE_FILE_EXECUTABLE_IMAGE   0x0002
#define PE_FILE_DLL                0x2000
/* IMAGE_OPTIONAL_HEADER32.Subsystem */
#define PE_SUBSYSTEM_NATIVE        1
#define PE_SUBSYSTEM_WINDOWS_GUI   2
#define PE_SUBSYSTEM_WINDOWS_CUI   3
/* IMAGE_SECTION_HEADER.Characteristics */
#define PE_SCN_MEM_EXECUTE         0x20000000
/* data directories */
#define PE_DIR_EXPORT              0
#define PE_DIR_SECURITY            4      /* its "RVA" is a file offset */
#define PE_DIR_BASERELOC           5
/* IMAGE_SYMBOL */
#define PE_SYM_CLASS_EXTERNAL      2
#define PE_SYM_CLASS_STATIC        3
#define PE_SYM_DTYPE_FUNCTION      0x20   /* (Type & 0x30): a function */

struct pe_section {
    char name[9];               /* the 8-byte name, NUL-terminated ("/4" for long names) */
    uint32_t va, vsize;         /* vsize: VirtualSize, or SizeOfRawData where that is 0 */
    uint32_t raw_off, raw_size;
    uint32_t characteristics;
};

struct pe_image {
    const uint8_t *data;
    size_t size;
    uint16_t machine, characteristics, subsystem;
    uint64_t image_base;          /* PE32+: 64 bits */
    uint32_t size_of_image, size_of_headers, entry_rva;
    uint32_t section_alignment, file_alignment;
    uint32_t n_dirs;
    struct { uint32_t rva, size; } dirs[PE_MAX_DIRECTORIES];
    unsigned n_sections;
    struct pe_section sections[PE_MAX_SECTIONS];
    /* the COFF symbol table and its string table; n_symbols 0 when absent or unusable */
    uint32_t symtab_off, n_symbols, strtab_off, strtab_size;
};

/* Whether data starts like a PE file ("MZ"); an ELF starts with "\177ELF". */
bool pe_looks_like(const uint8_t *data, size_t size);

/* Parses and checks the headers and section table of data (which must stay
   alive while pe is used); name is for messages. 0, or -1 with err. A bad COFF
   symbol table is not an error (the loader never reads it): it is left out. */
int pe_parse(struct pe_image *pe, const uint8_t *data, size_t size, const char *name, char *err, size_t errlen);

/* The file offset of [rva, rva+len) when it lies wholly in the headers or in
   one section's file data; false otherwise. */
bool pe_rva_to_off(const struct pe_image *pe, uint32_t rva, uint32_t len, size_t *off);
/* The NUL-terminated string at rva, at most max characters, in the file; NULL otherwise. */
const char *pe_string_at(const struct pe_image *pe, uint32_t rva, size_t max);
/* The section holding rva (its virtual extent); NULL if none. */
const struct pe_section *pe_section_at(const struct pe_image *pe, uint32_t rva);

/* Calls fn for every named export that is not a forwarder, with its RVA;
   *dll_name (unless NULL) gets the directory's Name, or NULL. Returns the
   count, or -1 with err when the directory is unusable (outside the image,
   arrays past the file, a name without a terminator). No directory: 0. */
long pe_exports(const struct pe_image *pe, const char **dll_name,
                void (*fn)(void *ctx, const char *name, uint32_t rva), void *ctx, char *err, size_t errlen);

struct pe_symbol {
    const char *name;           /* NUL-terminated, valid during the call */
    uint32_t value;
    int16_t section;            /* 1-based; 0 undefined, -1 absolute, -2 debug */
    uint16_t type;
    uint8_t storage_class, n_aux;
};

/* Calls fn for every COFF symbol (aux records skipped); names whose string
   table offset is bad are skipped. Returns the count of symbols passed. */
size_t pe_coff_symbols(const struct pe_image *pe, void (*fn)(void *ctx, const struct pe_symbol *s), void *ctx);

#endif
