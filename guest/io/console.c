/*
 * \Device\Console: writes go to COM1, reads find nothing to read (end of
 * file), and one buffered IOCTL reports how many bytes were written, so
 * that NtDeviceIoControlFile has a device to talk to.
 */
#include "../inc/iop.h"
#include "../inc/hal.h"
#include "../inc/rtl.h"

#define IOCTL_CONSOLE_QUERY_BYTES_WRITTEN CTL_CODE(FILE_DEVICE_CONSOLE, 0x800, METHOD_BUFFERED, FILE_READ_ACCESS)

static DRIVER_OBJECT IopConsoleDriver;
static ULONG IopConsoleBytesWritten;

static NTSTATUS NTAPI IopConsoleCreateClose(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    if (IoGetCurrentIrpStackLocation(Irp)->MajorFunction == IRP_MJ_CREATE && file->FileName.Length)
        return IopCompleteRequest(Irp, STATUS_OBJECT_NAME_NOT_FOUND, 0);   /* the console has no files */
    return IopCompleteRequest(Irp, STATUS_SUCCESS, FILE_OPENED);
}

/* Copies the requestor's bytes a chunk at a time (a fault: STATUS_ACCESS_VIOLATION); with Print, shows them. */
static NTSTATUS IopConsoleWalk(PVOID Buffer, ULONG Length, BOOLEAN Print)
{
    char chunk[64];
    for (ULONG done = 0; done < Length;) {
        ULONG n = Length - done < sizeof(chunk) ? Length - done : sizeof(chunk);
        NTSTATUS status = KiSafeCopy(chunk, (PUCHAR)Buffer + done, n);
        if (!NT_SUCCESS(status))
            return status;
        if (Print) {
            HalDisplayBuffer(chunk, n);
            IopConsoleBytesWritten += n;
        }
        done += n;
    }
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI IopConsoleReadWrite(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->MajorFunction == IRP_MJ_READ)
        return IopCompleteRequest(Irp, stack->Parameters.Read.Length ? STATUS_END_OF_FILE : STATUS_SUCCESS, 0);
    ULONG length = stack->Parameters.Write.Length;
    /* the whole buffer must be readable before a byte reaches the console */
    NTSTATUS status = IopConsoleWalk(Irp->UserBuffer, length, FALSE);
    if (NT_SUCCESS(status))
        status = IopConsoleWalk(Irp->UserBuffer, length, TRUE);
    return IopCompleteRequest(Irp, status, NT_SUCCESS(status) ? length : 0);
}

static NTSTATUS NTAPI IopConsoleDeviceControl(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->Parameters.DeviceIoControl.IoControlCode != IOCTL_CONSOLE_QUERY_BYTES_WRITTEN)
        return IopCompleteRequest(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(ULONG))
        return IopCompleteRequest(Irp, STATUS_BUFFER_TOO_SMALL, 0);
    memcpy(Irp->AssociatedIrp.SystemBuffer, &IopConsoleBytesWritten, sizeof(ULONG));
    return IopCompleteRequest(Irp, STATUS_SUCCESS, sizeof(ULONG));
}

VOID IopConsoleInitialize(VOID)
{
    PDEVICE_OBJECT device;
    UNICODE_STRING deviceName;
    RtlInitUnicodeString(&deviceName, L"\\Device\\Console");
    IopConsoleDriver.Type = IO_TYPE_DRIVER;
    IopConsoleDriver.Size = sizeof(DRIVER_OBJECT);
    RtlInitUnicodeString(&IopConsoleDriver.DriverName, L"\\Driver\\Console");
    IopConsoleDriver.MajorFunction[IRP_MJ_CREATE] = IopConsoleCreateClose;
    IopConsoleDriver.MajorFunction[IRP_MJ_CLOSE] = IopConsoleCreateClose;
    IopConsoleDriver.MajorFunction[IRP_MJ_READ] = IopConsoleReadWrite;
    IopConsoleDriver.MajorFunction[IRP_MJ_WRITE] = IopConsoleReadWrite;
    IopConsoleDriver.MajorFunction[IRP_MJ_DEVICE_CONTROL] = IopConsoleDeviceControl;
    if (!NT_SUCCESS(IoCreateDevice(&IopConsoleDriver, 0, &deviceName, FILE_DEVICE_CONSOLE, 0, FALSE,
                                   &device)))
        KeBugCheckEx(PHASE0_INITIALIZATION_FAILED, 0x11, 0, 0, 0);
    IopReadyDeviceObjects(&IopConsoleDriver);
}
