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

#define IRP_MJ_CREATE                   0x00
#define IRP_MJ_CREATE_NAMED_PIPE        0x01
#define IRP_MJ_CLOSE                    0x02
#define IRP_MJ_READ                     0x03
#define IRP_MJ_WRITE                    0x04
#define IRP_MJ_QUERY_INFORMATION        0x05
#define IRP_MJ_SET_INFORMATION          0x06
#define IRP_MJ_FLUSH_BUFFERS            0x09
#define IRP_MJ_DEVICE_CONTROL           0x0E
#define IRP_MJ_INTERNAL_DEVICE_CONTROL  0x0F
#define IRP_MJ_SHUTDOWN                 0x10
#define IRP_MJ_CLEANUP                  0x12
#define IRP_MJ_MAXIMUM_FUNCTION         0x1B

#define FILE_DEVICE_DISK      0x07
#define FILE_DEVICE_CONSOLE   0x50
#define FILE_DEVICE_UNKNOWN   0x22
#define IO_NO_INCREMENT       0

/* Object types in the Type field of the I/O manager's objects */
#define IO_TYPE_DEVICE                  3
#define IO_TYPE_DRIVER                  4
#define IO_TYPE_FILE                    5
#define IO_TYPE_IRP                     6
#define IO_TYPE_DEVICE_OBJECT_EXTENSION 13

/* DEVICE_OBJECT.Flags */
#define DO_BUFFERED_IO          0x00000004
#define DO_EXCLUSIVE            0x00000008
#define DO_DIRECT_IO            0x00000010
#define DO_DEVICE_INITIALIZING  0x00000080

/* FILE_OBJECT.Flags */
#define FO_SYNCHRONOUS_IO  0x00000002
#define FO_HANDLE_CREATED  0x00040000

/* IRP.Flags */
#define IRP_SYNCHRONOUS_API    0x00000004
#define IRP_BUFFERED_IO        0x00000010
#define IRP_DEALLOCATE_BUFFER  0x00000020
#define IRP_INPUT_OPERATION    0x00000040
#define IRP_CREATE_OPERATION   0x00000080
#define IRP_READ_OPERATION     0x00000100
#define IRP_WRITE_OPERATION    0x00000200
#define IRP_CLOSE_OPERATION    0x00000400

/* IO_STACK_LOCATION.Control: when its completion routine runs */
#define SL_PENDING_RETURNED    0x01
#define SL_INVOKE_ON_CANCEL    0x20
#define SL_INVOKE_ON_SUCCESS   0x40
#define SL_INVOKE_ON_ERROR     0x80

/*
 * Everything below that a driver sees has wdm.h's i386 layout and size
 * (checked against mingw-w64's headers at build time: mk/ddk-layout.mk).
 * What the kernel keeps besides lives outside these structures (io/iop.h).
 */
struct _DEVICE_OBJECT;
struct _DRIVER_OBJECT;
struct _IRP;
struct _FILE_OBJECT;
typedef NTSTATUS (NTAPI *PDRIVER_DISPATCH)(struct _DEVICE_OBJECT *DeviceObject, struct _IRP *Irp);
typedef NTSTATUS (NTAPI *PDRIVER_INITIALIZE)(struct _DRIVER_OBJECT *DriverObject, PUNICODE_STRING RegistryPath);
typedef NTSTATUS (NTAPI *PDRIVER_ADD_DEVICE)(struct _DRIVER_OBJECT *DriverObject,
                                             struct _DEVICE_OBJECT *PhysicalDeviceObject);
typedef VOID (NTAPI *PDRIVER_STARTIO)(struct _DEVICE_OBJECT *DeviceObject, struct _IRP *Irp);
typedef VOID (NTAPI *PDRIVER_UNLOAD)(struct _DRIVER_OBJECT *DriverObject);
typedef NTSTATUS (NTAPI *PIO_COMPLETION_ROUTINE)(struct _DEVICE_OBJECT *DeviceObject, struct _IRP *Irp,
                                                 PVOID Context);

typedef struct _DRIVER_EXTENSION {
    struct _DRIVER_OBJECT *DriverObject;
    PDRIVER_ADD_DEVICE AddDevice;
    ULONG Count;
    UNICODE_STRING ServiceKeyName;
} DRIVER_EXTENSION, *PDRIVER_EXTENSION;

typedef struct _DRIVER_OBJECT {
    CSHORT Type;                              /* IO_TYPE_DRIVER */
    CSHORT Size;
    struct _DEVICE_OBJECT *DeviceObject;      /* its devices, linked through NextDevice */
    ULONG Flags;
    PVOID DriverStart;                        /* the image */
    ULONG DriverSize;
    PVOID DriverSection;
    PDRIVER_EXTENSION DriverExtension;        /* follows the object (IopCreateDriverObject) */
    UNICODE_STRING DriverName;
    PUNICODE_STRING HardwareDatabase;
    PVOID FastIoDispatch;
    PDRIVER_INITIALIZE DriverInit;
    PDRIVER_STARTIO DriverStartIo;
    PDRIVER_UNLOAD DriverUnload;
    PDRIVER_DISPATCH MajorFunction[IRP_MJ_MAXIMUM_FUNCTION + 1];
} DRIVER_OBJECT, *PDRIVER_OBJECT;

typedef struct _KDEVICE_QUEUE_ENTRY {
    LIST_ENTRY DeviceListEntry;
    ULONG SortKey;
    BOOLEAN Inserted;
} KDEVICE_QUEUE_ENTRY, *PKDEVICE_QUEUE_ENTRY;

typedef struct _KDEVICE_QUEUE {
    CSHORT Type;
    CSHORT Size;
    LIST_ENTRY DeviceListHead;
    KSPIN_LOCK Lock;
    BOOLEAN Busy;
} KDEVICE_QUEUE, *PKDEVICE_QUEUE;

typedef struct _WAIT_CONTEXT_BLOCK {
    KDEVICE_QUEUE_ENTRY WaitQueueEntry;
    PVOID DeviceRoutine;
    PVOID DeviceContext;
    ULONG NumberOfMapRegisters;
    PVOID DeviceObject;
    PVOID CurrentIrp;
    PKDPC BufferChainingDpc;
} WAIT_CONTEXT_BLOCK;

typedef struct _DEVOBJ_EXTENSION {
    CSHORT Type;                              /* IO_TYPE_DEVICE_OBJECT_EXTENSION */
    USHORT Size;
    struct _DEVICE_OBJECT *DeviceObject;
} DEVOBJ_EXTENSION, *PDEVOBJ_EXTENSION;

typedef struct _DEVICE_OBJECT {
    CSHORT Type;                              /* IO_TYPE_DEVICE */
    USHORT Size;                              /* the object and its DeviceExtension */
    LONG ReferenceCount;
    PDRIVER_OBJECT DriverObject;
    struct _DEVICE_OBJECT *NextDevice;
    struct _DEVICE_OBJECT *AttachedDevice;
    struct _IRP *CurrentIrp;
    PVOID Timer;
    ULONG Flags;                              /* DO_XXX */
    ULONG Characteristics;
    PVOID Vpb;
    PVOID DeviceExtension;                    /* the driver's, right after the object */
    ULONG DeviceType;
    CCHAR StackSize;                          /* 1: no layered drivers */
    union { LIST_ENTRY ListEntry; WAIT_CONTEXT_BLOCK Wcb; } Queue;
    ULONG AlignmentRequirement;
    KDEVICE_QUEUE DeviceQueue;
    KDPC Dpc;
    ULONG ActiveThreadCount;
    PVOID SecurityDescriptor;
    KEVENT DeviceLock;
    USHORT SectorSize;
    USHORT Spare1;
    PDEVOBJ_EXTENSION DeviceObjectExtension; /* after the DeviceExtension: the kernel's name for it */
    PVOID Reserved;
} DEVICE_OBJECT, *PDEVICE_OBJECT;

typedef struct _IO_SECURITY_CONTEXT {
    PVOID SecurityQos;
    PVOID AccessState;                        /* no access states here: NULL */
    ACCESS_MASK DesiredAccess;
    ULONG FullCreateOptions;
} IO_SECURITY_CONTEXT, *PIO_SECURITY_CONTEXT;

typedef struct _FILE_OBJECT {
    CSHORT Type;                              /* IO_TYPE_FILE */
    CSHORT Size;
    PDEVICE_OBJECT DeviceObject;              /* NULL once an open failed: no IRP_MJ_CLOSE then */
    PVOID Vpb;
    PVOID FsContext;                          /* the driver's per-file data */
    PVOID FsContext2;
    PVOID SectionObjectPointer;
    PVOID PrivateCacheMap;
    NTSTATUS FinalStatus;
    struct _FILE_OBJECT *RelatedFileObject;
    BOOLEAN LockOperation;
    BOOLEAN DeletePending;
    BOOLEAN ReadAccess;
    BOOLEAN WriteAccess;
    BOOLEAN DeleteAccess;
    BOOLEAN SharedRead;
    BOOLEAN SharedWrite;
    BOOLEAN SharedDelete;
    ULONG Flags;                              /* FO_XXX */
    UNICODE_STRING FileName;                  /* the part of the name after the device */
    LARGE_INTEGER CurrentByteOffset;          /* for FO_SYNCHRONOUS_IO opens */
    ULONG Waiters;
    ULONG Busy;
    PVOID LastLock;
    KEVENT Lock;
    KEVENT Event;
    PVOID CompletionContext;
    KSPIN_LOCK IrpListLock;
    LIST_ENTRY IrpList;
    PVOID FileObjectExtension;
} FILE_OBJECT, *PFILE_OBJECT;

/* wdm.h's POINTER_ALIGNMENT: on x64 these parameters start on 8-byte boundaries */
#if defined(__x86_64__)
#define POINTER_ALIGNMENT __attribute__((aligned(8)))
#define KAPC_SIZE 0x58
#else
#define POINTER_ALIGNMENT
#define KAPC_SIZE 0x30
#endif

typedef struct _IO_STACK_LOCATION {
    UCHAR MajorFunction;
    UCHAR MinorFunction;
    UCHAR Flags;                              /* SL_XXX of the request */
    UCHAR Control;                            /* SL_INVOKE_ON_XXX, SL_PENDING_RETURNED */
    union {
        struct {
            PIO_SECURITY_CONTEXT SecurityContext;   /* DesiredAccess */
            ULONG Options;                    /* disposition << 24 | create options */
            USHORT POINTER_ALIGNMENT FileAttributes;
            USHORT ShareAccess;
            ULONG POINTER_ALIGNMENT EaLength;
        } Create;
        struct { ULONG Length; ULONG POINTER_ALIGNMENT Key; LARGE_INTEGER ByteOffset; } Read;
        struct { ULONG Length; ULONG POINTER_ALIGNMENT Key; LARGE_INTEGER ByteOffset; } Write;
        struct { ULONG Length; FILE_INFORMATION_CLASS POINTER_ALIGNMENT FileInformationClass; } QueryFile;
        struct {
            ULONG OutputBufferLength;
            ULONG POINTER_ALIGNMENT InputBufferLength;
            ULONG POINTER_ALIGNMENT IoControlCode;
            PVOID Type3InputBuffer;           /* METHOD_NEITHER: the caller's input pointer, unprobed */
        } DeviceIoControl;
        struct { PVOID Argument1, Argument2, Argument3, Argument4; } Others;
    } Parameters;
    PDEVICE_OBJECT DeviceObject;
    PFILE_OBJECT FileObject;
    PIO_COMPLETION_ROUTINE CompletionRoutine;
    PVOID Context;
} IO_STACK_LOCATION, *PIO_STACK_LOCATION;

typedef struct _IRP {
    CSHORT Type;                              /* IO_TYPE_IRP */
    USHORT Size;                              /* the IRP and its stack locations */
    PVOID MdlAddress;                         /* no MDLs here: NULL */
    ULONG Flags;                              /* IRP_XXX */
    union {
        struct _IRP *MasterIrp;
        LONG IrpCount;
        PVOID SystemBuffer;                   /* METHOD_BUFFERED, IRP_MJ_QUERY_INFORMATION */
    } AssociatedIrp;
    LIST_ENTRY ThreadListEntry;
    IO_STATUS_BLOCK IoStatus;
    KPROCESSOR_MODE RequestorMode;            /* whose pointers UserBuffer holds */
    BOOLEAN PendingReturned;
    CCHAR StackCount;
    CCHAR CurrentLocation;                    /* StackCount + 1 before IoCallDriver; 1 in the driver */
    BOOLEAN Cancel;
    KIRQL CancelIrql;
    CCHAR ApcEnvironment;
    UCHAR AllocationFlags;
    PIO_STATUS_BLOCK UserIosb;
    PKEVENT UserEvent;                        /* set by IoCompleteRequest */
    union {
        struct { PVOID UserApcRoutine; PVOID UserApcContext; } AsynchronousParameters;
        LARGE_INTEGER AllocationSize;
    } Overlay;
    PVOID CancelRoutine;
    PVOID UserBuffer;                         /* read/write data; METHOD_NEITHER output */
    union {
        struct {
            union { KDEVICE_QUEUE_ENTRY DeviceQueueEntry; PVOID DriverContext[4]; };
            PVOID Thread;
            PCHAR AuxiliaryBuffer;
            struct {
                LIST_ENTRY ListEntry;
                union { struct _IO_STACK_LOCATION *CurrentStackLocation; ULONG PacketType; };
            };
            PFILE_OBJECT OriginalFileObject;
        } Overlay;
        UCHAR Apc[KAPC_SIZE];                 /* KAPC: no APCs here */
        PVOID CompletionKey;
    } Tail;
} IRP, *PIRP;

#define IoSizeOfIrp(StackSize) ((USHORT)(sizeof(IRP) + (StackSize) * sizeof(IO_STACK_LOCATION)))
static inline PIO_STACK_LOCATION IoGetCurrentIrpStackLocation(PIRP Irp)
{
    return Irp->Tail.Overlay.CurrentStackLocation;
}
/* Where the caller of IoCallDriver fills in the request. */
static inline PIO_STACK_LOCATION IoGetNextIrpStackLocation(PIRP Irp)
{
    return Irp->Tail.Overlay.CurrentStackLocation - 1;
}

/* NT exports a pointer to the type object: drivers pass *IoFileObjectType */
extern POBJECT_TYPE IoFileObjectType;

NTSTATUS NTAPI IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
                              ULONG DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                              PDEVICE_OBJECT *DeviceObject);
VOID NTAPI IoDeleteDevice(PDEVICE_OBJECT DeviceObject);
/* wdm.h's IoCallDriver and IoCompleteRequest are macros for these fastcall routines. */
NTSTATUS FASTCALL IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp);
VOID FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost);
#define IoCallDriver      IofCallDriver
#define IoCompleteRequest IofCompleteRequest
/* IRPs of StackSize locations: IoAllocateIrp from pool, IoInitializeIrp over the caller's memory. */
PIRP NTAPI IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota);
VOID NTAPI IoFreeIrp(PIRP Irp);
VOID NTAPI IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize);
struct _EPROCESS *NTAPI IoGetCurrentProcess(VOID);
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

/*
 * A driver object for the image at [ImageBase, ImageBase + ImageSize) entered at
 * Entry, with its DRIVER_EXTENSION after it and every MajorFunction failing
 * the request (STATUS_INVALID_DEVICE_REQUEST) until the driver sets it.
 */
NTSTATUS IopCreateDriverObject(PVOID ImageBase, ULONG ImageSize, PDRIVER_INITIALIZE Entry,
                               PDRIVER_OBJECT *DriverObject);
/* After DriverEntry: the devices it made stop being DO_DEVICE_INITIALIZING. */
VOID IopReadyDeviceObjects(PDRIVER_OBJECT DriverObject);

/* io/loader.c: boot drivers from Multiboot modules ("driver NAME") */
/* Validates the PE image (untrusted input), maps and fixes it up, and calls its DriverEntry. */
NTSTATUS IopLoadDriver(const char *Name, const UCHAR *Image, ULONG Size);

VOID IoInitSystem(VOID);
/* io/ramfs.c: the in-memory volume behind \Device\HarddiskVolume1 (\??\C:) */
VOID RamFsInitialize(VOID);
NTSTATUS RamFsAddFile(const char *Name, const UCHAR *Data, ULONG Size);
/* io/console.c: \Device\Console */
VOID IopConsoleInitialize(VOID);

#endif
