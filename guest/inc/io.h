/*
 * The I/O manager: drivers, devices, file objects and IRPs, as on NT but
 * synchronous only. A file object names a device and what the device's
 * driver keeps for the open (FsContext); every request goes to the driver
 * as an IRP with one stack location, through DRIVER_OBJECT.MajorFunction.
 * Read and write buffers reach the driver as the caller's own pointers
 * (Irp->UserBuffer), already probed by NtReadFile/NtWriteFile when the
 * previous mode is User -- and not probed when it is Kernel.
 */
#ifndef GUEST_IO_H
#define GUEST_IO_H

#include "ke.h"
#include "ob.h"
#include "ntapidef.h"

#define IRP_MJ_CREATE             0x00
#define IRP_MJ_CLOSE              0x02
#define IRP_MJ_READ               0x03
#define IRP_MJ_WRITE              0x04
#define IRP_MJ_QUERY_INFORMATION  0x05
#define IRP_MJ_DEVICE_CONTROL     0x0E
#define IRP_MJ_MAXIMUM_FUNCTION   0x1B

#define FILE_DEVICE_DISK      0x07
#define FILE_DEVICE_CONSOLE   0x50
#define FILE_DEVICE_UNKNOWN   0x22
#define IO_NO_INCREMENT       0

struct _DEVICE_OBJECT;
struct _IRP;
typedef NTSTATUS (NTAPI *PDRIVER_DISPATCH)(struct _DEVICE_OBJECT *DeviceObject, struct _IRP *Irp);

typedef struct _DRIVER_OBJECT {
    struct _DEVICE_OBJECT *DeviceObject;      /* its devices, linked through NextDevice */
    UNICODE_STRING DriverName;
    PDRIVER_DISPATCH MajorFunction[IRP_MJ_MAXIMUM_FUNCTION + 1];
} DRIVER_OBJECT, *PDRIVER_OBJECT;

typedef struct _DEVICE_OBJECT {
    PDRIVER_OBJECT DriverObject;
    struct _DEVICE_OBJECT *NextDevice;
    ULONG DeviceType;
    PVOID DeviceExtension;
    WCHAR Name[32];                           /* \Device\Xxx */
    struct _DEVICE_OBJECT *NextNamed;
} DEVICE_OBJECT, *PDEVICE_OBJECT;

#define FO_SYNCHRONOUS_IO  0x00000002
#define FO_OPENED          0x80000000         /* ntvisor: IRP_MJ_CREATE succeeded, send IRP_MJ_CLOSE */

typedef struct _FILE_OBJECT {
    PDEVICE_OBJECT DeviceObject;
    PVOID FsContext;                          /* the driver's per-file data */
    UNICODE_STRING FileName;                  /* the part of the name after the device */
    LARGE_INTEGER CurrentByteOffset;          /* for FO_SYNCHRONOUS_IO opens */
    ULONG Flags;
    KEVENT Event;
} FILE_OBJECT, *PFILE_OBJECT;

typedef struct _IO_STACK_LOCATION {
    UCHAR MajorFunction;
    union {
        struct { ACCESS_MASK DesiredAccess; ULONG Options; } Create;   /* Options: disposition << 24 | options */
        struct { ULONG Length; LARGE_INTEGER ByteOffset; } Read;
        struct { ULONG Length; LARGE_INTEGER ByteOffset; } Write;
        struct { ULONG Length; FILE_INFORMATION_CLASS FileInformationClass; } QueryFile;
        struct { ULONG OutputBufferLength, InputBufferLength, IoControlCode; PVOID Type3InputBuffer; } DeviceIoControl;
    } Parameters;
    PDEVICE_OBJECT DeviceObject;
    PFILE_OBJECT FileObject;
} IO_STACK_LOCATION, *PIO_STACK_LOCATION;

typedef struct _IRP {
    IO_STATUS_BLOCK IoStatus;
    KPROCESSOR_MODE RequestorMode;            /* whose pointers UserBuffer holds */
    PVOID UserBuffer;
    union { PVOID SystemBuffer; } AssociatedIrp;
    IO_STACK_LOCATION Stack;                  /* one location: no layered drivers yet */
} IRP, *PIRP;

static inline PIO_STACK_LOCATION IoGetCurrentIrpStackLocation(PIRP Irp) { return &Irp->Stack; }

extern OBJECT_TYPE IoFileObjectType[1];

NTSTATUS NTAPI IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
                              ULONG DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                              PDEVICE_OBJECT *DeviceObject);
NTSTATUS NTAPI IoCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp);
VOID NTAPI IoCompleteRequest(PIRP Irp, UCHAR PriorityBoost);
/* The device a full name starts with (\Device\X or \??\C:), and what follows it. */
NTSTATUS IopParseDeviceName(PUNICODE_STRING Name, PDEVICE_OBJECT *Device, PUNICODE_STRING Remaining);
/* Copies between a driver and the buffer of the IRP's requestor; a fault is STATUS_ACCESS_VIOLATION. */
NTSTATUS IoCopyToRequestor(PVOID Destination, const VOID *Source, ULONG Length);

/*
 * File services run at PASSIVE_LEVEL only: on NT they touch pageable code
 * and data, and a caller at DISPATCH_LEVEL or above (a DPC) bugchecks with
 * IRQL_NOT_LESS_OR_EQUAL. Here the check is explicit.
 */
#define IopCheckIrql(Service) do { \
        if (KeGetCurrentIrql() > PASSIVE_LEVEL) \
            KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)(Service), KeGetCurrentIrql(), 0, \
                         (ULONG_PTR)__builtin_return_address(0)); \
    } while (0)

/* io/symlink.c: \??\NAME -> a device name */
NTSTATUS NTAPI IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName);
NTSTATUS NTAPI IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName);
/* The target of the link Name (Length WCHARs) starts with, and the link's length; NULL if none. */
PCWSTR IopLookupSymbolicLink(PCWSTR Name, ULONG Length, ULONG *LinkLength);

/* io/iowork.c: work items tied to a device */
typedef VOID (NTAPI *PIO_WORKITEM_ROUTINE)(PDEVICE_OBJECT DeviceObject, PVOID Context);
typedef struct _IO_WORKITEM *PIO_WORKITEM;
PIO_WORKITEM NTAPI IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject);
VOID NTAPI IoFreeWorkItem(PIO_WORKITEM IoWorkItem);
VOID NTAPI IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType,
                           PVOID Context);

/* io/loader.c: boot drivers from Multiboot modules ("driver NAME") */
typedef NTSTATUS (NTAPI *PDRIVER_INITIALIZE)(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
/* Validates the ELF image (untrusted input), maps it, and calls its DriverEntry. */
NTSTATUS IopLoadDriver(const char *Name, const UCHAR *Image, ULONG Size);

VOID IoInitSystem(VOID);
/* io/ramfs.c: the in-memory volume behind \Device\HarddiskVolume1 (\??\C:) */
VOID RamFsInitialize(VOID);
NTSTATUS RamFsAddFile(const char *Name, const UCHAR *Data, ULONG Size);
/* io/console.c: \Device\Console */
VOID IopConsoleInitialize(VOID);

#endif
