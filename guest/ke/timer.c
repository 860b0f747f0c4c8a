/*
 * Timers: dispatcher objects that become signalled at a due time, checked
 * on every clock tick; an expired timer with a DPC queues it, which is how
 * a driver gets periodic or delayed work started from interrupt level. A
 * KTIMER has wdm.h's layout (drivers embed it): Header.Inserted says it is
 * in the timer list, through TimerListEntry.
 */
#include "../inc/ke.h"
#include "../inc/hal.h"

#define KI_MS_TO_100NS 10000

static LIST_ENTRY KiTimerListHead = { &KiTimerListHead, &KiTimerListHead };

ULONGLONG KiDueTimeToInterruptTime(LONGLONG DueTime)
{
    ULONGLONG now = KeQueryInterruptTime();
    if (DueTime <= 0)
        return now + (ULONGLONG)(-DueTime);
    LONGLONG ahead = DueTime - HalQuerySystemTime();
    return ahead <= 0 ? now : now + (ULONGLONG)ahead;
}

VOID NTAPI KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type)
{
    Timer->Header.Type = Type == SynchronizationTimer ? TimerSynchronizationObject : TimerNotificationObject;
    Timer->Header.Absolute = FALSE;
    Timer->Header.Size = sizeof(KTIMER) / sizeof(LONG);
    Timer->Header.Inserted = FALSE;
    Timer->Header.SignalState = 0;
    InitializeListHead(&Timer->Header.WaitListHead);
    Timer->DueTime.QuadPart = 0;
    Timer->Dpc = NULL;
    Timer->Period = 0;
}

VOID NTAPI KeInitializeTimer(PKTIMER Timer)
{
    KeInitializeTimerEx(Timer, NotificationTimer);
}

BOOLEAN NTAPI KeCancelTimer(PKTIMER Timer)
{
    if (!Timer->Header.Inserted)
        return FALSE;
    RemoveEntryList(&Timer->TimerListEntry);
    Timer->Header.Inserted = FALSE;
    return TRUE;
}

static VOID KiInsertTimer(PKTIMER Timer, ULONGLONG InterruptTime)
{
    Timer->DueTime.QuadPart = InterruptTime;
    Timer->Header.Inserted = TRUE;
    InsertTailList(&KiTimerListHead, &Timer->TimerListEntry);
}

BOOLEAN NTAPI KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    BOOLEAN wasSet = KeCancelTimer(Timer);
    Timer->Header.SignalState = 0;
    Timer->Header.Absolute = DueTime.QuadPart > 0;
    Timer->Dpc = Dpc;
    Timer->Period = Period > 0 ? Period : 0;
    KiInsertTimer(Timer, KiDueTimeToInterruptTime(DueTime.QuadPart));
    return wasSet;
}

BOOLEAN NTAPI KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc)
{
    return KeSetTimerEx(Timer, DueTime, 0, Dpc);
}

BOOLEAN NTAPI KeReadStateTimer(PKTIMER Timer)
{
    return Timer->Header.SignalState != 0;
}

/* From the clock interrupt: signal due timers, queue their DPCs, set periodic ones again. */
void KiCheckTimers(ULONGLONG InterruptTime)
{
    LIST_ENTRY expired;
    InitializeListHead(&expired);
    for (PLIST_ENTRY e = KiTimerListHead.Flink, next; e != &KiTimerListHead; e = next) {
        next = e->Flink;
        if (CONTAINING_RECORD(e, KTIMER, TimerListEntry)->DueTime.QuadPart > InterruptTime)
            continue;
        RemoveEntryList(e);
        InsertTailList(&expired, e);
    }
    while (!IsListEmpty(&expired)) {
        PKTIMER timer = CONTAINING_RECORD(RemoveHeadList(&expired), KTIMER, TimerListEntry);
        timer->Header.Inserted = FALSE;
        timer->Header.SignalState = 1;
        if (timer->Period)
            KiInsertTimer(timer, InterruptTime + (ULONGLONG)timer->Period * KI_MS_TO_100NS);
        if (timer->Dpc)
            KeInsertQueueDpc(timer->Dpc, (PVOID)(ULONG_PTR)(ULONG)InterruptTime, (PVOID)(ULONG_PTR)(ULONG)(InterruptTime >> 32));
    }
}
