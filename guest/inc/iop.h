/*
 * The I/O manager's private side: what it keeps about devices and requests
 * outside the structures drivers see (io.h has wdm.h's layouts, and a
 * driver may read every byte of them).
 */
#ifndef GUEST_IOP_H
#define GUEST_IOP_H

#include "io.h"

#ifndef STATUS_MORE_PROCESSING_REQUIRED
#define STATUS_MORE_PROCESSING_REQUIRED NTSTATUS_C(0xC0000016)
#endif
#define NT_ERROR(s) ((ULONG)(s) >> 30 == 3)

#define IOP_MAX_DEVICE_NAME 32        /* WCHARs of \Device\Xxx, with the terminator */

/*
 * DeviceObject->DeviceObjectExtension, after the driver's DeviceExtension, as
 * on NT: the public DEVOBJ_EXTENSION first, then the kernel's bookkeeping.
 */
typedef struct _IOP_DEVOBJ_EXTENSION {
    DEVOBJ_EXTENSION Public;
    WCHAR Name[IOP_MAX_DEVICE_NAME];  /* \Device\Xxx; empty for an unnamed device */
    PDEVICE_OBJECT NextNamed;
    BOOLEAN DeletePending;            /* IoDeleteDevice with files still open: freed with the last */
} IOP_DEVOBJ_EXTENSION, *PIOP_DEVOBJ_EXTENSION;
#define IopDeviceExtension(d) ((PIOP_DEVOBJ_EXTENSION)(d)->DeviceObjectExtension)

/* An IRP with one stack location after it, as IoAllocateIrp(1) lays it out: the I/O manager's own requests. */
typedef struct _IOP_IRP {
    IRP Irp;
    IO_STACK_LOCATION Stack[1];
} IOP_IRP;
C_ASSERT(offsetof(IOP_IRP, Stack) == sizeof(IRP));

/* Initializes Packet for one driver; returns the stack location that driver will see, filled in. */
PIO_STACK_LOCATION IopInitializeIrp(IOP_IRP *Packet, UCHAR MajorFunction, PFILE_OBJECT File,
                                    KPROCESSOR_MODE RequestorMode);
/* IoCallDriver, then, if the driver pended the IRP, waits for its completion; the request's status. */
NTSTATUS IopSynchronousCall(PDEVICE_OBJECT Device, PIRP Irp);
/* Exported to drivers as IoFileObjectType (io/file.c says why it is one indirection more). */
extern POBJECT_TYPE *IopDdkFileObjectType;
/* The dispatch routine of every request a driver does not handle. */
NTSTATUS NTAPI IopInvalidDeviceRequest(PDEVICE_OBJECT DeviceObject, PIRP Irp);
/* Completes Irp with Status and Information; returns Status (the kernel's own drivers). */
NTSTATUS IopCompleteRequest(PIRP Irp, NTSTATUS Status, ULONG_PTR Information);
/* A file object is open on Device / has gone: counts ReferenceCount, frees a deleted device with the last. */
VOID IopReferenceDevice(PDEVICE_OBJECT Device);
VOID IopDereferenceDevice(PDEVICE_OBJECT Device);

#endif
