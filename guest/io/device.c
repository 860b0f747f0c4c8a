/*
 * Devices and their names. \Device\Xxx names a device object; the DOS
 * device names under \??\ are symbolic links to them (io/symlink.c).
 * Requests reach a driver through IoCallDriver (io/irp.c).
 */
#include "../inc/iop.h"
#include "../inc/rtl.h"

#define IO_DEVICE_TAG 0x20766544   /* 'Dev ' */

static PDEVICE_OBJECT IopNamedDevices;

static WCHAR IopUpcase(WCHAR c)
{
    return c >= 'a' && c <= 'z' ? (WCHAR)(c - 'a' + 'A') : c;
}

/* Does Name (Length WCHARs) start with Prefix, case-insensitively, followed by '\' or its end? */
static BOOLEAN IopPrefixMatches(PCWSTR Name, ULONG Length, PCWSTR Prefix, ULONG *PrefixLength)
{
    ULONG n = 0;
    for (; Prefix[n]; n++)
        if (n >= Length || IopUpcase(Name[n]) != IopUpcase(Prefix[n]))
            return FALSE;
    if (n < Length && Name[n] != '\\')
        return FALSE;
    *PrefixLength = n;
    return TRUE;
}

/* The named device called exactly Name (Length WCHARs), case-insensitively, or NULL. */
static PDEVICE_OBJECT IopFindNamedDevice(PCWSTR Name, ULONG Length)
{
    for (PDEVICE_OBJECT d = IopNamedDevices; d; d = IopDeviceExtension(d)->NextNamed) {
        ULONG n;
        if (IopPrefixMatches(Name, Length, IopDeviceExtension(d)->Name, &n) && n == Length)
            return d;
    }
    return NULL;
}

/*
 * One pool block, as NT lays it out: the DEVICE_OBJECT, the driver's
 * DeviceExtension (8-byte aligned), then the DEVOBJ_EXTENSION with the
 * kernel's bookkeeping (io/iop.h).
 */
static PDEVICE_OBJECT IopAllocateDevice(ULONG DeviceExtensionSize)
{
    if (DeviceExtensionSize > EX_POOL_MAX_ALLOCATION)
        return NULL;
    ULONG extension = (DeviceExtensionSize + 7) & ~7u;
    PDEVICE_OBJECT device = ExAllocatePoolWithTag(NonPagedPool,
                                                  sizeof(DEVICE_OBJECT) + extension + sizeof(IOP_DEVOBJ_EXTENSION),
                                                  IO_DEVICE_TAG);
    if (!device)
        return NULL;
    PIOP_DEVOBJ_EXTENSION private = (PIOP_DEVOBJ_EXTENSION)((PUCHAR)(device + 1) + extension);
    private->Public.Type = IO_TYPE_DEVICE_OBJECT_EXTENSION;
    private->Public.Size = sizeof(DEVOBJ_EXTENSION);
    private->Public.DeviceObject = device;
    device->DeviceObjectExtension = &private->Public;
    device->Type = IO_TYPE_DEVICE;
    device->Size = (USHORT)(sizeof(DEVICE_OBJECT) + DeviceExtensionSize);
    device->DeviceExtension = DeviceExtensionSize ? (PVOID)(device + 1) : NULL;
    device->StackSize = 1;
    InitializeListHead(&device->Queue.ListEntry);
    device->DeviceQueue.Type = 0x14;   /* DeviceQueueObject */
    device->DeviceQueue.Size = sizeof(KDEVICE_QUEUE);
    InitializeListHead(&device->DeviceQueue.DeviceListHead);
    KeInitializeDpc(&device->Dpc, NULL, NULL);
    KeInitializeEvent(&device->DeviceLock, SynchronizationEvent, TRUE);
    return device;
}

NTSTATUS NTAPI IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
                              ULONG DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                              PDEVICE_OBJECT *DeviceObject)
{
    ULONG nameLength = DeviceName ? DeviceName->Length / sizeof(WCHAR) : 0;
    if (nameLength >= IOP_MAX_DEVICE_NAME)
        return STATUS_OBJECT_NAME_INVALID;
    if (nameLength && IopFindNamedDevice(DeviceName->Buffer, nameLength))
        return STATUS_OBJECT_NAME_COLLISION;
    PDEVICE_OBJECT device = IopAllocateDevice(DeviceExtensionSize);
    if (!device)
        return STATUS_INSUFFICIENT_RESOURCES;
    device->DriverObject = DriverObject;
    device->DeviceType = DeviceType;
    device->Characteristics = DeviceCharacteristics;
    device->Flags = DO_DEVICE_INITIALIZING | (Exclusive ? DO_EXCLUSIVE : 0);
    device->SectorSize = DeviceType == FILE_DEVICE_DISK ? 512 : 0;
    device->NextDevice = DriverObject->DeviceObject;
    DriverObject->DeviceObject = device;
    if (nameLength) {
        memcpy(IopDeviceExtension(device)->Name, DeviceName->Buffer, nameLength * sizeof(WCHAR));
        IopDeviceExtension(device)->NextNamed = IopNamedDevices;
        IopNamedDevices = device;
    }
    *DeviceObject = device;
    return STATUS_SUCCESS;
}

/* Unlinks Device from the list that Head starts, whose entries link through the field at Link. */
static VOID IopUnlinkDevice(PDEVICE_OBJECT *Head, PDEVICE_OBJECT Device, PDEVICE_OBJECT *(*Link)(PDEVICE_OBJECT))
{
    for (PDEVICE_OBJECT *p = Head; *p; p = Link(*p))
        if (*p == Device) {
            *p = *Link(Device);
            return;
        }
}
static PDEVICE_OBJECT *IopNextDevice(PDEVICE_OBJECT d) { return &d->NextDevice; }
static PDEVICE_OBJECT *IopNextNamed(PDEVICE_OBJECT d) { return &IopDeviceExtension(d)->NextNamed; }

/* The name goes at once; the memory when the last file object open on the device does (as NT). */
VOID NTAPI IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
    IopUnlinkDevice(&IopNamedDevices, DeviceObject, IopNextNamed);
    IopUnlinkDevice(&DeviceObject->DriverObject->DeviceObject, DeviceObject, IopNextDevice);
    IopDeviceExtension(DeviceObject)->DeletePending = TRUE;
    if (DeviceObject->ReferenceCount == 0)
        ExFreePoolWithTag(DeviceObject, IO_DEVICE_TAG);
}

VOID IopReferenceDevice(PDEVICE_OBJECT Device)
{
    Device->ReferenceCount++;
}

VOID IopDereferenceDevice(PDEVICE_OBJECT Device)
{
    if (--Device->ReferenceCount == 0 && IopDeviceExtension(Device)->DeletePending)
        ExFreePoolWithTag(Device, IO_DEVICE_TAG);
}

/* Is there a '\' after position From: is the unknown name a directory on the way? */
static NTSTATUS IopNotFound(PCWSTR Name, ULONG Length, ULONG From)
{
    for (ULONG j = From; j < Length; j++)
        if (Name[j] == '\\')
            return STATUS_OBJECT_PATH_NOT_FOUND;
    return STATUS_OBJECT_NAME_NOT_FOUND;
}

NTSTATUS IopParseDeviceName(PUNICODE_STRING Name, PDEVICE_OBJECT *Device, PUNICODE_STRING Remaining)
{
    PCWSTR name = Name->Buffer;
    ULONG length = Name->Length / sizeof(WCHAR), used;
    BOOLEAN viaLink = FALSE;

    if (IopPrefixMatches(name, length, L"\\??", &used)) {
        ULONG linkLength = 0;
        PCWSTR target = used + 1 < length ? IopLookupSymbolicLink(name + used + 1, length - used - 1, &linkLength)
                                          : NULL;
        if (!target)
            return IopNotFound(name, length, used + 1);
        /* \??\C:\rest -> \Device\HarddiskVolume1\rest */
        used += 1 + linkLength;
        Remaining->Buffer = Name->Buffer + used;
        Remaining->Length = Remaining->MaximumLength = (USHORT)((length - used) * sizeof(WCHAR));
        name = target;
        length = 0;
        while (name[length])
            length++;
        viaLink = TRUE;
    }

    for (PDEVICE_OBJECT d = IopNamedDevices; d; d = IopDeviceExtension(d)->NextNamed) {
        ULONG deviceLength;
        if (IopPrefixMatches(name, length, IopDeviceExtension(d)->Name, &deviceLength)) {
            *Device = d;
            if (!viaLink) {
                Remaining->Buffer = Name->Buffer + deviceLength;
                Remaining->Length = Remaining->MaximumLength = (USHORT)((length - deviceLength) * sizeof(WCHAR));
            }
            return STATUS_SUCCESS;
        }
    }
    if (IopPrefixMatches(name, length, L"\\Device", &used) && used < length)
        return IopNotFound(name, length, used + 1);
    return IopNotFound(name, length, 1);
}
