/*
 * Symbol tables for kd: one module per guest image (nt, ntdll, the program,
 * drivers) loaded from the images' ELF32 symtabs or PE export directories and
 * COFF symbol tables, plus synthetic modules such as SharedUserData. Names are looked up as `module!name` (or a bare name),
 * patterns as in `x nt!Ki*`, addresses as `module!name+0xNN`.
 *
 * The images are untrusted input: every offset, size and string of the ELF
 * or PE is checked before it is used (ntdb/pe.h for PE).
 *
 * PE names as WinDbg shows a mingw-w64 image's: the i386 C decoration is
 * dropped, so the COFF symbol _NtProcessStartup@4 is hello!NtProcessStartup,
 * @IofCompleteRequest@8 is IofCompleteRequest and _counter is counter; an
 * export keeps its name but loses a stdcall @N (DriverEntry@8 -> DriverEntry).
 * At one address an export is preferred to a COFF symbol, an external to a
 * static, a function to data, and a name still starting with '_' comes last.
 */
#ifndef NTVISOR_SYMBOLS_H
#define NTVISOR_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYM_MAX_MODULES      16
#define SYM_MAX_MODULE_NAME  31
#define SYM_MAX_NAME         255          /* longer names are skipped */
#define SYM_MAX_SYMBOLS      (1u << 18)   /* per module */
#define SYM_MAX_IMAGE        (64u << 20)
#define SYM_CLUSTER_GAP      (16u << 20)  /* segments further apart are separate clusters */

struct sym {
    uint32_t addr;
    uint8_t rank;        /* lower is the preferred name at an address */
    char *name;
};

struct sym_module {
    char name[SYM_MAX_MODULE_NAME + 1];
    char image[64];      /* the file's base name, for lm ("" for synthetic modules) */
    uint32_t base, end;  /* [base, end) */
    struct sym *syms;    /* sorted by address, then preference */
    size_t n, cap;
};

struct symtab {
    struct sym_module mods[SYM_MAX_MODULES];
    size_t n;
};

void symtab_init(struct symtab *t);
void symtab_free(struct symtab *t);

/* Adds an empty module [base, end); NULL if the table is full, the name is
   bad or taken, or the range is empty. */
struct sym_module *symtab_add_module(struct symtab *t, const char *name, uint32_t base, uint32_t end);
/* Adds a symbol to a module; -1 if the name is bad or the module is full. */
int sym_module_add(struct sym_module *m, const char *name, uint32_t addr, unsigned rank);
/* Sorts a module's symbols, dropping a name repeated at one address: call after the last sym_module_add. */
void sym_module_finish(struct sym_module *m);

/* Loads an ELF32 i386 image's symbols as module `name`; its range is that of
   its PT_LOAD segments. Returns 0, or -1 with a message in err. */
int symtab_load_elf(struct symtab *t, const char *name, const char *image, const uint8_t *data,
                    size_t size, char *err, size_t errlen);
int symtab_load_elf_file(struct symtab *t, const char *name, const char *path, char *err, size_t errlen);
/* Loads a PE32 i386 image's exports and COFF symbols as module `name`,
   [base, base+SizeOfImage) where base is the image's ImageBase, or (nonzero
   base) where the kernel relocated it. The module's image name is the
   export directory's Name for a DLL that has one, else `image`. A hostile
   export directory or COFF table loses its names, not the module. Returns
   0, or -1 with a message in err when the headers are bad. */
int symtab_load_pe(struct symtab *t, const char *name, const char *image, const uint8_t *data, size_t size,
                   uint32_t base, char *err, size_t errlen);
/* Loads the file at path as PE ("MZ") or ELF ("\177ELF"); base as for
   symtab_load_pe (an ELF is linked where it runs: base is ignored). */
int symtab_load_image_file(struct symtab *t, const char *name, const char *path, uint32_t base, char *err,
                           size_t errlen);
/* A mingw name as shown (see above): c_prefix drops one leading '_' or '@'; a
   trailing @N goes either way. Into out (len bytes, truncated). */
void sym_undecorate(const char *in, bool c_prefix, char *out, size_t len);
/* The synthetic SharedUserData module (0x7FFE0000, SystemCallStub at +0x300). */
int symtab_add_shared_user_data(struct symtab *t);

/* "nt", "NTDLL" (case-insensitive); NULL if absent. */
const struct sym_module *symtab_module(const struct symtab *t, const char *name);
/* The module whose range holds addr; NULL if none. */
const struct sym_module *symtab_module_at(const struct symtab *t, uint32_t addr);

/* Resolves "module!name", "name" (every module, in load order) or "module"
   (its base). Case-insensitive. Returns true and the address if found. */
bool symtab_lookup(const struct symtab *t, const char *expr, uint32_t *addr);

/* In addr's module: the last symbol at or before addr and the first after
   it (either may be NULL). false if addr is in no module. */
bool symtab_nearest(const struct symtab *t, uint32_t addr, const struct sym_module **mod,
                    const struct sym **before, const struct sym **after);
/* Every symbol of m at exactly addr, preferred name first: *first and the count. */
size_t sym_module_at(const struct sym_module *m, uint32_t addr, const struct sym **first);

/* "nt!KiSystemService+0x5c", "nt!KiSystemService", "nt+0x10" or "" (no
   module): the text into buf. Returns true if addr fell inside a module. */
bool symtab_format(const struct symtab *t, uint32_t addr, char *buf, size_t len);

/* Calls fn for every symbol of the modules matching mod_pattern whose name
   matches pattern (shell wildcards, case-insensitive), in address order. */
size_t symtab_match(const struct symtab *t, const char *mod_pattern, const char *pattern,
                    void (*fn)(void *ctx, const struct sym_module *m, const struct sym *s), void *ctx);

#endif
