/*
 * NtReadFile and NtWriteFile. For a user-mode caller every pointer is
 * probed before the driver sees it (the buffer, the IO_STATUS_BLOCK, the
 * byte offset); a kernel-mode caller's pointers are trusted. That is the
 * whole difference between calling NtReadFile and ZwReadFile from a driver.
 */
#include "../inc/iop.h"
#include "../inc/mm.h"

extern OBJECT_TYPE ExEventObjectType[1];
NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                          PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                          PULONG Key);
NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                           PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                           PULONG Key);
#define IO_SYSTEM_BUFFER_TAG 0x66754249   /* 'IBuf' */

/*
 * The request to the driver. A DO_BUFFERED_IO device gets the data in a
 * system buffer (AssociatedIrp.SystemBuffer), as on NT; others get the
 * caller's pointer (UserBuffer). DO_DIRECT_IO would need MDLs: refused.
 */
static NTSTATUS IopSendReadWrite(PDEVICE_OBJECT Device, PIRP Irp, BOOLEAN Write)
{
    ULONG length = IoGetNextIrpStackLocation(Irp)->Parameters.Read.Length;
    if (Device->Flags & DO_DIRECT_IO)
        return IopCompleteRequest(Irp, STATUS_NOT_IMPLEMENTED, 0);
    if (!(Device->Flags & DO_BUFFERED_IO) || length == 0)
        return IopSynchronousCall(Device, Irp);
    PVOID buffer = ExAllocatePoolWithTag(NonPagedPool, length, IO_SYSTEM_BUFFER_TAG);
    if (!buffer)
        return IopCompleteRequest(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    NTSTATUS status = Write ? KiSafeCopy(buffer, Irp->UserBuffer, length) : STATUS_SUCCESS;
    if (!NT_SUCCESS(status)) {
        ExFreePoolWithTag(buffer, IO_SYSTEM_BUFFER_TAG);
        return IopCompleteRequest(Irp, status, 0);
    }
    Irp->AssociatedIrp.SystemBuffer = buffer;
    Irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | (Write ? 0 : IRP_INPUT_OPERATION);
    status = IopSynchronousCall(Device, Irp);
    if (Irp->IoStatus.Information > length)
        Irp->IoStatus.Information = length;
    if (!Write && !NT_ERROR(status) && Irp->IoStatus.Information)
        status = KiSafeCopy(Irp->UserBuffer, buffer, Irp->IoStatus.Information);
    ExFreePoolWithTag(buffer, IO_SYSTEM_BUFFER_TAG);
    return status;
}

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

    IOP_IRP packet;
    PIO_STACK_LOCATION stack = IopInitializeIrp(&packet, Write ? IRP_MJ_WRITE : IRP_MJ_READ, file, mode);
    packet.Irp.Flags |= Write ? IRP_WRITE_OPERATION : IRP_READ_OPERATION;
    packet.Irp.UserBuffer = Buffer;
    stack->Parameters.Read.Length = Length;
    stack->Parameters.Read.ByteOffset = offset;
    status = IopSendReadWrite(file->DeviceObject, &packet.Irp, Write);

    if (file->Flags & FO_SYNCHRONOUS_IO)
        file->CurrentByteOffset.QuadPart = stack->Parameters.Read.ByteOffset.QuadPart +
                                           packet.Irp.IoStatus.Information;
    IO_STATUS_BLOCK iosb = { { .Status = status }, packet.Irp.IoStatus.Information };
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
