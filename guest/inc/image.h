/*
 * ELF32 i386 executables as the kernel loads them: user programs, ntdll and
 * boot drivers. An image is untrusted input: every header field is checked
 * before it is used.
 */
#ifndef GUEST_IMAGE_H
#define GUEST_IMAGE_H

#include "ntdef.h"

typedef struct {
    UCHAR e_ident[16];
    USHORT e_type, e_machine;
    ULONG e_version, e_entry, e_phoff, e_shoff, e_flags;
    USHORT e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} ELF32_EHDR;

typedef struct {
    ULONG p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
} ELF32_PHDR;

#define MI_IMAGE_MAX_SEGMENTS 16

/* A checked image: its loadable segments lie in the file and in [Lowest, Highest). */
typedef struct _MI_IMAGE {
    const UCHAR *Data;
    const ELF32_EHDR *Header;
    const ELF32_PHDR *Segments;
    ULONG Start, End;       /* page-rounded range of its segments */
    ULONG Entry;
} MI_IMAGE;

/* Checks an image; the entry point must lie in a segment (an executable one if asked). */
NTSTATUS MiCheckImage(const UCHAR *Data, ULONG Size, ULONG Lowest, ULONG Highest, BOOLEAN EntryExecutable,
                      MI_IMAGE *Image);
/*
 * Maps a checked image's segments into the current address space and copies
 * them in (the rest of each page zero). Protection is MM_USER or 0; segments
 * are writable where the image says so, or always when AlwaysWritable.
 */
NTSTATUS MiMapImage(const MI_IMAGE *Image, ULONG Protection, BOOLEAN AlwaysWritable);

#endif
