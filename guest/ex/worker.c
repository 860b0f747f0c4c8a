/*
 * Executive worker threads. Work queued at any IRQL up to DISPATCH_LEVEL (a
 * DPC cannot open or write a file) runs later at PASSIVE_LEVEL in a thread
 * of the System process -- so in the System process's handle table, which
 * is why a driver's handle must be a kernel handle (OBJ_KERNEL_HANDLE) to
 * be usable from a work item. One queue, one thread, FIFO: deterministic.
 */
#include "../inc/ex.h"
#include "../inc/ke.h"
#include "../inc/ps.h"

static PWORK_QUEUE_ITEM ExpWorkQueueHead, ExpWorkQueueTail;
static KEVENT ExpWorkQueueEvent;   /* synchronization: set when an item is queued */

VOID NTAPI ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType)
{
    (void)QueueType;   /* one queue serves all three types */
    if (KeGetCurrentIrql() > DISPATCH_LEVEL)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)WorkItem, KeGetCurrentIrql(), 0,
                     (ULONG_PTR)__builtin_return_address(0));
    WorkItem->List.Flink = NULL;
    if (ExpWorkQueueTail)
        ExpWorkQueueTail->List.Flink = &WorkItem->List;
    else
        ExpWorkQueueHead = WorkItem;
    ExpWorkQueueTail = WorkItem;
    KeSetEvent(&ExpWorkQueueEvent, 0, FALSE);
}

static VOID NTAPI ExpWorkerThread(PVOID Context)
{
    (void)Context;
    for (;;) {
        KeWaitForSingleObject(&ExpWorkQueueEvent, 0, KernelMode, FALSE, NULL);
        PWORK_QUEUE_ITEM item;
        while ((item = ExpWorkQueueHead) != NULL) {
            ExpWorkQueueHead = (PWORK_QUEUE_ITEM)item->List.Flink;
            if (!ExpWorkQueueHead)
                ExpWorkQueueTail = NULL;
            PWORKER_THREAD_ROUTINE routine = item->WorkerRoutine;
            routine(item->Parameter);   /* the item may be freed by now */
            if (KeGetCurrentIrql() != PASSIVE_LEVEL)
                KeBugCheckEx(WORKER_RETURNED_AT_BAD_IRQL, (ULONG_PTR)routine, KeGetCurrentIrql(),
                             (ULONG_PTR)item, 0);
        }
    }
}

VOID ExInitializeWorkerThreads(VOID)
{
    HANDLE handle;
    KeInitializeEvent(&ExpWorkQueueEvent, SynchronizationEvent, FALSE);
    NTSTATUS status = PsCreateSystemThread(&handle, 0, NULL, NULL, NULL, ExpWorkerThread, NULL);
    if (!NT_SUCCESS(status))
        KeBugCheckEx(PHASE0_INITIALIZATION_FAILED, 0x20, (ULONG_PTR)status, 0, 0);
    /* the thread lives on; its handle would only sit in System's table */
    ObCloseHandle(handle, KernelMode);
}
