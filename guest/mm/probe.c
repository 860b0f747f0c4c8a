/*
 * Probing: a user-mode caller's buffers must lie below MmUserProbeAddress.
 * Kernel-mode callers are trusted and not probed (the Nt/Zw asymmetry).
 * Copies go through KiSafeCopy so an unmapped user page becomes
 * STATUS_ACCESS_VIOLATION instead of a bugcheck.
 */
#include "../inc/ke.h"
#include "../inc/mm.h"

static NTSTATUS MiProbe(ULONG_PTR Address, SIZE_T Length, ULONG Alignment)
{
    if (Length == 0)
        return STATUS_SUCCESS;
    if (Alignment > 1 && (Address & (Alignment - 1)))
        return STATUS_DATATYPE_MISALIGNMENT;
    ULONG_PTR end = Address + Length;
    if (end < Address || end > MM_USER_PROBE_ADDRESS)
        return STATUS_ACCESS_VIOLATION;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ProbeForRead(const VOID *Address, SIZE_T Length, ULONG Alignment)
{
    return MiProbe((ULONG_PTR)Address, Length, Alignment);
}

NTSTATUS NTAPI ProbeForWrite(PVOID Address, SIZE_T Length, ULONG Alignment)
{
    return MiProbe((ULONG_PTR)Address, Length, Alignment);
}

NTSTATUS MmCopyFromCaller(PVOID Destination, const VOID *Source, SIZE_T Length, ULONG Alignment)
{
    if (KeGetPreviousMode() == UserMode) {
        NTSTATUS status = ProbeForRead(Source, Length, Alignment);
        if (!NT_SUCCESS(status))
            return status;
    }
    return KiSafeCopy(Destination, Source, Length);
}

NTSTATUS MmCopyToCaller(PVOID Destination, const VOID *Source, SIZE_T Length, ULONG Alignment)
{
    if (KeGetPreviousMode() == UserMode) {
        NTSTATUS status = ProbeForWrite(Destination, Length, Alignment);
        if (!NT_SUCCESS(status))
            return status;
    }
    return KiSafeCopy(Destination, Source, Length);
}
