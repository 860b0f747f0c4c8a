/*
 * File objects: the object type, the cleanup that tells the driver
 * (IRP_MJ_CLEANUP) when the last handle to an opened file goes, and the
 * close (IRP_MJ_CLOSE) when the last reference does. An open
 * that failed leaves DeviceObject NULL (io/create.c), as NT's parse does.
 */
#include "../inc/iop.h"
#include "../inc/mm.h"

#define IO_NAME_TAG 0x6D614E46   /* 'FNam' */

/* The last reference: the driver hears IRP_MJ_CLOSE if the open reached it and succeeded. */
static VOID IopDeleteFile(PVOID Object)
{
    PFILE_OBJECT file = Object;
    if (file->DeviceObject) {
        IOP_IRP packet;
        IopInitializeIrp(&packet, IRP_MJ_CLOSE, file, KernelMode);
        packet.Irp.Flags |= IRP_CLOSE_OPERATION;
        IopSynchronousCall(file->DeviceObject, &packet.Irp);
        IopDereferenceDevice(file->DeviceObject);
    }
    if (file->FileName.Buffer)
        ExFreePoolWithTag(file->FileName.Buffer, IO_NAME_TAG);
}

/* The last handle: the driver hears IRP_MJ_CLEANUP (references may outlive it; IRP_MJ_CLOSE comes with the last). */
static VOID IopCloseFile(PVOID Object, ULONG HandleCountBefore)
{
    PFILE_OBJECT file = Object;
    if (HandleCountBefore != 1 || !file->DeviceObject)
        return;
    IOP_IRP packet;
    IopInitializeIrp(&packet, IRP_MJ_CLEANUP, file, KernelMode);
    packet.Irp.Flags |= IRP_CLOSE_OPERATION;
    IopSynchronousCall(file->DeviceObject, &packet.Irp);
}

static OBJECT_TYPE IopFileObjectType = {
    "File",
    { FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE, FILE_ALL_ACCESS },
    FILE_ALL_ACCESS, IopDeleteFile, IopCloseFile, 0, 0,
};
POBJECT_TYPE IoFileObjectType = &IopFileObjectType;
/*
 * What drivers import as IoFileObjectType. mingw-w64's wdm.h declares it
 * `POBJECT_TYPE *` with dllimport, so a driver's *IoFileObjectType loads the
 * datum the import names and then what that points at: the datum must hold
 * the address of the type pointer. (The WDK's plain extern reached the same
 * through the import slot itself.)
 */
POBJECT_TYPE *IopDdkFileObjectType = &IoFileObjectType;

NTSTATUS IoCopyToRequestor(PVOID Destination, const VOID *Source, ULONG Length)
{
    return KiSafeCopy(Destination, Source, Length);
}

/* Keeps a copy of the name after the device in the file object. */
NTSTATUS IopSetFileName(PFILE_OBJECT File, PUNICODE_STRING Name)
{
    if (!Name->Length)
        return STATUS_SUCCESS;
    File->FileName.Buffer = ExAllocatePoolWithTag(PagedPool, Name->Length, IO_NAME_TAG);
    if (!File->FileName.Buffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (ULONG i = 0; i < Name->Length / sizeof(WCHAR); i++)
        File->FileName.Buffer[i] = Name->Buffer[i];
    File->FileName.Length = File->FileName.MaximumLength = Name->Length;
    return STATUS_SUCCESS;
}

VOID IoInitSystem(VOID)
{
    RamFsInitialize();
    IopConsoleInitialize();
}
