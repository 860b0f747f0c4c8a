/* Checking and mapping ELF32 i386 executables (user images and boot drivers). */
#include "../inc/image.h"
#include "../inc/mm.h"
#include "../inc/rtl.h"

#define PT_LOAD 1
#define PF_X    1
#define PF_W    2
#define ET_EXEC 2
#define EM_386  3

NTSTATUS MiCheckImage(const UCHAR *Data, ULONG Size, ULONG Lowest, ULONG Highest, BOOLEAN EntryExecutable,
                      MI_IMAGE *Image)
{
    const ELF32_EHDR *eh = (const ELF32_EHDR *)Data;
    if (Size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) != 0)
        return STATUS_INVALID_IMAGE_FORMAT;
    if (eh->e_ident[4] != 1 || eh->e_ident[5] != 1 || eh->e_type != ET_EXEC || eh->e_machine != EM_386 ||
        eh->e_version != 1)
        return STATUS_INVALID_IMAGE_FORMAT;
    if (eh->e_phentsize != sizeof(ELF32_PHDR) || eh->e_phnum == 0 || eh->e_phnum > MI_IMAGE_MAX_SEGMENTS)
        return STATUS_INVALID_IMAGE_FORMAT;
    if (eh->e_phoff > Size || (ULONG)eh->e_phnum * sizeof(ELF32_PHDR) > Size - eh->e_phoff)
        return STATUS_INVALID_IMAGE_FORMAT;

    const ELF32_PHDR *ph = (const ELF32_PHDR *)(Data + eh->e_phoff);
    ULONG low = Highest, high = Lowest;
    BOOLEAN entryOk = FALSE;
    for (ULONG i = 0; i < eh->e_phnum; i++) {
        const ELF32_PHDR *p = &ph[i];
        if (p->p_type != PT_LOAD || p->p_memsz == 0)
            continue;
        ULONG end = p->p_vaddr + p->p_memsz;
        if (p->p_filesz > p->p_memsz || end < p->p_vaddr || p->p_vaddr < Lowest || end > Highest)
            return STATUS_INVALID_IMAGE_FORMAT;
        if (p->p_offset > Size || p->p_filesz > Size - p->p_offset)
            return STATUS_INVALID_IMAGE_FORMAT;
        if (eh->e_entry >= p->p_vaddr && eh->e_entry < end && (!EntryExecutable || (p->p_flags & PF_X)))
            entryOk = TRUE;
        if (p->p_vaddr < low)
            low = p->p_vaddr;
        if (end > high)
            high = end;
    }
    if (!entryOk)
        return STATUS_INVALID_IMAGE_FORMAT;
    Image->Data = Data;
    Image->Header = eh;
    Image->Segments = ph;
    Image->Start = low & ~(PAGE_SIZE - 1);
    Image->End = (high + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    Image->Entry = eh->e_entry;
    return STATUS_SUCCESS;
}

NTSTATUS MiMapImage(const MI_IMAGE *Image, ULONG Protection, BOOLEAN AlwaysWritable)
{
    for (ULONG i = 0; i < Image->Header->e_phnum; i++) {
        const ELF32_PHDR *p = &Image->Segments[i];
        if (p->p_type != PT_LOAD || p->p_memsz == 0)
            continue;
        ULONG end = p->p_vaddr + p->p_memsz;
        ULONG protection = Protection | ((AlwaysWritable || (p->p_flags & PF_W)) ? MM_WRITABLE : 0);
        for (ULONG va = p->p_vaddr & ~(PAGE_SIZE - 1); va < end; va += PAGE_SIZE) {
            ULONG phys = MmQueryPhysical(va);   /* a page two segments share is mapped once */
            if (!phys) {
                phys = MmAllocatePhysicalPage();
                if (!phys)
                    return STATUS_NO_MEMORY;
            }
            NTSTATUS status = MmMapPage(va, phys, protection);
            if (!NT_SUCCESS(status))
                return status;
            /* copy the part of this page that the file supplies; the rest stays zero */
            PUCHAR kseg = MmPhysicalToVirtual(phys);
            ULONG from = va < p->p_vaddr ? p->p_vaddr : va;
            ULONG fileEnd = p->p_vaddr + p->p_filesz;
            ULONG to = va + PAGE_SIZE < fileEnd ? va + PAGE_SIZE : fileEnd;
            if (from < to)
                memcpy(kseg + (from - va), Image->Data + p->p_offset + (from - p->p_vaddr), to - from);
        }
    }
    return STATUS_SUCCESS;
}
