/*
 * Virtual memory services on the current process: NtAllocateVirtualMemory
 * (reserve and/or commit, page granularity, reservations on 64 KiB
 * boundaries), NtFreeVirtualMemory (decommit or release) and
 * NtProtectVirtualMemory. Reservations are VADs (a sorted list per
 * process); a committed page has a frame from the start and its protection
 * in the PTE's software bits. Bad input gets NT's status codes, in NT's
 * order of checks.
 */
#include "../inc/ke.h"
#include "../inc/mm.h"
#include "../inc/ob.h"
#include "../inc/ps.h"
#include "../inc/ex.h"
#include "../inc/ntapidef.h"

#define PROCESS_VM_OPERATION   0x0008
#define MM_ALLOCATION_GRANULARITY 0x10000u
#define MM_LOWEST_USER_ADDRESS    0x00010000u
#define MM_HIGHEST_VAD_ADDRESS    (MM_HIGHEST_USER_ADDRESS - MM_ALLOCATION_GRANULARITY)
#define MI_MAX_ZERO_BITS          21
#define MI_VAD_TAG                0x20646156   /* 'Vad ' */

#define ROUND_DOWN(x, a) ((x) & ~((ULONG_PTR)(a) - 1))
#define ROUND_UP(x, a)   (((x) + (a) - 1) & ~((ULONG_PTR)(a) - 1))

static const ULONG MiPageProtection[] = {
    0, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE,
};

/* MI_PROT_* for a Win32 protection, MI_PROT_NONE when NT would refuse it for private memory. */
static ULONG MiMakeProtectionMask(ULONG Protect)
{
    for (ULONG i = 1; i < ARRAYSIZE(MiPageProtection); i++)
        if (MiPageProtection[i] == Protect)
            return i;
    return MI_PROT_NONE;
}

static ULONG_PTR MiMakePte(ULONG_PTR Frame, ULONG Protection)
{
    ULONG_PTR pte = Frame | MI_PTE_PROTECTION(Protection);
    if (Protection == MI_PROT_NOACCESS)
        return pte;   /* not present: any access faults, the frame stays committed */
    pte |= PTE_PRESENT | PTE_USER;
    if (Protection == MI_PROT_READWRITE || Protection == MI_PROT_EXECUTE_READWRITE)
        pte |= PTE_WRITE;
    return pte;
}

static BOOLEAN MiIsCommitted(ULONG_PTR Va)
{
    return MI_PTE_GET_PROTECTION(MiReadPte(Va)) != MI_PROT_NONE;
}

/* ---------------------------------------------------------------- VADs */

static PMMVAD MiLocateVad(PEPROCESS Process, ULONG_PTR Va)
{
    ULONG_PTR vpn = Va >> PAGE_SHIFT;
    for (PMMVAD v = Process->VadRoot; v && v->StartingVpn <= vpn; v = v->Next)
        if (vpn <= v->EndingVpn)
            return v;
    return NULL;
}

static BOOLEAN MiRangeIsFree(PEPROCESS Process, ULONG_PTR Start, ULONG_PTR End)
{
    for (PMMVAD v = Process->VadRoot; v; v = v->Next)
        if ((v->StartingVpn << PAGE_SHIFT) < End && ((v->EndingVpn + 1) << PAGE_SHIFT) > Start)
            return FALSE;
    return TRUE;
}

NTSTATUS MiInsertVad(PEPROCESS Process, ULONG_PTR Start, ULONG_PTR End, ULONG Flags)
{
    PMMVAD vad = ExAllocatePoolWithTag(NonPagedPool, sizeof(MMVAD), MI_VAD_TAG);
    if (!vad)
        return STATUS_INSUFFICIENT_RESOURCES;
    vad->StartingVpn = Start >> PAGE_SHIFT;
    vad->EndingVpn = (End >> PAGE_SHIFT) - 1;
    vad->Flags = Flags;
    PMMVAD *link = &Process->VadRoot;
    while (*link && (*link)->StartingVpn < vad->StartingVpn)
        link = &(*link)->Next;
    vad->Next = *link;
    *link = vad;
    return STATUS_SUCCESS;
}

/* The lowest Size bytes, on a 64 KiB boundary, that no VAD covers and that end at or below Highest. */
static ULONG_PTR MiFindEmptyRange(PEPROCESS Process, ULONG_PTR Size, ULONG_PTR Highest)
{
    ULONG_PTR start = MM_LOWEST_USER_ADDRESS;
    for (;;) {
        if (start + Size < start || start + Size - 1 > Highest)
            return 0;
        PMMVAD blocker = NULL;
        for (PMMVAD v = Process->VadRoot; v; v = v->Next)
            if ((v->StartingVpn << PAGE_SHIFT) < start + Size && ((v->EndingVpn + 1) << PAGE_SHIFT) > start)
                blocker = v;
        if (!blocker)
            return start;
        start = ROUND_UP((blocker->EndingVpn + 1) << PAGE_SHIFT, MM_ALLOCATION_GRANULARITY);
        if (!start)
            return 0;
    }
}

static void MiDecommitRange(ULONG_PTR Start, ULONG_PTR End)
{
    for (ULONG_PTR va = Start; va < End; va += PAGE_SIZE) {
        ULONG_PTR pte = MiReadPte(va);
        if (MI_PTE_GET_PROTECTION(pte) == MI_PROT_NONE)
            continue;
        MiWritePte(va, 0);
        MmFreePhysicalPage(MI_PTE_FRAME(pte));
    }
}

/* Releases [Start, End) of Vad: the VAD shrinks, splits or goes. */
static NTSTATUS MiReleaseRange(PEPROCESS Process, PMMVAD Vad, ULONG_PTR Start, ULONG_PTR End)
{
    ULONG_PTR first = Start >> PAGE_SHIFT, last = (End >> PAGE_SHIFT) - 1;
    if (first > Vad->StartingVpn && last < Vad->EndingVpn) {
        NTSTATUS status = MiInsertVad(Process, End, (Vad->EndingVpn + 1) << PAGE_SHIFT, Vad->Flags);
        if (!NT_SUCCESS(status))
            return status;
        Vad->EndingVpn = first - 1;
    } else if (first > Vad->StartingVpn) {
        Vad->EndingVpn = first - 1;
    } else if (last < Vad->EndingVpn) {
        Vad->StartingVpn = last + 1;
    } else {
        PMMVAD *link = &Process->VadRoot;
        while (*link != Vad)
            link = &(*link)->Next;
        *link = Vad->Next;
        ExFreePoolWithTag(Vad, MI_VAD_TAG);
    }
    MiDecommitRange(Start, End);
    return STATUS_SUCCESS;
}

/* ---------------------------------------------------------------- services */

/* Only the current process has an address space a handle can name here. */
static NTSTATUS MiReferenceProcess(HANDLE ProcessHandle, KPROCESSOR_MODE Mode, PEPROCESS *Process)
{
    NTSTATUS status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_VM_OPERATION, PsProcessType, Mode,
                                                (PVOID *)Process, NULL);
    if (NT_SUCCESS(status) && *Process != PsGetCurrentProcess()) {
        ObDereferenceObject(*Process);
        status = STATUS_NOT_IMPLEMENTED;
    }
    return status;
}

static NTSTATUS MiCaptureRange(PVOID *BaseAddress, PSIZE_T RegionSize, ULONG_PTR *Base, ULONG_PTR *Size)
{
    NTSTATUS status = MmCopyFromCaller(Base, BaseAddress, sizeof(*Base), sizeof(ULONG_PTR));
    if (NT_SUCCESS(status))
        status = MmCopyFromCaller(Size, RegionSize, sizeof(*Size), sizeof(ULONG_PTR));
    if (NT_SUCCESS(status) && KeGetPreviousMode() == UserMode) {
        /* both are written back: they must be writable too */
        status = ProbeForWrite(BaseAddress, sizeof(PVOID), sizeof(ULONG_PTR));
        if (NT_SUCCESS(status))
            status = ProbeForWrite(RegionSize, sizeof(SIZE_T), sizeof(ULONG_PTR));
    }
    return status;
}

static NTSTATUS MiReturnRange(PVOID *BaseAddress, PSIZE_T RegionSize, ULONG_PTR Base, ULONG_PTR Size)
{
    NTSTATUS status = MmCopyToCaller(BaseAddress, &Base, sizeof(Base), sizeof(ULONG_PTR));
    if (NT_SUCCESS(status))
        status = MmCopyToCaller(RegionSize, &Size, sizeof(Size), sizeof(ULONG_PTR));
    return status;
}

NTSTATUS NTAPI NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                       PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect)
{
    KPROCESSOR_MODE mode = KeGetPreviousMode();
    ULONG_PTR base, size;
    ULONG protection;
    PEPROCESS process;
    NTSTATUS status;

    if (ZeroBits > MI_MAX_ZERO_BITS)
        return STATUS_INVALID_PARAMETER_3;
    if ((AllocationType & ~(MEM_COMMIT | MEM_RESERVE | MEM_TOP_DOWN)) ||
        !(AllocationType & (MEM_COMMIT | MEM_RESERVE)))
        return STATUS_INVALID_PARAMETER_5;
    protection = MiMakeProtectionMask(Protect);
    if (protection == MI_PROT_NONE)
        return STATUS_INVALID_PAGE_PROTECTION;
    status = MiCaptureRange(BaseAddress, RegionSize, &base, &size);
    if (!NT_SUCCESS(status))
        return status;
    if (base > MM_HIGHEST_VAD_ADDRESS)
        return STATUS_INVALID_PARAMETER_2;
    if (size == 0 || MM_HIGHEST_VAD_ADDRESS + 1 - base < size)
        return STATUS_INVALID_PARAMETER_4;
    ULONG_PTR highest = ZeroBits ? (MM_HIGHEST_USER_ADDRESS >> ZeroBits) : MM_HIGHEST_VAD_ADDRESS;
    if (base && base + size - 1 > highest)
        return STATUS_INVALID_PARAMETER_3;
    status = MiReferenceProcess(ProcessHandle, mode, &process);
    if (!NT_SUCCESS(status))
        return status;

    ULONG_PTR start, end;
    if (AllocationType & MEM_RESERVE) {
        if (base) {
            start = ROUND_DOWN(base, MM_ALLOCATION_GRANULARITY);
            end = ROUND_UP(base + size, PAGE_SIZE);
            if (!MiRangeIsFree(process, start, end))
                status = STATUS_CONFLICTING_ADDRESSES;
        } else {
            end = ROUND_UP(size, PAGE_SIZE);
            start = MiFindEmptyRange(process, end, highest);
            end += start;
            if (!start)
                status = STATUS_NO_MEMORY;
        }
        if (NT_SUCCESS(status))
            status = MiInsertVad(process, start, end, MI_VAD_PRIVATE);
    } else {
        start = ROUND_DOWN(base, PAGE_SIZE);
        end = ROUND_UP(base + size, PAGE_SIZE);
        PMMVAD vad = base ? MiLocateVad(process, start) : NULL;
        if (!vad || (vad->Flags & MI_VAD_IMAGE) || end - 1 > ((vad->EndingVpn + 1) << PAGE_SHIFT) - 1)
            status = STATUS_CONFLICTING_ADDRESSES;
    }

    if (NT_SUCCESS(status) && (AllocationType & MEM_COMMIT)) {
        ULONG_PTR needed = 0;
        for (ULONG_PTR va = start; va < end; va += PAGE_SIZE)
            needed += !MiIsCommitted(va);
        /* keep a little for page tables; committing never half-succeeds */
        if ((needed + (end - start) / 0x400000 + 2) * PAGE_SIZE > MmFreePhysicalBytes()) {
            status = STATUS_NO_MEMORY;
            if (AllocationType & MEM_RESERVE)
                MiReleaseRange(process, MiLocateVad(process, start), start, end);
        }
        for (ULONG_PTR va = start; NT_SUCCESS(status) && va < end; va += PAGE_SIZE) {
            if (MiIsCommitted(va))
                continue;   /* already committed pages keep their contents and protection */
            ULONG_PTR frame = MmAllocatePhysicalPage();
            status = frame ? MiWritePte(va, MiMakePte(frame, protection)) : STATUS_NO_MEMORY;
        }
    }
    ObDereferenceObject(process);
    if (!NT_SUCCESS(status))
        return status;
    return MiReturnRange(BaseAddress, RegionSize, start, end - start);
}

NTSTATUS NTAPI NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize, ULONG FreeType)
{
    KPROCESSOR_MODE mode = KeGetPreviousMode();
    ULONG_PTR base, size;
    PEPROCESS process;

    if (FreeType != MEM_DECOMMIT && FreeType != MEM_RELEASE)
        return STATUS_INVALID_PARAMETER_4;
    NTSTATUS status = MiCaptureRange(BaseAddress, RegionSize, &base, &size);
    if (!NT_SUCCESS(status))
        return status;
    if (base > MM_HIGHEST_VAD_ADDRESS)
        return STATUS_INVALID_PARAMETER_2;
    if (MM_HIGHEST_VAD_ADDRESS + 1 - base < size)
        return STATUS_INVALID_PARAMETER_3;
    status = MiReferenceProcess(ProcessHandle, mode, &process);
    if (!NT_SUCCESS(status))
        return status;

    ULONG_PTR start = ROUND_DOWN(base, PAGE_SIZE), end = 0;
    PMMVAD vad = MiLocateVad(process, start);
    if (!vad) {
        status = STATUS_MEMORY_NOT_ALLOCATED;
    } else if (vad->Flags & MI_VAD_IMAGE) {
        status = STATUS_UNABLE_TO_DELETE_SECTION;
    } else {
        ULONG_PTR vadEnd = (vad->EndingVpn + 1) << PAGE_SHIFT;
        if (size == 0) {
            /* the whole reservation, which must then be named by its base */
            if (FreeType == MEM_RELEASE && start != vad->StartingVpn << PAGE_SHIFT)
                status = STATUS_FREE_VM_NOT_AT_BASE;
            end = vadEnd;
        } else {
            end = ROUND_UP(base + size, PAGE_SIZE);
            if (end > vadEnd || end == 0)
                status = STATUS_UNABLE_TO_FREE_VM;
        }
    }
    if (NT_SUCCESS(status)) {
        if (FreeType == MEM_RELEASE)
            status = MiReleaseRange(process, vad, start, end);
        else
            MiDecommitRange(start, end);
    }
    ObDereferenceObject(process);
    if (!NT_SUCCESS(status))
        return status;
    return MiReturnRange(BaseAddress, RegionSize, start, end - start);
}

NTSTATUS NTAPI NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T NumberOfBytesToProtect,
                                      ULONG NewAccessProtection, PULONG OldAccessProtection)
{
    KPROCESSOR_MODE mode = KeGetPreviousMode();
    ULONG_PTR base, size;
    ULONG old;
    PEPROCESS process;

    ULONG protection = MiMakeProtectionMask(NewAccessProtection);
    if (protection == MI_PROT_NONE)
        return STATUS_INVALID_PAGE_PROTECTION;
    NTSTATUS status = MiCaptureRange(BaseAddress, NumberOfBytesToProtect, &base, &size);
    if (NT_SUCCESS(status) && mode == UserMode)
        status = ProbeForWrite(OldAccessProtection, sizeof(ULONG), sizeof(ULONG));
    if (!NT_SUCCESS(status))
        return status;
    if (base > MM_HIGHEST_USER_ADDRESS)
        return STATUS_INVALID_PARAMETER_2;
    if (size == 0 || MM_HIGHEST_USER_ADDRESS + 1 - base < size)
        return STATUS_INVALID_PARAMETER_3;
    status = MiReferenceProcess(ProcessHandle, mode, &process);
    if (!NT_SUCCESS(status))
        return status;

    ULONG_PTR start = ROUND_DOWN(base, PAGE_SIZE), end = ROUND_UP(base + size, PAGE_SIZE);
    PMMVAD vad = MiLocateVad(process, start);
    if (!vad || end == 0 || end > (vad->EndingVpn + 1) << PAGE_SHIFT) {
        status = STATUS_CONFLICTING_ADDRESSES;
    } else {
        for (ULONG_PTR va = start; va < end && NT_SUCCESS(status); va += PAGE_SIZE)
            if (!MiIsCommitted(va))
                status = STATUS_NOT_COMMITTED;
    }
    if (NT_SUCCESS(status)) {
        old = MiPageProtection[MI_PTE_GET_PROTECTION(MiReadPte(start))];
        for (ULONG_PTR va = start; va < end; va += PAGE_SIZE)
            MiWritePte(va, MiMakePte(MI_PTE_FRAME(MiReadPte(va)), protection));
    }
    ObDereferenceObject(process);
    if (!NT_SUCCESS(status))
        return status;
    status = MiReturnRange(BaseAddress, NumberOfBytesToProtect, start, end - start);
    if (NT_SUCCESS(status))
        status = MmCopyToCaller(OldAccessProtection, &old, sizeof(old), sizeof(ULONG));
    return status;
}
