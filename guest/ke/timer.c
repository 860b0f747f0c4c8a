/*
 * Timers: dispatcher objects that become signalled at a due time, checked
 * on every clock tick; an expired timer with a DPC queues it, which is how
 * a driver gets periodic or delayed work started from interrupt level.
 */
#include "../inc/ke.h"
#include "../inc/hal.h"

#define KI_TIMER_OBJECT 8   /* DISPATCHER_HEADER.Type of a timer (NT's TimerNotificationObject) */

static PKTIMER KiTimerListHead;

ULONGLONG KiDueTimeToInterruptTime(LONGLONG DueTime)
{
    ULONGLONG now = KeQueryInterruptTime();
    if (DueTime <= 0)
        return now + (ULONGLONG)(-DueTime);
    LONGLONG ahead = DueTime - HalQuerySystemTime();
    return ahead <= 0 ? now : now + (ULONGLONG)ahead;
}

VOID NTAPI KeInitializeTimer(PKTIMER Timer)
{
    Timer->Header.Type = KI_TIMER_OBJECT;
    Timer->Header.SignalState = 0;
    Timer->Dpc = NULL;
    Timer->Next = NULL;
    Timer->Inserted = FALSE;
}

BOOLEAN NTAPI KeCancelTimer(PKTIMER Timer)
{
    if (!Timer->Inserted)
        return FALSE;
    for (PKTIMER *link = &KiTimerListHead; *link; link = &(*link)->Next) {
        if (*link == Timer) {
            *link = Timer->Next;
            break;
        }
    }
    Timer->Inserted = FALSE;
    return TRUE;
}

BOOLEAN NTAPI KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc)
{
    BOOLEAN wasSet = KeCancelTimer(Timer);
    Timer->Header.SignalState = 0;
    Timer->DueTime = KiDueTimeToInterruptTime(DueTime.QuadPart);
    Timer->Dpc = Dpc;
    Timer->Next = KiTimerListHead;
    Timer->Inserted = TRUE;
    KiTimerListHead = Timer;
    return wasSet;
}

void KiCheckTimers(ULONGLONG InterruptTime)
{
    PKTIMER *link = &KiTimerListHead;
    while (*link) {
        PKTIMER timer = *link;
        if (timer->DueTime > InterruptTime) {
            link = &timer->Next;
            continue;
        }
        *link = timer->Next;
        timer->Inserted = FALSE;
        timer->Header.SignalState = 1;
        if (timer->Dpc)
            KeInsertQueueDpc(timer->Dpc, (PVOID)(ULONG)InterruptTime, (PVOID)(ULONG)(InterruptTime >> 32));
    }
}
