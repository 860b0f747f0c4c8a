/*
 * The monitor's Multiboot/ELF loader (vmm/multiboot.c): the input is a
 * kernel image, optionally followed by modules and command lines, loaded
 * into a guest memory of exactly mem_size bytes (ASan sees any write past
 * it). Also the ELF checks kd's symbols use (mb_check_elf32_exec,
 * symtab_load_elf) over the same image.
 *
 * Input: the kernel image, then the modules, each [bytes][u16 length], then
 * [u32 memory size][u8 mode]: all at the end, so that an ELF file the build
 * made is a seed as it is (its section headers lose a few bytes). Mode bits
 * 0-1: one more than the number of modules.
 */
#include <stdio.h>
#include <stdlib.h>
#include "fuzz_input.h"
#include "vmm/multiboot.h"
#include "ntdb/symbols.h"

/* Splits the last module off the end of *size bytes: its length is the final u16. */
static struct mb_image take_tail(const uint8_t *data, size_t *size)
{
    struct mb_image img = { NULL, 0, "module" };
    if (*size < 2)
        return img;
    size_t len = data[*size - 2] | (size_t)data[*size - 1] << 8;
    *size -= 2;
    if (len > *size)
        len = *size;
    *size -= len;
    img.data = data + *size;
    img.size = len;
    return img;
}

static void load(const struct mb_image *kernel, const struct mb_module *mods, size_t n, size_t mem_size,
                 const char *cmdline)
{
    uint8_t *mem = malloc(mem_size);
    if (!mem)
        abort();
    struct mb_boot boot;
    char err[256];
    if (mb_load(mem, mem_size, kernel, cmdline, mods, n, &boot, err, sizeof(err)) == MB_OK &&
        (boot.info_addr < MB_INFO_AREA_START || boot.kernel_end > mem_size))
        abort();   /* what the loader promises, not just "no crash" */
    free(mem);
}

static void symbols(const struct mb_image *kernel)
{
    struct symtab t;
    char err[256];
    symtab_init(&t);
    if (symtab_load_elf(&t, "nt", "ntoskrnl.exe", kernel->data, kernel->size, err, sizeof(err)) == 0) {
        char buf[128];
        uint32_t addr;
        symtab_format(&t, t.n ? t.mods[0].base : 0, buf, sizeof(buf));
        symtab_lookup(&t, "nt!KiSystemService", &addr);
    }
    symtab_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    uint8_t mode = data[size - 1];
    uint32_t extra;
    memcpy(&extra, data + size - 5, 4);
    struct fz f = { data, size - 5 };
    size_t rest = f.n;
    struct mb_module mods[3];
    size_t n = mode & 3 ? (mode & 3) - 1 : 0;
    static const char *const lines[] = { NULL, "", "ntoskrnl.exe /debug", "a b\tc" };
    for (size_t i = 0; i < n; i++)
        mods[i] = (struct mb_module){ take_tail(f.p, &rest), lines[(mode >> (2 + i)) & 3] };
    struct mb_image kernel = { f.p, rest, "kernel" };
    /* 2 MiB and up, sometimes not a whole page */
    size_t mem_size = MB_MEM_MIN + (mode & 0x80 ? (extra & 0x1FFFFF) : (extra & 0x1FF) << 12);
    load(&kernel, mods, n, mem_size, lines[(mode >> 5) & 3]);
    mb_check_elf32_exec(&kernel, 0x80000000u, 0xC0000000u, NULL, 0);
    mb_check_elf32_exec(&kernel, 0, 0xFFFFFFFFu, NULL, 0);
    symbols(&kernel);
    return 0;
}
