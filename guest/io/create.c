/*
 * NtCreateFile and NtOpenFile: capture the name, find the device it starts
 * with, make a file object, let the device's driver open it
 * (IRP_MJ_CREATE), and give the caller a handle -- in the kernel's table
 * when a kernel-mode caller asks for OBJ_KERNEL_HANDLE.
 */
#include "../inc/io.h"
#include "../inc/mm.h"

NTSTATUS IopSetFileName(PFILE_OBJECT File, PUNICODE_STRING Name);

NTSTATUS NTAPI NtCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                            PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                            ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                            ULONG EaLength)
{
    KPROCESSOR_MODE mode = KeGetPreviousMode();
    OB_CAPTURED_ATTRIBUTES oa;
    UNICODE_STRING remaining;
    PDEVICE_OBJECT device;
    PFILE_OBJECT file = NULL;
    HANDLE handle;
    NTSTATUS status;
    (void)AllocationSize;   /* sizes grow on demand */
    (void)FileAttributes;
    (void)ShareAccess;      /* no sharing checks yet: one thread, synchronous I/O */
    (void)EaBuffer;
    (void)EaLength;

    IopCheckIrql(NtCreateFile);
    if (mode == UserMode) {
        status = ProbeForWrite(FileHandle, sizeof(HANDLE), sizeof(ULONG));
        if (NT_SUCCESS(status))
            status = ProbeForWrite(IoStatusBlock, sizeof(IO_STATUS_BLOCK), sizeof(ULONG));
        if (!NT_SUCCESS(status))
            return status;
    }
    if (CreateDisposition > FILE_MAXIMUM_DISPOSITION || (CreateOptions & 0xFF000000) ||
        (CreateOptions & (FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE)) ==
            (FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE))
        return STATUS_INVALID_PARAMETER;
    if (!ObjectAttributes)
        return STATUS_INVALID_PARAMETER;
    status = ObpCaptureObjectAttributes(ObjectAttributes, mode, &oa);
    if (!NT_SUCCESS(status))
        return status;

    if (oa.RootDirectory)
        status = STATUS_NOT_IMPLEMENTED;          /* names relative to a directory handle: not yet */
    else if (!oa.ObjectName.Length)
        status = STATUS_OBJECT_NAME_INVALID;
    else if (oa.ObjectName.Buffer[0] != '\\')
        status = STATUS_OBJECT_PATH_SYNTAX_BAD;
    else
        status = IopParseDeviceName(&oa.ObjectName, &device, &remaining);
    if (NT_SUCCESS(status))
        status = ObCreateObject(IoFileObjectType, sizeof(FILE_OBJECT), (PVOID *)&file);
    if (NT_SUCCESS(status)) {
        file->DeviceObject = device;
        if (CreateOptions & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT))
            file->Flags |= FO_SYNCHRONOUS_IO;
        KeInitializeEvent(&file->Event, NotificationEvent, FALSE);
        status = IopSetFileName(file, &remaining);
    }
    IRP irp = { 0 };
    if (NT_SUCCESS(status)) {
        irp.RequestorMode = mode;
        irp.Stack.MajorFunction = IRP_MJ_CREATE;
        irp.Stack.FileObject = file;
        irp.Stack.Parameters.Create.DesiredAccess = DesiredAccess;
        irp.Stack.Parameters.Create.Options = (CreateDisposition << 24) | CreateOptions;
        status = IoCallDriver(device, &irp);
    }
    if (NT_SUCCESS(status)) {
        file->Flags |= FO_OPENED;
        status = ObInsertObject(file, DesiredAccess, oa.Attributes, &handle);
        file = NULL;   /* the handle has it now, or it is gone */
    }
    if (file)
        ObDereferenceObject(file);
    ObpReleaseCapturedAttributes(&oa);
    if (!NT_SUCCESS(status))
        return status;

    IO_STATUS_BLOCK iosb = { { .Status = STATUS_SUCCESS }, irp.IoStatus.Information };
    status = MmCopyToCaller(IoStatusBlock, &iosb, sizeof(iosb), sizeof(ULONG));
    if (NT_SUCCESS(status))
        status = ExpReturnHandle(FileHandle, handle);
    else
        ObCloseHandle(handle, KernelMode);
    return status;
}

NTSTATUS NTAPI NtOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                          PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions)
{
    return NtCreateFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, NULL, 0, ShareAccess,
                        FILE_OPEN, OpenOptions, NULL, 0);
}
