/*
 * NtQueryInformationFile (FileStandardInformation from the driver,
 * FilePositionInformation from the file object, as NT's I/O manager does)
 * and NtDeviceIoControlFile (METHOD_BUFFERED through a system buffer,
 * METHOD_NEITHER with the caller's pointers).
 */
#include "../inc/iop.h"
#include "../inc/mm.h"

#define IO_SYSTEM_BUFFER_TAG 0x66754249   /* 'IBuf' */

NTSTATUS NTAPI NtQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                      ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    KPROCESSOR_MODE mode = KeGetPreviousMode();
    union { FILE_STANDARD_INFORMATION Standard; FILE_POSITION_INFORMATION Position; } info = { 0 };
    ULONG size;
    PFILE_OBJECT file;

    IopCheckIrql(NtQueryInformationFile);
    if (FileInformationClass == FileStandardInformation)
        size = sizeof(FILE_STANDARD_INFORMATION);
    else if (FileInformationClass == FilePositionInformation)
        size = sizeof(FILE_POSITION_INFORMATION);
    else
        return STATUS_INVALID_INFO_CLASS;
    if (Length < size)
        return STATUS_INFO_LENGTH_MISMATCH;
    if (mode == UserMode) {
        NTSTATUS probe = ProbeForWrite(IoStatusBlock, sizeof(IO_STATUS_BLOCK), sizeof(ULONG));
        if (NT_SUCCESS(probe))
            probe = ProbeForWrite(FileInformation, Length, sizeof(ULONG));
        if (!NT_SUCCESS(probe))
            return probe;
    }
    NTSTATUS status = ObReferenceObjectByHandle(FileHandle, 0, IoFileObjectType, mode, (PVOID *)&file, NULL);
    if (!NT_SUCCESS(status))
        return status;
    IOP_IRP packet;
    PIO_STACK_LOCATION stack = IopInitializeIrp(&packet, IRP_MJ_QUERY_INFORMATION, file, mode);
    if (FileInformationClass == FilePositionInformation) {
        info.Position.CurrentByteOffset = file->CurrentByteOffset;
        packet.Irp.IoStatus.Information = size;
    } else {
        packet.Irp.Flags |= IRP_BUFFERED_IO;
        packet.Irp.AssociatedIrp.SystemBuffer = &info;
        stack->Parameters.QueryFile.Length = size;
        stack->Parameters.QueryFile.FileInformationClass = FileInformationClass;
        status = IopSynchronousCall(file->DeviceObject, &packet.Irp);
    }
    ObDereferenceObject(file);
    if (NT_SUCCESS(status))
        status = MmCopyToCaller(FileInformation, &info, size, sizeof(ULONG));
    if (NT_SUCCESS(status)) {
        IO_STATUS_BLOCK iosb = { { .Status = status }, packet.Irp.IoStatus.Information };
        status = MmCopyToCaller(IoStatusBlock, &iosb, sizeof(iosb), sizeof(ULONG));
    }
    return status;
}

/*
 * The buffers of an IOCTL, by its method, as NT's I/O manager passes them:
 *   METHOD_BUFFERED  one system buffer of max(in, out) bytes: the input
 *                    copied in, Information bytes copied out afterwards;
 *   METHOD_NEITHER   Type3InputBuffer is the caller's input pointer and
 *                    UserBuffer its output pointer, neither probed: the
 *                    driver's job (the classic hole of kernel drivers);
 *   METHOD_IN/OUT_DIRECT need MDLs, which this kernel does not have:
 *                    refused with STATUS_NOT_IMPLEMENTED.
 */
static NTSTATUS IopSendDeviceControl(PDEVICE_OBJECT Device, PIRP Irp, PVOID InputBuffer, PVOID OutputBuffer)
{
    PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(Irp);
    ULONG in = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG out = stack->Parameters.DeviceIoControl.OutputBufferLength;
    ULONG method = stack->Parameters.DeviceIoControl.IoControlCode & 3;
    stack->Parameters.DeviceIoControl.Type3InputBuffer = InputBuffer;
    Irp->UserBuffer = OutputBuffer;
    if (method == METHOD_NEITHER)
        return IopSynchronousCall(Device, Irp);
    if (method != METHOD_BUFFERED)
        return IopCompleteRequest(Irp, STATUS_NOT_IMPLEMENTED, 0);
    ULONG length = in > out ? in : out;
    PVOID buffer = NULL;
    NTSTATUS status = STATUS_SUCCESS;
    if (length && !(buffer = ExAllocatePoolWithTag(NonPagedPool, length, IO_SYSTEM_BUFFER_TAG)))
        status = STATUS_INSUFFICIENT_RESOURCES;
    else if (in)
        status = KiSafeCopy(buffer, InputBuffer, in);
    if (NT_SUCCESS(status)) {
        Irp->AssociatedIrp.SystemBuffer = buffer;
        Irp->Flags |= buffer ? IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | (out ? IRP_INPUT_OPERATION : 0) : 0;
        status = IopSynchronousCall(Device, Irp);
        if (Irp->IoStatus.Information > out)
            Irp->IoStatus.Information = out;
        if (!NT_ERROR(status) && Irp->IoStatus.Information)
            status = KiSafeCopy(OutputBuffer, buffer, Irp->IoStatus.Information);
    } else {
        IopCompleteRequest(Irp, status, 0);
    }
    if (buffer)
        ExFreePoolWithTag(buffer, IO_SYSTEM_BUFFER_TAG);
    return status;
}

NTSTATUS NTAPI NtDeviceIoControlFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                                     PIO_STATUS_BLOCK IoStatusBlock, ULONG IoControlCode, PVOID InputBuffer,
                                     ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength)
{
    KPROCESSOR_MODE mode = KeGetPreviousMode();
    ULONG method = IoControlCode & 3, access = (IoControlCode >> 14) & 3;
    ACCESS_MASK wanted = ((access & FILE_READ_ACCESS) ? FILE_READ_DATA : 0) |
                         ((access & FILE_WRITE_ACCESS) ? FILE_WRITE_DATA : 0);
    PFILE_OBJECT file;
    (void)Event;   /* completion is synchronous */
    (void)ApcRoutine;
    (void)ApcContext;

    IopCheckIrql(NtDeviceIoControlFile);
    NTSTATUS status = ObReferenceObjectByHandle(FileHandle, wanted, IoFileObjectType, mode, (PVOID *)&file, NULL);
    if (!NT_SUCCESS(status))
        return status;
    if (mode == UserMode) {
        status = ProbeForWrite(IoStatusBlock, sizeof(IO_STATUS_BLOCK), sizeof(ULONG));
        if (NT_SUCCESS(status) && method == METHOD_BUFFERED) {
            status = ProbeForRead(InputBuffer, InputBufferLength, 1);
            if (NT_SUCCESS(status))
                status = ProbeForWrite(OutputBuffer, OutputBufferLength, 1);
        }
    }
    if (NT_SUCCESS(status)) {
        IOP_IRP packet;
        PIO_STACK_LOCATION stack = IopInitializeIrp(&packet, IRP_MJ_DEVICE_CONTROL, file, mode);
        stack->Parameters.DeviceIoControl.IoControlCode = IoControlCode;
        stack->Parameters.DeviceIoControl.InputBufferLength = InputBufferLength;
        stack->Parameters.DeviceIoControl.OutputBufferLength = OutputBufferLength;
        status = IopSendDeviceControl(file->DeviceObject, &packet.Irp, InputBuffer, OutputBuffer);
        IO_STATUS_BLOCK iosb = { { .Status = status }, packet.Irp.IoStatus.Information };
        MmCopyToCaller(IoStatusBlock, &iosb, sizeof(iosb), sizeof(ULONG));
    }
    ObDereferenceObject(file);
    return status;
}
