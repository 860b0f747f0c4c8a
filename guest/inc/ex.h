/* Executive support: pool allocation. */
#ifndef GUEST_EX_H
#define GUEST_EX_H

#include "ntdef.h"

typedef enum _POOL_TYPE { NonPagedPool = 0, PagedPool = 1 } POOL_TYPE;

/* The largest single allocation: one page less the pool header. */
#define EX_POOL_MAX_ALLOCATION  (PAGE_SIZE - 8)

/* Zeroed memory, or NULL when none is left or NumberOfBytes is 0 or too large. */
PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag);
/* The untagged forms (wdm.h's ExAllocatePoolWithTag is ExAllocatePool unless POOL_TAGGING). */
PVOID NTAPI ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes);
VOID NTAPI ExFreePool(PVOID P);

/* ex/raise.c: no exception handling here, so a raise stops the system (KMODE_EXCEPTION_NOT_HANDLED). */
__attribute__((noreturn)) VOID NTAPI ExRaiseStatus(NTSTATUS Status);
/* The DDK's ProbeForRead/ProbeForWrite, which raise instead of returning a status. */
VOID NTAPI ExpProbeForRead(const VOID *Address, SIZE_T Length, ULONG Alignment);
VOID NTAPI ExpProbeForWrite(PVOID Address, SIZE_T Length, ULONG Alignment);

/* Work items (ex/worker.c): routines run at PASSIVE_LEVEL by a worker thread of the System process. */
typedef VOID (NTAPI *PWORKER_THREAD_ROUTINE)(PVOID Parameter);
typedef struct _WORK_QUEUE_ITEM {
    LIST_ENTRY List;
    PWORKER_THREAD_ROUTINE WorkerRoutine;
    PVOID Parameter;
} WORK_QUEUE_ITEM, *PWORK_QUEUE_ITEM;
typedef enum _WORK_QUEUE_TYPE { CriticalWorkQueue = 0, DelayedWorkQueue = 1, HyperCriticalWorkQueue = 2 } WORK_QUEUE_TYPE;
#define ExInitializeWorkItem(Item, Routine, Context) \
    do { (Item)->WorkerRoutine = (Routine); (Item)->Parameter = (Context); (Item)->List.Flink = NULL; } while (0)
/* Callable up to DISPATCH_LEVEL (from a DPC); the item runs later, in the System process. */
VOID NTAPI ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType);
VOID ExInitializeWorkerThreads(VOID);

#endif
