/*
 * NtReadFile and NtWriteFile. For a user-mode caller every pointer is
 * probed before the driver sees it (the buffer, the IO_STATUS_BLOCK, the
 * byte offset); a kernel-mode caller's pointers are trusted. That is the
 * whole difference between calling NtReadFile and ZwReadFile from a driver.
 */
#include "../inc/io.h"
#include "../inc/mm.h"

extern OBJECT_TYPE ExEventObjectType[1];
NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                          PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                          PULONG Key);
NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                           PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                           PULONG Key);
#define EVENT_MODIFY_STATE 0x0002

static NTSTATUS IopReadWrite(BOOLEAN Write, HANDLE FileHandle, HANDLE Event, PIO_STATUS_BLOCK IoStatusBlock,
                             PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset)
{
    KPROCESSOR_MODE mode = KeGetPreviousMode();
    PFILE_OBJECT file;
    PKEVENT event = NULL;
    LARGE_INTEGER offset = { .QuadPart = 0 };
    BOOLEAN useFilePointer = ByteOffset == NULL;

    IopCheckIrql(Write ? (PVOID)NtWriteFile : (PVOID)NtReadFile);
    NTSTATUS status = ObReferenceObjectByHandle(FileHandle, Write ? FILE_WRITE_DATA : FILE_READ_DATA,
                                                IoFileObjectType, mode, (PVOID *)&file, NULL);
    if (!NT_SUCCESS(status))
        return status;
    if (mode == UserMode) {
        status = ProbeForWrite(IoStatusBlock, sizeof(IO_STATUS_BLOCK), sizeof(ULONG));
        if (NT_SUCCESS(status))
            status = Write ? ProbeForRead(Buffer, Length, 1) : ProbeForWrite(Buffer, Length, 1);
    }
    if (NT_SUCCESS(status) && ByteOffset) {
        status = MmCopyFromCaller(&offset, ByteOffset, sizeof(offset), sizeof(ULONG));
        if (offset.HighPart == -1 && offset.LowPart == FILE_USE_FILE_POINTER_POSITION)
            useFilePointer = TRUE;
        else if (offset.QuadPart < 0 && !(Write && offset.QuadPart == -1))
            status = STATUS_INVALID_PARAMETER;
    }
    if (NT_SUCCESS(status) && useFilePointer) {
        if (file->Flags & FO_SYNCHRONOUS_IO)
            offset = file->CurrentByteOffset;
        else
            status = STATUS_INVALID_PARAMETER;   /* asynchronous files need an offset */
    }
    if (NT_SUCCESS(status) && Event) {
        status = ObReferenceObjectByHandle(Event, EVENT_MODIFY_STATE, ExEventObjectType, mode,
                                           (PVOID *)&event, NULL);
        if (NT_SUCCESS(status))
            KeClearEvent(event);
    }
    if (!NT_SUCCESS(status)) {
        ObDereferenceObject(file);
        return status;
    }

    IRP irp = { 0 };
    irp.RequestorMode = mode;
    irp.UserBuffer = Buffer;
    irp.Stack.MajorFunction = Write ? IRP_MJ_WRITE : IRP_MJ_READ;
    irp.Stack.FileObject = file;
    irp.Stack.Parameters.Read.Length = Length;
    irp.Stack.Parameters.Read.ByteOffset = offset;
    status = IoCallDriver(file->DeviceObject, &irp);

    if (file->Flags & FO_SYNCHRONOUS_IO)
        file->CurrentByteOffset.QuadPart = irp.Stack.Parameters.Read.ByteOffset.QuadPart + irp.IoStatus.Information;
    IO_STATUS_BLOCK iosb = { { .Status = status }, irp.IoStatus.Information };
    /* like NT: the I/O happened; a caller that cannot take the result loses it */
    MmCopyToCaller(IoStatusBlock, &iosb, sizeof(iosb), sizeof(ULONG));
    if (event) {
        KeSetEvent(event, 0, FALSE);
        ObDereferenceObject(event);
    }
    KeSetEvent(&file->Event, 0, FALSE);
    ObDereferenceObject(file);
    return status;
}

NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                          PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                          PULONG Key)
{
    (void)ApcRoutine;   /* no APCs yet; I/O completes before the service returns */
    (void)ApcContext;
    (void)Key;
    return IopReadWrite(FALSE, FileHandle, Event, IoStatusBlock, Buffer, Length, ByteOffset);
}

NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                           PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                           PULONG Key)
{
    (void)ApcRoutine;
    (void)ApcContext;
    (void)Key;
    return IopReadWrite(TRUE, FileHandle, Event, IoStatusBlock, Buffer, Length, ByteOffset);
}
