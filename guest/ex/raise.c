/*
 * Raising exceptions, as drivers see it. This kernel has no structured
 * exception handling, and a mingw-w64 driver cannot have a __try block:
 * every raise is unhandled, which on NT stops the system with
 * KMODE_EXCEPTION_NOT_HANDLED -- here too. ProbeForRead and ProbeForWrite
 * are the DDK's raising forms (the kernel's own, in mm/probe.c, return the
 * status instead).
 */
#include "../inc/ex.h"
#include "../inc/ke.h"
#include "../inc/mm.h"

static __attribute__((noreturn)) VOID ExpRaiseStatus(NTSTATUS Status, PVOID Caller)
{
    KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)Status, (ULONG_PTR)Caller, 0, 0);
}

VOID NTAPI ExRaiseStatus(NTSTATUS Status)
{
    ExpRaiseStatus(Status, __builtin_return_address(0));
}

VOID NTAPI ExpProbeForRead(const VOID *Address, SIZE_T Length, ULONG Alignment)
{
    NTSTATUS status = ProbeForRead(Address, Length, Alignment);
    if (!NT_SUCCESS(status))
        ExpRaiseStatus(status, __builtin_return_address(0));
}

VOID NTAPI ExpProbeForWrite(PVOID Address, SIZE_T Length, ULONG Alignment)
{
    NTSTATUS status = ProbeForWrite(Address, Length, Alignment);
    if (!NT_SUCCESS(status))
        ExpRaiseStatus(status, __builtin_return_address(0));
}
