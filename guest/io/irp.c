/*
 * IRPs as NT builds and moves them: the stack locations follow the IRP,
 * CurrentLocation counts down from StackCount + 1 as IoCallDriver hands the
 * request to each driver (Tail.Overlay.CurrentStackLocation with it), and
 * IoCompleteRequest walks back up, running completion routines, then tells
 * the waiting I/O manager (UserEvent). Requests are synchronous for the
 * caller: a driver that returns STATUS_PENDING is waited for.
 */
#include "../inc/iop.h"
#include "../inc/rtl.h"

#define IO_IRP_TAG 0x20707249   /* 'Irp ' */

VOID NTAPI IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize)
{
    memset(Irp, 0, PacketSize);
    Irp->Type = IO_TYPE_IRP;
    Irp->Size = PacketSize;
    Irp->StackCount = StackSize;
    Irp->CurrentLocation = (CCHAR)(StackSize + 1);
    InitializeListHead(&Irp->ThreadListEntry);
    Irp->Tail.Overlay.CurrentStackLocation = (PIO_STACK_LOCATION)(Irp + 1) + StackSize;
}

PIRP NTAPI IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota)
{
    (void)ChargeQuota;
    if (StackSize < 1)
        return NULL;
    PIRP irp = ExAllocatePoolWithTag(NonPagedPool, IoSizeOfIrp(StackSize), IO_IRP_TAG);
    if (irp)
        IoInitializeIrp(irp, IoSizeOfIrp(StackSize), StackSize);
    return irp;
}

VOID NTAPI IoFreeIrp(PIRP Irp)
{
    ExFreePoolWithTag(Irp, IO_IRP_TAG);
}

PIO_STACK_LOCATION IopInitializeIrp(IOP_IRP *Packet, UCHAR MajorFunction, PFILE_OBJECT File,
                                    KPROCESSOR_MODE RequestorMode)
{
    PIRP irp = &Packet->Irp;
    IoInitializeIrp(irp, sizeof(*Packet), 1);
    irp->Flags = IRP_SYNCHRONOUS_API;
    irp->RequestorMode = RequestorMode;
    irp->Tail.Overlay.Thread = KeGetCurrentThread();
    irp->Tail.Overlay.OriginalFileObject = File;
    PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(irp);
    stack->MajorFunction = MajorFunction;
    stack->FileObject = File;
    return stack;
}

NTSTATUS NTAPI IopInvalidDeviceRequest(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    return IopCompleteRequest(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
}

NTSTATUS FASTCALL IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    if (--Irp->CurrentLocation <= 0)
        KeBugCheckEx(NO_MORE_IRP_STACK_LOCATIONS, (ULONG_PTR)Irp, 0, 0, 0);
    PIO_STACK_LOCATION stack = --Irp->Tail.Overlay.CurrentStackLocation;
    stack->DeviceObject = DeviceObject;
    PDRIVER_DISPATCH dispatch = stack->MajorFunction <= IRP_MJ_MAXIMUM_FUNCTION
                                    ? DeviceObject->DriverObject->MajorFunction[stack->MajorFunction] : NULL;
    return (dispatch ? dispatch : IopInvalidDeviceRequest)(DeviceObject, Irp);
}

/* Does the location's completion routine want this outcome? */
static BOOLEAN IopWantsCompletion(PIO_STACK_LOCATION Stack, PIRP Irp)
{
    if (!Stack->CompletionRoutine)
        return FALSE;
    if (Irp->Cancel)
        return (Stack->Control & SL_INVOKE_ON_CANCEL) != 0;
    return (Stack->Control & (NT_SUCCESS(Irp->IoStatus.Status) ? SL_INVOKE_ON_SUCCESS : SL_INVOKE_ON_ERROR)) != 0;
}

VOID FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    if (Irp->Type != IO_TYPE_IRP || Irp->CurrentLocation > Irp->StackCount + 1)
        KeBugCheckEx(MULTIPLE_IRP_COMPLETE_REQUESTS, (ULONG_PTR)Irp, 0, 0, 0);
    /* up the stack: each location's routine sees the device of the location above it (NULL at the top) */
    for (PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp); Irp->CurrentLocation <= Irp->StackCount;
         stack++) {
        Irp->CurrentLocation++;
        Irp->Tail.Overlay.CurrentStackLocation++;
        Irp->PendingReturned = (stack->Control & SL_PENDING_RETURNED) != 0;
        if (!IopWantsCompletion(stack, Irp))
            continue;
        PDEVICE_OBJECT device = Irp->CurrentLocation <= Irp->StackCount
                                    ? IoGetCurrentIrpStackLocation(Irp)->DeviceObject : NULL;
        if (stack->CompletionRoutine(device, Irp, stack->Context) == STATUS_MORE_PROCESSING_REQUIRED)
            return;   /* the routine owns the IRP again */
    }
    Irp->CurrentLocation++;   /* past the top: a second completion is caught above */
    if (Irp->UserIosb)         /* a kernel-mode IRP's owner (the I/O manager copies to user mode itself) */
        *Irp->UserIosb = Irp->IoStatus;
    if (Irp->UserEvent)
        KeSetEvent(Irp->UserEvent, PriorityBoost, FALSE);
}

NTSTATUS IopCompleteRequest(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

NTSTATUS IopSynchronousCall(PDEVICE_OBJECT Device, PIRP Irp)
{
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    Irp->UserEvent = &done;
    NTSTATUS status = IoCallDriver(Device, Irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&done, 0, KernelMode, FALSE, NULL);
        status = Irp->IoStatus.Status;
    }
    Irp->UserEvent = NULL;
    return status;
}
