/*
 * Mapping images: ELF32 i386 executables (segments as linked) and PE32
 * images (NT's way: headers and sections in fresh pages at the base, all
 * writable while the loader relocates and snaps imports, then each
 * section's protection from its Characteristics written into the PTEs).
 */
#include "../inc/i386.h"
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

/* ---------------------------------------------------------------- PE32 */

static ULONG MiImagePages(const LDR_IMAGE *Image)
{
    return (Image->SizeOfImage + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

VOID MiUnmapPeImage(ULONG Va, ULONG Size)
{
    for (ULONG va = Va; va - Va < Size; va += PAGE_SIZE) {
        ULONG pte = MiReadPte(va);
        if (!(pte & (PTE_PRESENT | MI_PTE_PROTECTION_MASK)))
            continue;
        MiWritePte(va, 0);   /* invalidates the TLB entry */
        MmFreePhysicalPage(pte & ~(PAGE_SIZE - 1));
    }
}

NTSTATUS MiMapPeImage(PLDR_IMAGE Image, ULONG Va, ULONG Protection)
{
    ULONG size = MiImagePages(Image);
    if (Va & (PAGE_SIZE - 1) || Va + size < Va)
        return STATUS_CONFLICTING_ADDRESSES;
    for (ULONG va = Va; va - Va < size; va += PAGE_SIZE)
        if (MmQueryPhysical(va))
            return STATUS_CONFLICTING_ADDRESSES;   /* nothing may be there yet */
    for (ULONG va = Va; va - Va < size; va += PAGE_SIZE) {
        ULONG phys = MmAllocatePhysicalPage();
        NTSTATUS status = phys ? MmMapPage(va, phys, Protection | MM_WRITABLE) : STATUS_NO_MEMORY;
        if (!NT_SUCCESS(status)) {
            if (phys)
                MmFreePhysicalPage(phys);
            MiUnmapPeImage(Va, va - Va);
            return status;
        }
    }
    Image->Base = (PUCHAR)Va;
    Image->Va = Va;
    RtlCopyImage(Image);   /* the pages are zero: what the file does not supply stays zero */
    return STATUS_SUCCESS;
}

/* MI_PROT_* for a section: read-only unless it says write and/or execute. */
static ULONG MiSectionProtection(ULONG Characteristics)
{
    BOOLEAN write = (Characteristics & IMAGE_SCN_MEM_WRITE) != 0;
    if (Characteristics & IMAGE_SCN_MEM_EXECUTE)
        return write ? MI_PROT_EXECUTE_READWRITE : MI_PROT_EXECUTE_READ;
    return write ? MI_PROT_READWRITE : MI_PROT_READONLY;
}

NTSTATUS MiProtectPeImage(const LDR_IMAGE *Image, ULONG Protection)
{
    ULONG size = MiImagePages(Image);
    for (ULONG rva = 0; rva < size; rva += PAGE_SIZE) {
        ULONG prot = MI_PROT_READONLY;   /* headers and gaps between sections */
        for (ULONG i = 0; i < Image->NumberOfSections; i++) {
            const IMAGE_SECTION_HEADER *s = &Image->Sections[i];
            ULONG extent = s->Misc.VirtualSize ? s->Misc.VirtualSize : s->SizeOfRawData;
            if (rva >= s->VirtualAddress && rva - s->VirtualAddress < extent)
                prot = MiSectionProtection(s->Characteristics);
        }
        ULONG va = Image->Va + rva;
        ULONG pte = (MiReadPte(va) & ~(PAGE_SIZE - 1)) | PTE_PRESENT | MI_PTE_PROTECTION(prot);
        if (Protection & MM_USER)
            pte |= PTE_USER;
        if (prot == MI_PROT_READWRITE || prot == MI_PROT_EXECUTE_READWRITE)
            pte |= PTE_WRITE;
        NTSTATUS status = MiWritePte(va, pte);   /* invlpg: the old writable entry is gone */
        if (!NT_SUCCESS(status))
            return status;
    }
    return STATUS_SUCCESS;
}
