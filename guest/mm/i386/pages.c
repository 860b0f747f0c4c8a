/*
 * i386 page tables (two levels, 4 KiB pages). Page tables are reached through the
 * self-map: PDE 0x300 points at the page directory itself, so the PTE of any
 * address sits at PTE_BASE + (va >> 12) * 4, as on NT.
 */
#include "../../inc/mm.h"
#include "../../inc/rtl.h"

#define MiGetPdeAddress(va) ((PULONG)(PDE_BASE + (((ULONG)(va) >> 22) << 2)))
#define MiGetPteAddress(va) ((PULONG)(PTE_BASE + (((ULONG)(va) >> 12) << 2)))

extern ULONG MmSystemPageDirectory[1024];

/* Writes the PTE for Va, creating its page table if needed. */
NTSTATUS MiWritePte(ULONG_PTR Va, ULONG_PTR Pte)
{
    PULONG pde = MiGetPdeAddress(Va);
    ULONG user = Va < MM_KSEG0_BASE ? PTE_USER : 0;

    if (!(*pde & PTE_PRESENT)) {
        ULONG_PTR table = MmAllocatePhysicalPage();
        if (!table)
            return STATUS_NO_MEMORY;
        /* the PDE stays permissive; the PTE decides */
        *pde = table | PTE_PRESENT | PTE_WRITE | user;
        __invlpg((ULONG)MiGetPteAddress(Va));
    } else if (*pde & PTE_LARGE) {
        return STATUS_INVALID_PARAMETER;
    }
    *MiGetPteAddress(Va) = Pte;
    __invlpg(Va);
    return STATUS_SUCCESS;
}

ULONG_PTR MiReadPte(ULONG_PTR Va)
{
    ULONG pde = *MiGetPdeAddress(Va);
    if (!(pde & PTE_PRESENT) || (pde & PTE_LARGE))
        return 0;
    return *MiGetPteAddress(Va);
}

NTSTATUS MmMapPage(ULONG_PTR Va, ULONG_PTR Phys, ULONG Protection)
{
    ULONG_PTR pte = (Phys & ~(PAGE_SIZE - 1)) | PTE_PRESENT;
    if (Protection & MM_USER)
        pte |= PTE_USER;
    if (Protection & MM_WRITABLE)
        pte |= PTE_WRITE | MI_PTE_PROTECTION(MI_PROT_READWRITE);
    else
        pte |= MI_PTE_PROTECTION(MI_PROT_READONLY);
    return MiWritePte(Va, pte);
}

ULONG_PTR MmQueryPhysical(ULONG_PTR Va)
{
    ULONG pde = *MiGetPdeAddress(Va);
    if (!(pde & PTE_PRESENT))
        return 0;
    if (pde & PTE_LARGE)
        return (pde & 0xFFC00000) | (Va & 0x003FF000);
    ULONG pte = *MiGetPteAddress(Va);
    return (pte & PTE_PRESENT) ? (pte & ~(PAGE_SIZE - 1)) : 0;
}

ULONG_PTR MmCreateAddressSpace(void)
{
    ULONG_PTR pdPhys = MmAllocatePhysicalPage();
    if (!pdPhys)
        return 0;
    PULONG pd = MmPhysicalToVirtual(pdPhys);
    PULONG current = MiGetPdeAddress(0);
    for (ULONG i = MM_KSEG0_BASE >> 22; i < 1024; i++)
        pd[i] = current[i];
    pd[PTE_BASE >> 22] = pdPhys | PTE_PRESENT | PTE_WRITE;
    return pdPhys;
}

/* The boot identity map of 0-4 MiB is no longer needed once we run in KSEG0. */
void MmUnmapIdentity(void)
{
    MmSystemPageDirectory[0] = 0;
    __writecr3(__readcr3());
}
