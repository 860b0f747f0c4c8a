/*
 * Mapping PE images, NT's way: headers and sections in fresh pages at the
 * base, all writable while the loader relocates and snaps imports, then
 * each section's protection from its Characteristics written into the PTEs.
 */
#include "../inc/arch.h"
#include "../inc/image.h"
#include "../inc/mm.h"
#include "../inc/rtl.h"

static ULONG MiImagePages(const LDR_IMAGE *Image)
{
    return (Image->SizeOfImage + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

VOID MiUnmapPeImage(ULONG_PTR Va, ULONG Size)
{
    for (ULONG_PTR va = Va; va - Va < Size; va += PAGE_SIZE) {
        ULONG_PTR pte = MiReadPte(va);
        if (!(pte & (PTE_PRESENT | MI_PTE_PROTECTION_MASK)))
            continue;
        MiWritePte(va, 0);   /* invalidates the TLB entry */
        MmFreePhysicalPage(MI_PTE_FRAME(pte));
    }
}

NTSTATUS MiMapPeImage(PLDR_IMAGE Image, ULONG_PTR Va, ULONG Protection)
{
    ULONG size = MiImagePages(Image);
    if (Va & (PAGE_SIZE - 1) || Va + size < Va)
        return STATUS_CONFLICTING_ADDRESSES;
    for (ULONG_PTR va = Va; va - Va < size; va += PAGE_SIZE)
        if (MmQueryPhysical(va))
            return STATUS_CONFLICTING_ADDRESSES;   /* nothing may be there yet */
    for (ULONG_PTR va = Va; va - Va < size; va += PAGE_SIZE) {
        ULONG_PTR phys = MmAllocatePhysicalPage();
        NTSTATUS status = phys ? MmMapPage(va, phys, Protection | MM_WRITABLE) : STATUS_NO_MEMORY;
        if (!NT_SUCCESS(status)) {
            if (phys)
                MmFreePhysicalPage(phys);
            MiUnmapPeImage(Va, (ULONG)(va - Va));
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
        ULONG_PTR va = Image->Va + rva;
        ULONG_PTR pte = MI_PTE_FRAME(MiReadPte(va)) | PTE_PRESENT | MI_PTE_PROTECTION(prot);
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
