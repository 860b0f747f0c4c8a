/*
 * hooks-sst.sys: the classic service-table hook. On IOCTL_HOOKS_INSTALL it
 * finds NtReadFile's entry in KeServiceDescriptorTable[0] (by address, so
 * any build's numbering works; both are ntoskrnl imports), saves it and
 * writes its own routine there; the hook counts the call and calls the
 * original, so every NtReadFile and ZwReadFile still works. KiServiceTable lives in kernel data that KSEG0
 * maps with writable 4 MiB pages; the write is still made with CR0.WP
 * cleared (interrupts off), as on a kernel that maps it read-only.
 */
#include "hookdevice.h"

#define CR0_WP 0x00010000   /* supervisor writes honour read-only pages */

typedef NTSTATUS (NTAPI *PNT_READ_FILE)(HANDLE, HANDLE, PIO_APC_ROUTINE, PVOID, PIO_STATUS_BLOCK, PVOID, ULONG,
                                        PLARGE_INTEGER, PULONG);
static PNT_READ_FILE OriginalNtReadFile;
static volatile ULONG HookCalls;
static ULONG HookIndex = ~0u;

static NTSTATUS NTAPI HookedNtReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                       PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                                       PLARGE_INTEGER ByteOffset, PULONG Key)
{
    HookCalls++;
    return OriginalNtReadFile(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length,
                              ByteOffset, Key);
}

/* Writes one service-table entry with write protection off. */
static void WriteServiceEntry(ULONG Index, ULONG Value)
{
    ULONG cr0, flags;
    __asm__ volatile("pushf; pop %0; cli" : "=r"(flags));
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0 & ~CR0_WP));
    ((volatile ULONG *)KeServiceDescriptorTable[0].Base)[Index] = Value;
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0));
    __asm__ volatile("push %0; popf" :: "r"(flags) : "cc");
}

static NTSTATUS HookInstall(void)
{
    if (OriginalNtReadFile)
        return STATUS_SUCCESS;
    for (ULONG i = 0; i < KeServiceDescriptorTable[0].Limit; i++) {
        if (KeServiceDescriptorTable[0].Base[i] == (ULONG)NtReadFile) {
            HookIndex = i;
            OriginalNtReadFile = (PNT_READ_FILE)KeServiceDescriptorTable[0].Base[i];
            WriteServiceEntry(i, (ULONG)HookedNtReadFile);
            return STATUS_SUCCESS;
        }
    }
    return STATUS_PROCEDURE_NOT_FOUND;
}

static NTSTATUS HookRemove(void)
{
    if (!OriginalNtReadFile)
        return STATUS_SUCCESS;
    WriteServiceEntry(HookIndex, (ULONG)OriginalNtReadFile);
    OriginalNtReadFile = NULL;
    return STATUS_SUCCESS;
}

static HOOKS_STATE HookState(void)
{
    HOOKS_STATE state = { HookCalls, (ULONG)NtReadFile, 0, HookIndex };
    if (HookIndex != ~0u)
        state.Hook = KeServiceDescriptorTable[0].Base[HookIndex];
    return state;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return HookDeviceCreate(DriverObject, L"\\Device\\HooksSst", L"\\??\\HooksSst");
}
