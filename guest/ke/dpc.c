/*
 * Deferred procedure calls: work an interrupt (here: the clock, for an
 * expired timer) leaves for DISPATCH_LEVEL. The queue is drained at the end
 * of the clock interrupt when it interrupted code below DISPATCH_LEVEL, and
 * whenever KeLowerIrql drops below it. A KDPC has wdm.h's layout: drivers
 * embed it; DpcData points at the queue while the DPC is in it.
 */
#include "../inc/ke.h"

extern KIRQL KiCurrentIrql;
static LIST_ENTRY KiDpcListHead = { &KiDpcListHead, &KiDpcListHead };

VOID NTAPI KeInitializeDpc(PKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    Dpc->Type = DpcObject;
    Dpc->Importance = MediumImportance;
    Dpc->Number = 0;
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->DpcData = NULL;
}

BOOLEAN NTAPI KeInsertQueueDpc(PKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    if (Dpc->DpcData)
        return FALSE;
    Dpc->SystemArgument1 = SystemArgument1;
    Dpc->SystemArgument2 = SystemArgument2;
    Dpc->DpcData = &KiDpcListHead;
    InsertTailList(&KiDpcListHead, &Dpc->DpcListEntry);
    return TRUE;
}

BOOLEAN NTAPI KeRemoveQueueDpc(PKDPC Dpc)
{
    if (!Dpc->DpcData)
        return FALSE;
    RemoveEntryList(&Dpc->DpcListEntry);
    Dpc->DpcData = NULL;
    return TRUE;
}

/* Runs every queued DPC; the caller is at DISPATCH_LEVEL. */
void KiRetireDpcList(void)
{
    while (!IsListEmpty(&KiDpcListHead)) {
        PKDPC dpc = CONTAINING_RECORD(RemoveHeadList(&KiDpcListHead), KDPC, DpcListEntry);
        dpc->DpcData = NULL;
        dpc->DeferredRoutine(dpc, dpc->DeferredContext, dpc->SystemArgument1, dpc->SystemArgument2);
        KiCurrentIrql = DISPATCH_LEVEL;   /* whatever the routine left it at */
    }
}
