/*
 * I/O work items: an executive work item that remembers the device whose
 * driver queued it, so the routine gets (DeviceObject, Context) -- what
 * drivers use to leave DISPATCH_LEVEL (a DPC) for PASSIVE_LEVEL work.
 */
#include "../inc/io.h"

#define IO_WORKITEM_TAG 0x6B576F49   /* 'IoWk' */

typedef struct _IO_WORKITEM {
    WORK_QUEUE_ITEM Item;
    PDEVICE_OBJECT DeviceObject;
    PIO_WORKITEM_ROUTINE Routine;
    PVOID Context;
} IO_WORKITEM;

static VOID NTAPI IopProcessWorkItem(PVOID Parameter)
{
    PIO_WORKITEM item = Parameter;
    item->Routine(item->DeviceObject, item->Context);
}

PIO_WORKITEM NTAPI IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject)
{
    PIO_WORKITEM item = ExAllocatePoolWithTag(NonPagedPool, sizeof(IO_WORKITEM), IO_WORKITEM_TAG);
    if (item)
        item->DeviceObject = DeviceObject;
    return item;
}

VOID NTAPI IoFreeWorkItem(PIO_WORKITEM IoWorkItem)
{
    ExFreePoolWithTag(IoWorkItem, IO_WORKITEM_TAG);
}

VOID NTAPI IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType,
                           PVOID Context)
{
    IoWorkItem->Routine = WorkerRoutine;
    IoWorkItem->Context = Context;
    ExInitializeWorkItem(&IoWorkItem->Item, IopProcessWorkItem, IoWorkItem);
    ExQueueWorkItem(&IoWorkItem->Item, QueueType);
}
