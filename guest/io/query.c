/*
 * NtQueryInformationFile (FileStandardInformation from the driver,
 * FilePositionInformation from the file object, as NT's I/O manager does)
 * and NtDeviceIoControlFile (METHOD_BUFFERED through a system buffer; the
 * other methods hand the driver the caller's pointers).
 */
#include "../inc/io.h"
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
    IRP irp = { 0 };
    if (FileInformationClass == FilePositionInformation) {
        info.Position.CurrentByteOffset = file->CurrentByteOffset;
        irp.IoStatus.Information = size;
    } else {
        irp.RequestorMode = mode;
        irp.AssociatedIrp.SystemBuffer = &info;
        irp.Stack.MajorFunction = IRP_MJ_QUERY_INFORMATION;
        irp.Stack.FileObject = file;
        irp.Stack.Parameters.QueryFile.Length = size;
        irp.Stack.Parameters.QueryFile.FileInformationClass = FileInformationClass;
        status = IoCallDriver(file->DeviceObject, &irp);
    }
    ObDereferenceObject(file);
    if (NT_SUCCESS(status))
        status = MmCopyToCaller(FileInformation, &info, size, sizeof(ULONG));
    if (NT_SUCCESS(status)) {
        IO_STATUS_BLOCK iosb = { { .Status = status }, irp.IoStatus.Information };
        status = MmCopyToCaller(IoStatusBlock, &iosb, sizeof(iosb), sizeof(ULONG));
    }
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
    PVOID systemBuffer = NULL;
    (void)Event;   /* completion is synchronous */
    (void)ApcRoutine;
    (void)ApcContext;

    IopCheckIrql(NtDeviceIoControlFile);
    NTSTATUS status = ObReferenceObjectByHandle(FileHandle, wanted, IoFileObjectType, mode, (PVOID *)&file, NULL);
    if (!NT_SUCCESS(status))
        return status;
    if (mode == UserMode) {
        status = ProbeForWrite(IoStatusBlock, sizeof(IO_STATUS_BLOCK), sizeof(ULONG));
        if (NT_SUCCESS(status) && method != METHOD_NEITHER) {
            status = ProbeForRead(InputBuffer, InputBufferLength, 1);
            if (NT_SUCCESS(status))
                status = ProbeForWrite(OutputBuffer, OutputBufferLength, 1);
        }
    }
    ULONG bufferLength = InputBufferLength > OutputBufferLength ? InputBufferLength : OutputBufferLength;
    if (NT_SUCCESS(status) && method != METHOD_NEITHER && bufferLength) {
        systemBuffer = ExAllocatePoolWithTag(NonPagedPool, bufferLength, IO_SYSTEM_BUFFER_TAG);
        if (!systemBuffer)
            status = STATUS_INSUFFICIENT_RESOURCES;
        else if (InputBufferLength)
            status = KiSafeCopy(systemBuffer, InputBuffer, InputBufferLength);
    }
    IRP irp = { 0 };
    if (NT_SUCCESS(status)) {
        irp.RequestorMode = mode;
        irp.AssociatedIrp.SystemBuffer = systemBuffer;
        irp.UserBuffer = OutputBuffer;
        irp.Stack.MajorFunction = IRP_MJ_DEVICE_CONTROL;
        irp.Stack.FileObject = file;
        irp.Stack.Parameters.DeviceIoControl.IoControlCode = IoControlCode;
        irp.Stack.Parameters.DeviceIoControl.InputBufferLength = InputBufferLength;
        irp.Stack.Parameters.DeviceIoControl.OutputBufferLength = OutputBufferLength;
        irp.Stack.Parameters.DeviceIoControl.Type3InputBuffer = InputBuffer;
        status = IoCallDriver(file->DeviceObject, &irp);
        if (irp.IoStatus.Information > OutputBufferLength)
            irp.IoStatus.Information = OutputBufferLength;
        if (NT_SUCCESS(status) && systemBuffer && irp.IoStatus.Information)
            status = KiSafeCopy(OutputBuffer, systemBuffer, irp.IoStatus.Information);
        IO_STATUS_BLOCK iosb = { { .Status = status }, irp.IoStatus.Information };
        MmCopyToCaller(IoStatusBlock, &iosb, sizeof(iosb), sizeof(ULONG));
    }
    if (systemBuffer)
        ExFreePoolWithTag(systemBuffer, IO_SYSTEM_BUFFER_TAG);
    ObDereferenceObject(file);
    return status;
}
