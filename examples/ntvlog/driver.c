/*
 * ntvlog.sys: the articles' logging driver. An IOCTL opens a log file with
 * ZwCreateFile; the log is then written with ZwWriteFile and with
 * NtWriteFile from the dispatch routine (in the requesting process, previous
 * mode User), from a work item (the System process, previous mode Kernel)
 * and from a work item a timer's DPC queues: file services are
 * PASSIVE_LEVEL only, so the DPC (DISPATCH_LEVEL) cannot write itself.
 *
 * Built twice. By default the handle is made with OBJ_KERNEL_HANDLE: it is
 * in the kernel's table, good in every process, and refused to NtWriteFile
 * called with previous mode User. With USER_HANDLE (ntvlog-user.sys) it is
 * in the requesting process's table: good in the dispatch routine, and
 * STATUS_INVALID_HANDLE in the System process.
 */
#include <ntddk.h>
#include "../lib/ntkernel.h"
#include "ntvlogioctl.h"

#ifdef USER_HANDLE
#define NTVLOG_HANDLE_ATTRIBUTES 0
#else
#define NTVLOG_HANDLE_ATTRIBUTES OBJ_KERNEL_HANDLE
#endif

#define NTVLOG_MAX_TEXT 64

typedef struct _NTVLOG_EXTENSION {
    HANDLE Log;
    PIO_WORKITEM WorkItem;
    KTIMER Timer;
    KDPC Dpc;
    KEVENT Done;                /* the work item (or DPC) finished */
    BOOLEAN WriteInDpc;         /* the DPC writes itself instead of queueing the work item */
    char Text[3 + NTVLOG_MAX_TEXT];   /* "Zw " or "Nt ", then the caller's text */
    ULONG TextLength;
    NTVLOG_RESULT Result;
} NTVLOG_EXTENSION, *PNTVLOG_EXTENSION;

static NTSTATUS Complete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static void NoteWhere(PNTVLOG_EXTENSION Ext)
{
    RtlCopyMemory(Ext->Result.Process, PsGetProcessImageFileName(PsGetCurrentProcess()),
                  sizeof(Ext->Result.Process) - 1);
    Ext->Result.Irql = KeGetCurrentIrql();
}

/* The pending text at the end of the log, once by ZwWriteFile and once by NtWriteFile. */
static void LogWrite(PNTVLOG_EXTENSION Ext)
{
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER end = { .QuadPart = -1 };   /* FILE_WRITE_TO_END_OF_FILE */
    NoteWhere(Ext);
    RtlCopyMemory(Ext->Text, "Zw ", 3);
    Ext->Result.Status = ZwWriteFile(Ext->Log, NULL, NULL, NULL, &iosb, Ext->Text, Ext->TextLength, &end, NULL);
    RtlCopyMemory(Ext->Text, "Nt ", 3);
    Ext->Result.NtStatus = NtWriteFile(Ext->Log, NULL, NULL, NULL, &iosb, Ext->Text, Ext->TextLength, &end, NULL);
}

static VOID NTAPI LogWorkItem(PDEVICE_OBJECT Device, PVOID Context)
{
    (void)Device;
    PNTVLOG_EXTENSION ext = Context;
    LogWrite(ext);
    KeSetEvent(&ext->Done, 0, FALSE);
}

static VOID NTAPI LogTimerDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    (void)Dpc;
    (void)Arg1;
    (void)Arg2;
    PNTVLOG_EXTENSION ext = Context;
    if (ext->WriteInDpc)
        LogWrite(ext);   /* a file service at DISPATCH_LEVEL: the system stops here */
    IoQueueWorkItem(ext->WorkItem, LogWorkItem, DelayedWorkQueue, ext);
}

static NTSTATUS NTAPI LogCreateClose(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    return Complete(Irp, STATUS_SUCCESS, 0);
}

static NTSTATUS LogOpen(PNTVLOG_EXTENSION Ext)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    if (Ext->Log)
        ZwClose(Ext->Log);
    Ext->Log = NULL;
    RtlInitUnicodeString(&name, L"\\??\\C:\\ntvlog.txt");
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | NTVLOG_HANDLE_ATTRIBUTES, NULL, NULL);
    NoteWhere(Ext);
    return ZwCreateFile(&Ext->Log, GENERIC_WRITE, &oa, &iosb, NULL, FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ,
                        FILE_OPEN_IF, FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, NULL, 0);
}

static NTSTATUS NTAPI LogDeviceControl(PDEVICE_OBJECT Device, PIRP Irp)
{
    PNTVLOG_EXTENSION ext = Device->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;
    ULONG in = stack->Parameters.DeviceIoControl.InputBufferLength;
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;

    if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(NTVLOG_RESULT))
        return Complete(Irp, STATUS_BUFFER_TOO_SMALL, 0);
    RtlZeroMemory(&ext->Result, sizeof(ext->Result));
    if (code == IOCTL_NTVLOG_WRITE || code == IOCTL_NTVLOG_WRITE_WORKER || code == IOCTL_NTVLOG_WRITE_TIMER ||
        code == IOCTL_NTVLOG_WRITE_DPC) {
        if (in == 0 || in > NTVLOG_MAX_TEXT)
            return Complete(Irp, STATUS_INVALID_PARAMETER, 0);
        RtlCopyMemory(ext->Text + 3, buffer, in);
        ext->TextLength = 3 + in;
    }
    switch (code) {
    case IOCTL_NTVLOG_OPEN:
        ext->Result.Status = LogOpen(ext);
        break;
    case IOCTL_NTVLOG_WRITE:
        LogWrite(ext);
        break;
    case IOCTL_NTVLOG_WRITE_WORKER:
        KeClearEvent(&ext->Done);
        IoQueueWorkItem(ext->WorkItem, LogWorkItem, DelayedWorkQueue, ext);
        KeWaitForSingleObject(&ext->Done, Executive, KernelMode, FALSE, NULL);
        break;
    case IOCTL_NTVLOG_WRITE_TIMER:
    case IOCTL_NTVLOG_WRITE_DPC: {
        LARGE_INTEGER due = { .QuadPart = -20 * 10000 };   /* 20 ms */
        ext->WriteInDpc = code == IOCTL_NTVLOG_WRITE_DPC;
        KeClearEvent(&ext->Done);
        KeSetTimer(&ext->Timer, due, &ext->Dpc);
        KeWaitForSingleObject(&ext->Done, Executive, KernelMode, FALSE, NULL);
        break;
    }
    case IOCTL_NTVLOG_CLOSE:
        ext->Result.Status = ext->Log ? ZwClose(ext->Log) : STATUS_INVALID_HANDLE;
        ext->Log = NULL;
        break;
    default:
        return Complete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    ext->Result.Handle = (ULONG)(ULONG_PTR)ext->Log;
    ext->Result.Attributes = NTVLOG_HANDLE_ATTRIBUTES;
    RtlCopyMemory(buffer, &ext->Result, sizeof(ext->Result));
    return Complete(Irp, STATUS_SUCCESS, sizeof(ext->Result));
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING deviceName, linkName;
    PDEVICE_OBJECT device;
    (void)RegistryPath;
    RtlInitUnicodeString(&deviceName, L"\\Device\\NtvLog");
    RtlInitUnicodeString(&linkName, L"\\??\\NtvLog");
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(NTVLOG_EXTENSION), &deviceName, FILE_DEVICE_UNKNOWN, 0,
                                     FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    PNTVLOG_EXTENSION ext = device->DeviceExtension;
    ext->WorkItem = IoAllocateWorkItem(device);
    if (!ext->WorkItem)
        return STATUS_INSUFFICIENT_RESOURCES;
    KeInitializeTimer(&ext->Timer);
    KeInitializeDpc(&ext->Dpc, LogTimerDpc, ext);
    KeInitializeEvent(&ext->Done, NotificationEvent, FALSE);
    DriverObject->MajorFunction[IRP_MJ_CREATE] = LogCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = LogCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = LogDeviceControl;
    return IoCreateSymbolicLink(&linkName, &deviceName);
}
