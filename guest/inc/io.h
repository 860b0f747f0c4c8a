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

#define IRP_MJ_CREATE             0x00
#define IRP_MJ_CLOSE              0x02
#define IRP_MJ_READ               0x03
#define IRP_MJ_WRITE              0x04
#define IRP_MJ_QUERY_INFORMATION  0x05
#define IRP_MJ_DEVICE_CONTROL     0x0E
#define IRP_MJ_MAXIMUM_FUNCTION   0x1B

/* access rights of files */
#define FILE_READ_DATA            0x0001
#define FILE_WRITE_DATA           0x0002
#define FILE_APPEND_DATA          0x0004
#define FILE_READ_ATTRIBUTES      0x0080
#define FILE_ALL_ACCESS           0x001F01FF
#define FILE_GENERIC_READ         0x00120089
#define FILE_GENERIC_WRITE        0x00120116
#define FILE_GENERIC_EXECUTE      0x001200A0

/* NtCreateFile dispositions, options and results */
#define FILE_SUPERSEDE            0
#define FILE_OPEN                 1
#define FILE_CREATE               2
#define FILE_OPEN_IF              3
#define FILE_OVERWRITE            4
#define FILE_OVERWRITE_IF         5
#define FILE_MAXIMUM_DISPOSITION  5
#define FILE_DIRECTORY_FILE       0x00000001
#define FILE_SYNCHRONOUS_IO_ALERT    0x00000010
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020
#define FILE_NON_DIRECTORY_FILE   0x00000040
#define FILE_SUPERSEDED           0
#define FILE_OPENED               1
#define FILE_CREATED              2
#define FILE_OVERWRITTEN          3
#define FILE_EXISTS               4
#define FILE_DOES_NOT_EXIST       5
#define FILE_USE_FILE_POINTER_POSITION 0xFFFFFFFE   /* ByteOffset.LowPart with HighPart -1 */
#define FILE_WRITE_TO_END_OF_FILE      0xFFFFFFFF

typedef enum _FILE_INFORMATION_CLASS {
    FileStandardInformation = 5, FilePositionInformation = 14, FileMaximumInformation = 41,
} FILE_INFORMATION_CLASS;
typedef struct _FILE_STANDARD_INFORMATION {
    LARGE_INTEGER AllocationSize, EndOfFile;
    ULONG NumberOfLinks;
    BOOLEAN DeletePending, Directory;
} FILE_STANDARD_INFORMATION;
typedef struct _FILE_POSITION_INFORMATION {
    LARGE_INTEGER CurrentByteOffset;
} FILE_POSITION_INFORMATION;

/* I/O control codes: device type, function, method, access */
#define CTL_CODE(t, f, m, a)  (((t) << 16) | ((a) << 14) | ((f) << 2) | (m))
#define METHOD_BUFFERED   0
#define METHOD_IN_DIRECT  1
#define METHOD_OUT_DIRECT 2
#define METHOD_NEITHER    3
#define FILE_ANY_ACCESS   0
#define FILE_READ_ACCESS  1
#define FILE_WRITE_ACCESS 2
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
