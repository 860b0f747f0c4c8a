/*
 * Devices and their names. \Device\Xxx names a device object; the DOS
 * device names under \??\ are symbolic links to them (io/symlink.c).
 * Requests reach a driver through IoCallDriver.
 */
#include "../inc/io.h"
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

NTSTATUS NTAPI IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
                              ULONG DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                              PDEVICE_OBJECT *DeviceObject)
{
    (void)DeviceCharacteristics;
    (void)Exclusive;
    ULONG nameLength = DeviceName ? DeviceName->Length / sizeof(WCHAR) : 0;
    if (nameLength >= ARRAYSIZE(((PDEVICE_OBJECT)0)->Name))
        return STATUS_OBJECT_NAME_INVALID;
    PDEVICE_OBJECT device = ExAllocatePoolWithTag(NonPagedPool, sizeof(DEVICE_OBJECT) + DeviceExtensionSize,
                                                  IO_DEVICE_TAG);
    if (!device)
        return STATUS_INSUFFICIENT_RESOURCES;
    device->DriverObject = DriverObject;
    device->DeviceType = DeviceType;
    device->DeviceExtension = DeviceExtensionSize ? (PVOID)(device + 1) : NULL;
    device->NextDevice = DriverObject->DeviceObject;
    DriverObject->DeviceObject = device;
    if (nameLength) {
        memcpy(device->Name, DeviceName->Buffer, nameLength * sizeof(WCHAR));
        device->NextNamed = IopNamedDevices;
        IopNamedDevices = device;
    }
    *DeviceObject = device;
    return STATUS_SUCCESS;
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

    for (PDEVICE_OBJECT d = IopNamedDevices; d; d = d->NextNamed) {
        ULONG deviceLength;
        if (IopPrefixMatches(name, length, d->Name, &deviceLength)) {
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

NTSTATUS NTAPI IoCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    stack->DeviceObject = DeviceObject;
    PDRIVER_DISPATCH dispatch = DeviceObject->DriverObject->MajorFunction[stack->MajorFunction];
    if (!dispatch) {
        Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        Irp->IoStatus.Information = 0;
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    return dispatch(DeviceObject, Irp);
}

VOID NTAPI IoCompleteRequest(PIRP Irp, UCHAR PriorityBoost)
{
    /* synchronous I/O only: the caller of IoCallDriver picks the result up from IoStatus */
    (void)Irp;
    (void)PriorityBoost;
}
