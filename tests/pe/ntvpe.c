/*
 * ntvpe.sys: a PE driver built by mingw-w64 against its own DDK headers, for
 * the kernel's PE driver loader (guest/io/loader.c). DriverEntry says where
 * it runs (the loader relocates it into the top free slot of the driver
 * range), reads a relocated pointer, and calls through imports from
 * ntoskrnl.exe (routines and the data export KeServiceDescriptorTable) and
 * hal.dll (KeGetCurrentIrql).
 */
#include <ntddk.h>

__declspec(dllimport) extern ULONG KeServiceDescriptorTable[4];   /* Base, Count, Limit, Number */

#define NTVPE_TAG 0x6570764E   /* 'Nvpe' */

static const char *Relocated = "relocated";   /* an absolute address: a base relocation */

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name;
    (void)DriverObject;
    (void)RegistryPath;
    PVOID pool = ExAllocatePoolWithTag(NonPagedPool, 64, NTVPE_TAG);
    RtlInitUnicodeString(&name, L"\\Device\\NtvPe");
    DbgPrint("ntvpe: DriverEntry at %08X, irql %u, %s, name %u bytes, pool %s, services %s\n",
             (ULONG)(ULONG_PTR)DriverEntry, KeGetCurrentIrql(), Relocated, name.Length, pool ? "yes" : "no",
             KeServiceDescriptorTable[2] ? "yes" : "no");
    if (pool)
        ExFreePoolWithTag(pool, NTVPE_TAG);
    return STATUS_SUCCESS;
}
