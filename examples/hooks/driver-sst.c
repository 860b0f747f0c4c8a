/*
 * hooks-sst.sys: the classic service-table hook. On IOCTL_HOOKS_INSTALL it
 * finds NtReadFile's entry in KeServiceDescriptorTable[0] (by address, so
 * any build's numbering works), saves it and writes its own routine there;
 * the hook counts the call and calls the original, so every NtReadFile and
 * ZwReadFile still works. KiServiceTable lives in the kernel's .rodata,
 * which KSEG0 maps with writable 4 MiB pages; the write is still made with
 * CR0.WP cleared (interrupts off), as on a kernel that maps it read-only.
 */
#include "../../guest/inc/zw.h"
#include "../../guest/inc/rtl.h"
#include "hooksioctl.h"

typedef NTSTATUS (NTAPI *PNT_READ_FILE)(HANDLE, HANDLE, PVOID, PVOID, PIO_STATUS_BLOCK, PVOID, ULONG,
                                        PLARGE_INTEGER, PULONG);
static PNT_READ_FILE OriginalNtReadFile;
static volatile ULONG HookCalls;
static ULONG HookIndex = ~0u;

static NTSTATUS NTAPI HookedNtReadFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
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

static NTSTATUS Install(void)
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

static NTSTATUS Remove(void)
{
    if (!OriginalNtReadFile)
        return STATUS_SUCCESS;
    WriteServiceEntry(HookIndex, (ULONG)OriginalNtReadFile);
    OriginalNtReadFile = NULL;
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI HooksCreateClose(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI HooksDeviceControl(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;
    Irp->IoStatus.Information = 0;
    if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(HOOKS_STATE))
        return Irp->IoStatus.Status = STATUS_BUFFER_TOO_SMALL;
    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_HOOKS_INSTALL: status = Install(); break;
    case IOCTL_HOOKS_REMOVE:  status = Remove(); break;
    case IOCTL_HOOKS_QUERY:   status = STATUS_SUCCESS; break;
    default:                  return Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    }
    HOOKS_STATE state = { HookCalls, (ULONG)NtReadFile, 0, HookIndex };
    if (HookIndex != ~0u)
        state.Hook = KeServiceDescriptorTable[0].Base[HookIndex];
    memcpy(Irp->AssociatedIrp.SystemBuffer, &state, sizeof(state));
    Irp->IoStatus.Information = sizeof(state);
    return Irp->IoStatus.Status = status;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING deviceName, linkName;
    PDEVICE_OBJECT device;
    (void)RegistryPath;
    RtlInitUnicodeString(&deviceName, L"\\Device\\HooksSst");
    RtlInitUnicodeString(&linkName, L"\\??\\HooksSst");
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &deviceName, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = HooksCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = HooksCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = HooksDeviceControl;
    return IoCreateSymbolicLink(&linkName, &deviceName);
}
