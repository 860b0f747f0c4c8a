/*
 * amd64 page tables (four levels, 4 KiB pages; KSEG0 uses 2 MiB ones).
 * Every level is reached through the self-map: PML4 entry 0x1ED points at the
 * PML4 itself, so the PTE, PDE, PPE and PXE of any address sit at fixed
 * addresses, as on NT x64 before Windows 10 1607.
 */
#include "../../inc/ke.h"
#include "../../inc/mm.h"
#include "../../inc/rtl.h"

#define VA_BITS 48
#define MiVpn(va, shift)    ((((ULONG_PTR)(va)) & ((1ull << VA_BITS) - 1)) >> (shift))
#define MiGetPteAddress(va) ((PULONG_PTR)(AMD64_PTE_BASE + MiVpn(va, 12) * 8))
#define MiGetPdeAddress(va) ((PULONG_PTR)(AMD64_PDE_BASE + MiVpn(va, 21) * 8))
#define MiGetPpeAddress(va) ((PULONG_PTR)(AMD64_PPE_BASE + MiVpn(va, 30) * 8))
#define MiGetPxeAddress(va) ((PULONG_PTR)(AMD64_PXE_BASE + MiVpn(va, 39) * 8))
#define PXE_KERNEL_FIRST    256   /* the PML4 entries of the kernel half */

static BOOLEAN MiIsUserAddress(ULONG_PTR Va)
{
    return Va <= MM_HIGHEST_USER_ADDRESS;
}

/*
 * Makes *Entry present, with a fresh table (Next: the self-map address of
 * that table's first entry, flushed once it exists). Upper levels stay
 * permissive; the PTE decides.
 */
static NTSTATUS MiEnsureTable(PULONG_PTR Entry, PVOID Next, BOOLEAN User)
{
    if (*Entry & PTE_PRESENT)
        return (*Entry & PTE_LARGE) ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
    ULONG_PTR table = MmAllocatePhysicalPage();
    if (!table)
        return STATUS_NO_MEMORY;
    *Entry = table | PTE_PRESENT | PTE_WRITE | (User ? PTE_USER : 0);
    __invlpg((ULONG_PTR)Next);
    return STATUS_SUCCESS;
}

/* Writes the PTE for Va, creating the tables above it if needed. */
NTSTATUS MiWritePte(ULONG_PTR Va, ULONG_PTR Pte)
{
    BOOLEAN user = MiIsUserAddress(Va);
    NTSTATUS status = MiEnsureTable(MiGetPxeAddress(Va), MiGetPpeAddress(Va), user);
    if (NT_SUCCESS(status))
        status = MiEnsureTable(MiGetPpeAddress(Va), MiGetPdeAddress(Va), user);
    if (NT_SUCCESS(status))
        status = MiEnsureTable(MiGetPdeAddress(Va), MiGetPteAddress(Va), user);
    if (!NT_SUCCESS(status))
        return status;
    *MiGetPteAddress(Va) = Pte;
    __invlpg(Va);
    return STATUS_SUCCESS;
}

/* Whether the tables above Va's PTE exist (and none of them maps a large page). */
static BOOLEAN MiHasPageTable(ULONG_PTR Va)
{
    return (*MiGetPxeAddress(Va) & PTE_PRESENT) && (*MiGetPpeAddress(Va) & PTE_PRESENT) &&
           !(*MiGetPpeAddress(Va) & PTE_LARGE) && (*MiGetPdeAddress(Va) & PTE_PRESENT) &&
           !(*MiGetPdeAddress(Va) & PTE_LARGE);
}

ULONG_PTR MiReadPte(ULONG_PTR Va)
{
    return MiHasPageTable(Va) ? *MiGetPteAddress(Va) : 0;
}

NTSTATUS MmMapPage(ULONG_PTR Va, ULONG_PTR Phys, ULONG Protection)
{
    ULONG_PTR pte = (Phys & PTE_FRAME) | PTE_PRESENT;
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
    if (!(*MiGetPxeAddress(Va) & PTE_PRESENT) || !(*MiGetPpeAddress(Va) & PTE_PRESENT))
        return 0;
    ULONG_PTR pde = *MiGetPdeAddress(Va);
    if (!(pde & PTE_PRESENT))
        return 0;
    if (pde & PTE_LARGE)
        return (pde & PTE_FRAME & ~0x1FFFFFull) | (Va & 0x1FF000);
    ULONG_PTR pte = *MiGetPteAddress(Va);
    return (pte & PTE_PRESENT) ? (pte & PTE_FRAME) : 0;
}

/*
 * A PML4 sharing the kernel half of the current one. Kernel PML4 entries are
 * copied as they are when the space is made, so MmUnmapIdentity creates the
 * PDPTs of every kernel range at boot: later kernel mappings land below
 * entries every address space already has.
 */
ULONG_PTR MmCreateAddressSpace(void)
{
    ULONG_PTR pml4Phys = MmAllocatePhysicalPage();
    if (!pml4Phys)
        return 0;
    PULONG_PTR pml4 = MmPhysicalToVirtual(pml4Phys);
    PULONG_PTR current = (PULONG_PTR)AMD64_PXE_BASE;
    for (ULONG i = PXE_KERNEL_FIRST; i < 512; i++)
        pml4[i] = current[i];
    pml4[AMD64_PXE_SELFMAP_INDEX] = pml4Phys | PTE_PRESENT | PTE_WRITE;
    return pml4Phys;
}

/* The boot identity map of the first GiB is no longer needed once we run in KSEG0. */
void MmUnmapIdentity(void)
{
    static const ULONG_PTR KernelRanges[] = { KI_USER_SHARED_DATA, MM_SYSTEM_DRIVER_START };
    for (ULONG i = 0; i < sizeof(KernelRanges) / sizeof(KernelRanges[0]); i++)
        if (!NT_SUCCESS(MiEnsureTable(MiGetPxeAddress(KernelRanges[i]), MiGetPpeAddress(KernelRanges[i]), FALSE)))
            KeBugCheckEx(PHASE0_INITIALIZATION_FAILED, 3, KernelRanges[i], 0, 0);
    *MiGetPxeAddress(0) = 0;
    __writecr3(__readcr3());
}
