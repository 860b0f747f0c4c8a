/*
 * NtCreateFile and NtOpenFile: capture the name, find the device it starts
 * with, make a file object, let the device's driver open it
 * (IRP_MJ_CREATE), and give the caller a handle -- in the kernel's table
 * when a kernel-mode caller asks for OBJ_KERNEL_HANDLE.
 */
#include "../inc/iop.h"
#include "../inc/mm.h"

NTSTATUS IopSetFileName(PFILE_OBJECT File, PUNICODE_STRING Name);

/* What a new file object records of the open; no sharing checks yet (one thread, synchronous I/O). */
static VOID IopInitializeFileObject(PFILE_OBJECT File, ACCESS_MASK DesiredAccess, ULONG ShareAccess,
                                    ULONG CreateOptions)
{
    File->Type = IO_TYPE_FILE;
    File->Size = sizeof(FILE_OBJECT);
    if (CreateOptions & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT))
        File->Flags |= FO_SYNCHRONOUS_IO;
    File->ReadAccess = (DesiredAccess & (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL)) != 0;
    File->WriteAccess = (DesiredAccess & (FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_WRITE | GENERIC_ALL)) != 0;
    File->DeleteAccess = (DesiredAccess & (DELETE | GENERIC_ALL)) != 0;
    File->SharedRead = (ShareAccess & FILE_SHARE_READ) != 0;
    File->SharedWrite = (ShareAccess & FILE_SHARE_WRITE) != 0;
    KeInitializeEvent(&File->Lock, SynchronizationEvent, FALSE);
    KeInitializeEvent(&File->Event, NotificationEvent, FALSE);
    InitializeListHead(&File->IrpList);
}

/*
 * IRP_MJ_CREATE to the device's driver. On success the file is open on the
 * device (IRP_MJ_CLOSE will follow); on failure DeviceObject is cleared so
 * that deleting the file object sends nothing.
 */
static NTSTATUS IopSendCreate(PDEVICE_OBJECT Device, PFILE_OBJECT File, KPROCESSOR_MODE Mode,
                              ACCESS_MASK DesiredAccess, ULONG Disposition, ULONG Options, ULONG FileAttributes,
                              ULONG ShareAccess, PULONG_PTR Information)
{
    IO_SECURITY_CONTEXT security = { NULL, NULL, DesiredAccess, Options };
    IOP_IRP packet;
    PIO_STACK_LOCATION stack = IopInitializeIrp(&packet, IRP_MJ_CREATE, File, Mode);
    packet.Irp.Flags |= IRP_CREATE_OPERATION;
    stack->Parameters.Create.SecurityContext = &security;
    stack->Parameters.Create.Options = (Disposition << 24) | Options;
    stack->Parameters.Create.FileAttributes = (USHORT)FileAttributes;
    stack->Parameters.Create.ShareAccess = (USHORT)ShareAccess;
    File->DeviceObject = Device;
    NTSTATUS status = IopSynchronousCall(Device, &packet.Irp);
    if (!NT_SUCCESS(status)) {
        File->DeviceObject = NULL;
        return status;
    }
    IopReferenceDevice(Device);
    *Information = packet.Irp.IoStatus.Information;
    return status;
}

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
    ULONG_PTR information = 0;
    NTSTATUS status;
    (void)AllocationSize;   /* sizes grow on demand */
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
        IopInitializeFileObject(file, DesiredAccess, ShareAccess, CreateOptions);
        status = IopSetFileName(file, &remaining);
    }
    if (NT_SUCCESS(status))
        status = IopSendCreate(device, file, mode, DesiredAccess, CreateDisposition, CreateOptions,
                               FileAttributes, ShareAccess, &information);
    if (NT_SUCCESS(status)) {
        status = ObInsertObject(file, DesiredAccess, oa.Attributes, &handle);
        file = NULL;   /* the handle has it now, or it is gone */
    }
    if (file)
        ObDereferenceObject(file);
    ObpReleaseCapturedAttributes(&oa);
    if (!NT_SUCCESS(status))
        return status;

    IO_STATUS_BLOCK iosb = { { .Status = STATUS_SUCCESS }, information };
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
