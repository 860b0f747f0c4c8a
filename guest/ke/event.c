/*
 * Events, the simplest dispatcher objects: a notification event stays
 * signalled until reset and releases every waiter; a synchronization event
 * releases one wait and resets itself. KEVENT has wdm.h's layout: drivers
 * embed it.
 */
#include "../inc/ke.h"

VOID NTAPI KeInitializeEvent(PKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    Event->Header.Type = Type == SynchronizationEvent ? EventSynchronizationObject : EventNotificationObject;
    Event->Header.Absolute = 0;
    Event->Header.Size = sizeof(KEVENT) / sizeof(LONG);
    Event->Header.Inserted = 0;
    Event->Header.SignalState = State ? 1 : 0;
    InitializeListHead(&Event->Header.WaitListHead);
}

LONG NTAPI KeSetEvent(PKEVENT Event, LONG Increment, BOOLEAN Wait)
{
    (void)Increment;   /* priority boost for the woken thread: one thread, nothing to boost */
    (void)Wait;
    LONG previous = Event->Header.SignalState;
    Event->Header.SignalState = 1;
    return previous;
}

LONG NTAPI KeResetEvent(PKEVENT Event)
{
    LONG previous = Event->Header.SignalState;
    Event->Header.SignalState = 0;
    return previous;
}

VOID NTAPI KeClearEvent(PKEVENT Event)
{
    Event->Header.SignalState = 0;
}

LONG NTAPI KeReadStateEvent(PKEVENT Event)
{
    return Event->Header.SignalState;
}
