/*
 * ntkernel.h -- ours (ntvisor's examples/lib), not part of mingw-w64: what
 * the example drivers use that mingw-w64's <ntddk.h> does not declare, as
 * NT drivers declare it. Include it after <ntddk.h>.
 */
#ifndef EXAMPLES_NTKERNEL_H
#define EXAMPLES_NTKERNEL_H

/* the Nt entry points are exported by ntoskrnl.exe (<ntifs.h> declares them, not <ntddk.h>) */
NTSYSAPI NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                   PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                                   PLARGE_INTEGER ByteOffset, PULONG Key);
NTSYSAPI NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                    PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                                    PLARGE_INTEGER ByteOffset, PULONG Key);

/* exported by ntoskrnl since XP, undocumented: EPROCESS.ImageFileName */
NTKERNELAPI PCHAR NTAPI PsGetProcessImageFileName(PEPROCESS Process);

/* KeServiceDescriptorTable, exported data: [0] is KiServiceTable, [1] the (empty here) Win32k slot */
typedef struct _KSERVICE_TABLE_DESCRIPTOR {
    PULONG_PTR Base;      /* the service routines */
    PULONG Count;         /* per-service call counts (checked builds), NULL */
    ULONG Limit;          /* the number of services */
    PUCHAR Number;        /* argument bytes per service (KiArgumentTable) */
} KSERVICE_TABLE_DESCRIPTOR, *PKSERVICE_TABLE_DESCRIPTOR;
__declspec(dllimport) extern KSERVICE_TABLE_DESCRIPTOR KeServiceDescriptorTable[];

#endif
