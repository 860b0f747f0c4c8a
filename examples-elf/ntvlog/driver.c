/*
 * ntvlog.sys: the articles' logging driver. An IOCTL opens a log file with
 * ZwCreateFile; writes from the dispatch routine (in the requesting
 * process) succeed, while a write from a work item runs in the System
 * process, where a handle from that process's table means nothing
 * (STATUS_INVALID_HANDLE) -- unless it was created with OBJ_KERNEL_HANDLE.
 * The work item is needed at all because file services are PASSIVE_LEVEL
 * only: a timer's DPC (DISPATCH_LEVEL) can queue it but not write itself.
 * Which handle kind to use is the OPEN request's choice, so one driver
 * shows both variants.
 */
#include "../../guest/inc/zw.h"
#include "../../guest/inc/ps.h"
#include "../../guest/inc/rtl.h"
#include "ntvlogioctl.h"

#define NTVLOG_MAX_TEXT 64

typedef struct _NTVLOG_EXTENSION {
    HANDLE Log;
    PIO_WORKITEM WorkItem;
    KTIMER Timer;
    KDPC Dpc;
    KEVENT Done;                /* the work item (or DPC) finished */
    BOOLEAN WriteInDpc;         /* the DPC writes itself instead of queueing the work item */
    char Text[NTVLOG_MAX_TEXT];
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

/* ZwWriteFile of the pending text at the end of the log; notes where and at what IRQL it ran. */
static void LogWrite(PNTVLOG_EXTENSION Ext)
{
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER end = { .QuadPart = -1 };   /* FILE_WRITE_TO_END_OF_FILE */
    memcpy(Ext->Result.Process, PsGetCurrentProcess()->ImageFileName, sizeof(Ext->Result.Process));
    Ext->Result.Irql = KeGetCurrentIrql();
    Ext->Result.Status = ZwWriteFile(Ext->Log, NULL, NULL, NULL, &iosb, Ext->Text, Ext->TextLength, &end, NULL);
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

static NTSTATUS LogOpen(PNTVLOG_EXTENSION Ext, ULONG Attributes)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    if (Attributes & ~OBJ_KERNEL_HANDLE)
        return STATUS_INVALID_PARAMETER;
    if (Ext->Log)
        ZwClose(Ext->Log);
    Ext->Log = NULL;
    RtlInitUnicodeString(&name, L"\\??\\C:\\ntvlog.txt");
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | Attributes, NULL, NULL);
    memcpy(Ext->Result.Process, PsGetCurrentProcess()->ImageFileName, sizeof(Ext->Result.Process));
    Ext->Result.Irql = KeGetCurrentIrql();
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
    memset(&ext->Result, 0, sizeof(ext->Result));
    if (code == IOCTL_NTVLOG_WRITE || code == IOCTL_NTVLOG_WRITE_WORKER || code == IOCTL_NTVLOG_WRITE_TIMER ||
        code == IOCTL_NTVLOG_WRITE_DPC) {
        if (in == 0 || in > NTVLOG_MAX_TEXT)
            return Complete(Irp, STATUS_INVALID_PARAMETER, 0);
        memcpy(ext->Text, buffer, in);
        ext->TextLength = in;
    }
    switch (code) {
    case IOCTL_NTVLOG_OPEN:
        if (in < sizeof(ULONG))
            return Complete(Irp, STATUS_INVALID_PARAMETER, 0);
        ext->Result.Status = LogOpen(ext, *(PULONG)buffer);
        break;
    case IOCTL_NTVLOG_WRITE:
        LogWrite(ext);
        break;
    case IOCTL_NTVLOG_WRITE_WORKER:
        KeClearEvent(&ext->Done);
        IoQueueWorkItem(ext->WorkItem, LogWorkItem, DelayedWorkQueue, ext);
        KeWaitForSingleObject(&ext->Done, 0, KernelMode, FALSE, NULL);
        break;
    case IOCTL_NTVLOG_WRITE_TIMER:
    case IOCTL_NTVLOG_WRITE_DPC: {
        LARGE_INTEGER due = { .QuadPart = -20 * 10000 };   /* 20 ms */
        ext->WriteInDpc = code == IOCTL_NTVLOG_WRITE_DPC;
        KeClearEvent(&ext->Done);
        KeSetTimer(&ext->Timer, due, &ext->Dpc);
        KeWaitForSingleObject(&ext->Done, 0, KernelMode, FALSE, NULL);
        break;
    }
    case IOCTL_NTVLOG_CLOSE:
        ext->Result.Status = ext->Log ? ZwClose(ext->Log) : STATUS_INVALID_HANDLE;
        ext->Log = NULL;
        break;
    default:
        return Complete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    ext->Result.Handle = (ULONG)ext->Log;
    memcpy(buffer, &ext->Result, sizeof(ext->Result));
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
