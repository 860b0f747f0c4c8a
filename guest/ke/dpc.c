/*
 * Deferred procedure calls: work an interrupt (here: the clock, for an
 * expired timer) leaves for DISPATCH_LEVEL. The queue is drained at the end
 * of the clock interrupt when it interrupted code below DISPATCH_LEVEL, and
 * whenever KeLowerIrql drops below it.
 */
#include "../inc/ke.h"

extern KIRQL KiCurrentIrql;
static PKDPC KiDpcListHead, KiDpcListTail;

VOID NTAPI KeInitializeDpc(PKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->Next = NULL;
    Dpc->Inserted = FALSE;
}

BOOLEAN NTAPI KeInsertQueueDpc(PKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    if (Dpc->Inserted)
        return FALSE;
    Dpc->SystemArgument1 = SystemArgument1;
    Dpc->SystemArgument2 = SystemArgument2;
    Dpc->Next = NULL;
    Dpc->Inserted = TRUE;
    if (KiDpcListTail)
        KiDpcListTail->Next = Dpc;
    else
        KiDpcListHead = Dpc;
    KiDpcListTail = Dpc;
    return TRUE;
}

/* Runs every queued DPC; the caller is at DISPATCH_LEVEL. */
void KiRetireDpcList(void)
{
    PKDPC dpc;
    while ((dpc = KiDpcListHead) != NULL) {
        KiDpcListHead = dpc->Next;
        if (!KiDpcListHead)
            KiDpcListTail = NULL;
        dpc->Inserted = FALSE;
        dpc->DeferredRoutine(dpc, dpc->DeferredContext, dpc->SystemArgument1, dpc->SystemArgument2);
        KiCurrentIrql = DISPATCH_LEVEL;   /* whatever the routine left it at */
    }
}
