/*
 * Driver objects, laid out as NT's I/O manager makes them: the
 * DRIVER_OBJECT with its DRIVER_EXTENSION right after it, every dispatch
 * entry failing the request until DriverEntry sets its own, and the
 * devices DriverEntry created made ready (DO_DEVICE_INITIALIZING cleared)
 * once it returns.
 */
#include "../inc/iop.h"
#include "../inc/ps.h"

#define IO_DRIVER_OBJECT_TAG 0x4F767244   /* 'DrvO' */

typedef struct _IOP_DRIVER {
    DRIVER_OBJECT Object;
    DRIVER_EXTENSION Extension;
} IOP_DRIVER;

NTSTATUS IopCreateDriverObject(PVOID ImageBase, ULONG ImageSize, PDRIVER_INITIALIZE Entry,
                               PDRIVER_OBJECT *DriverObject)
{
    IOP_DRIVER *driver = ExAllocatePoolWithTag(NonPagedPool, sizeof(IOP_DRIVER), IO_DRIVER_OBJECT_TAG);
    if (!driver)
        return STATUS_INSUFFICIENT_RESOURCES;
    PDRIVER_OBJECT object = &driver->Object;
    object->Type = IO_TYPE_DRIVER;
    object->Size = sizeof(DRIVER_OBJECT);
    object->DriverStart = ImageBase;
    object->DriverSize = ImageSize;
    object->DriverInit = Entry;
    object->DriverExtension = &driver->Extension;
    driver->Extension.DriverObject = object;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        object->MajorFunction[i] = IopInvalidDeviceRequest;
    *DriverObject = object;
    return STATUS_SUCCESS;
}

VOID IopReadyDeviceObjects(PDRIVER_OBJECT DriverObject)
{
    for (PDEVICE_OBJECT d = DriverObject->DeviceObject; d; d = d->NextDevice)
        d->Flags &= ~DO_DEVICE_INITIALIZING;
}

PEPROCESS NTAPI IoGetCurrentProcess(VOID)
{
    return PsGetCurrentProcess();
}
