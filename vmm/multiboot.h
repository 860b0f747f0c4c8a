/*
 * The monitor's Multiboot (specification 0.6.96) loader: places an ELF32
 * (or, for a long-mode kernel such as the amd64 ntoskrnl, an ELF64 x86-64)
 * Multiboot kernel and its modules in guest physical memory and builds the
 * multiboot_info the way GRUB / `qemu-system-i386 -kernel k -initrd "m1 a,m2 b"`
 * would.
 *
 * Guest physical memory is one host buffer: guest physical address 0 is
 * mem[0]. Nothing outside [mem, mem + mem_size) and nothing outside an
 * image's [data, data + size) is ever read or written. Every input is
 * validated first; on error nothing in mem has been written.
 *
 * The vCPU is then started as the spec says: EAX = MB_BOOTLOADER_MAGIC,
 * EBX = out->info_addr, EIP = out->entry, CR0.PE = 1, CR0.PG = 0, flat
 * 4 GiB 32-bit CS (read/execute) and DS/ES/FS/GS/SS (read/write), A20 on,
 * EFLAGS.VM = 0 and EFLAGS.IF = 0. The kernel must set up its own GDT, IDT
 * and stack.
 *
 * Guest physical layout produced:
 *   [0, MB_INFO_AREA_START)                  page 0: never touched
 *   [MB_INFO_AREA_START, MB_INFO_AREA_END)   multiboot_info, memory map, module
 *                                            array, "ntvisor", command lines
 *                                            (only the bytes used are written)
 *   [kernel_start, kernel_end)               PT_LOAD segments at p_paddr, bss zeroed
 *   page-aligned after kernel_end            modules, in order, each page-aligned
 */
#ifndef NTVISOR_MULTIBOOT_H
#define NTVISOR_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#define MB_HEADER_MAGIC      0x1BADB002u  /* in the kernel image */
#define MB_BOOTLOADER_MAGIC  0x2BADB002u  /* EAX at kernel entry */
#define MB_HEADER_SEARCH     8192u        /* header lies wholly in the first 8 KiB, 4-aligned */

/* Multiboot header flags (bits 0-15 required, 16-31 optional). */
#define MB_HDR_PAGE_ALIGN    (1u << 0)    /* honoured: modules are always page-aligned */
#define MB_HDR_MEMORY_INFO   (1u << 1)    /* honoured: mem_* and mmap are always provided */
#define MB_HDR_VIDEO_MODE    (1u << 2)    /* not supported (required bit: load fails) */
#define MB_HDR_AOUT_KLUDGE   (1u << 16)   /* not supported: ELF kernels only */
#define MB_HDR_SUPPORTED_REQUIRED (MB_HDR_PAGE_ALIGN | MB_HDR_MEMORY_INFO)

/* multiboot_info flags set by mb_load. */
#define MB_INFO_MEMORY       (1u << 0)
#define MB_INFO_CMDLINE      (1u << 2)
#define MB_INFO_MODS         (1u << 3)
#define MB_INFO_MMAP         (1u << 6)
#define MB_INFO_LOADER_NAME  (1u << 9)

#define MB_INFO_SIZE         88u          /* multiboot_info up to vbe_interface_len */
#define MB_MODULE_SIZE       16u          /* mod_start, mod_end, string, reserved */
#define MB_MMAP_ENTRY_SIZE   24u          /* size(=20), base_addr, length, type */
#define MB_MMAP_AVAILABLE    1u
#define MB_MMAP_RESERVED     2u
#define MB_LOADER_NAME       "ntvisor"

/* Guest physical layout rules. */
#define MB_KERNEL_MIN_ADDR   0x00100000u  /* PT_LOAD segments must start at or above 1 MiB */
#define MB_INFO_AREA_START   0x00001000u  /* page 0 is never used */
#define MB_INFO_AREA_END     0x0009F000u  /* exclusive */
#define MB_LOW_MEM_END       0x0009FC00u  /* end of available low memory (639 KiB) */
#define MB_MODULE_ALIGN      0x1000u
#define MB_MEM_MIN           0x00200000u  /* guest memory: at least 2 MiB ... */
#define MB_MEM_MAX           0xFFFFFFFFu  /* ... and at most 4 GiB - 1 */
#define MB_MAX_PHNUM         64u

struct mb_image { const uint8_t *data; size_t size; const char *name; };   /* name: for messages only */
struct mb_module { struct mb_image image; const char *cmdline; };          /* cmdline NULL = "" */

struct mb_boot {               /* result: how to start the vCPU */
    uint32_t entry;            /* EIP (physical, paging off) */
    uint32_t info_addr;        /* EBX: physical address of the multiboot_info */
    uint32_t kernel_start, kernel_end;   /* physical range the kernel occupies, end exclusive */
};

enum mb_error {
    MB_OK = 0,
    MB_ERR_TRUNCATED,          /* a structure or segment extends past the end of the file */
    MB_ERR_NOT_ELF,            /* bad ELF magic, EI_VERSION or e_version */
    MB_ERR_WRONG_CLASS,        /* not ELFCLASS32 (or ELFCLASS64 for a kernel), or not ELFDATA2LSB */
    MB_ERR_WRONG_MACHINE,      /* e_machine != EM_386 */
    MB_ERR_NOT_EXECUTABLE,     /* e_type != ET_EXEC */
    MB_ERR_NO_HEADER,          /* no Multiboot header in the first 8 KiB */
    MB_ERR_BAD_HEADER,         /* Multiboot magic found, but no valid checksum */
    MB_ERR_BAD_SEGMENT,        /* e_phentsize, no PT_LOAD, p_filesz > p_memsz, address wraps 2^32 */
    MB_ERR_OVERLAP,            /* two PT_LOAD segments overlap */
    MB_ERR_OUT_OF_RANGE,       /* segment outside the allowed range; bad mem_size */
    MB_ERR_TOO_LARGE,          /* segment larger than memory / range; more than 64 program headers */
    MB_ERR_BAD_ENTRY,          /* e_entry not inside a loaded segment */
    MB_ERR_NO_SPACE,           /* modules do not fit in memory; info area overflows */
    MB_ERR_UNSUPPORTED,        /* required Multiboot header flag we do not honour; a.out kludge */
    MB_ERR_INVALID_ARG,        /* NULL pointer where data is required, lo >= hi */
};

/*
 * Loads kernel (ELF32 i386 or ELF64 x86-64 ET_EXEC with a Multiboot header;
 * ELF64 segments load at their 32-bit p_paddr, the entry is translated to it) and the modules
 * into mem and builds the multiboot_info. kernel_cmdline NULL = "" (QEMU
 * passes "<kernel file> <args>"; pass that yourself to mimic it exactly).
 * Segments are loaded at p_paddr. The entry point is e_entry translated to
 * physical when it lies in a segment's virtual range (as GRUB 2 and QEMU do
 * for kernels linked higher-half), else e_entry itself, which must then lie
 * in a segment's physical range.
 * Returns MB_OK and fills *out, or an enum mb_error with a one-line message
 * "<image name>: <what>" in err (err may be NULL).
 */
int mb_load(uint8_t *mem, size_t mem_size, const struct mb_image *kernel, const char *kernel_cmdline,
            const struct mb_module *modules, size_t n_modules, struct mb_boot *out, char *err, size_t errlen);

/* "truncated", "not ELF", ... for messages; never NULL. */
const char *mb_error_name(int e);

/*
 * Validates that img is an ELF32 little-endian i386 ET_EXEC whose PT_LOAD
 * segments lie inside the file, do not overlap, and lie in [lo, hi) by
 * *virtual* address (p_vaddr), and whose e_entry lies inside one of them.
 * Loads nothing; no Multiboot header needed. Same error codes.
 */
int mb_check_elf32_exec(const struct mb_image *img, uint32_t lo, uint32_t hi, char *err, size_t errlen);

#endif
