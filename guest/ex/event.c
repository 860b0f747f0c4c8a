/*
 * Event objects for user mode: NtCreateEvent, NtSetEvent, NtResetEvent,
 * NtClearEvent. The object body is the KEVENT itself, so a handle's object
 * can be waited on directly.
 */
#include "../inc/ke.h"
#include "../inc/mm.h"
#include "../inc/ob.h"
#include "../inc/ex.h"


OBJECT_TYPE ExEventObjectType[1] = { {
    "Event",
    { READ_CONTROL | EVENT_QUERY_STATE, READ_CONTROL | EVENT_MODIFY_STATE, READ_CONTROL | SYNCHRONIZE,
      EVENT_ALL_ACCESS },
    EVENT_ALL_ACCESS, NULL, NULL, 0, 0,
} };

/* Writes a new handle to the caller; if that fails, the handle is closed again. */
NTSTATUS ExpReturnHandle(PHANDLE UserHandle, HANDLE Handle)
{
    NTSTATUS status = MmCopyToCaller(UserHandle, &Handle, sizeof(Handle), sizeof(ULONG));
    if (!NT_SUCCESS(status))
        ObCloseHandle(Handle, KernelMode);
    return status;
}

NTSTATUS NTAPI NtCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                             EVENT_TYPE EventType, BOOLEAN InitialState)
{
    KPROCESSOR_MODE mode = KeGetPreviousMode();
    OB_CAPTURED_ATTRIBUTES oa;
    PKEVENT event;
    HANDLE handle;

    if (EventType != NotificationEvent && EventType != SynchronizationEvent)
        return STATUS_INVALID_PARAMETER;
    if (mode == UserMode) {
        NTSTATUS probe = ProbeForWrite(EventHandle, sizeof(HANDLE), sizeof(ULONG));
        if (!NT_SUCCESS(probe))
            return probe;
    }
    NTSTATUS status = ObpCaptureObjectAttributes(ObjectAttributes, mode, &oa);
    if (!NT_SUCCESS(status))
        return status;
    /* no object namespace yet: events are anonymous */
    if (oa.ObjectName.Length) {
        ObpReleaseCapturedAttributes(&oa);
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    }
    status = ObCreateObject(ExEventObjectType, sizeof(KEVENT), (PVOID *)&event);
    if (NT_SUCCESS(status)) {
        KeInitializeEvent(event, EventType, InitialState);
        status = ObInsertObject(event, DesiredAccess, oa.Attributes, &handle);
    }
    ObpReleaseCapturedAttributes(&oa);
    if (!NT_SUCCESS(status))
        return status;
    return ExpReturnHandle(EventHandle, handle);
}

typedef LONG (NTAPI *EXP_EVENT_OPERATION)(PKEVENT Event);

static LONG NTAPI ExpSet(PKEVENT Event) { return KeSetEvent(Event, 0, FALSE); }

static NTSTATUS ExpChangeEvent(HANDLE EventHandle, PLONG PreviousState, EXP_EVENT_OPERATION Operation)
{
    KPROCESSOR_MODE mode = KeGetPreviousMode();
    PKEVENT event;
    if (PreviousState && mode == UserMode) {
        NTSTATUS probe = ProbeForWrite(PreviousState, sizeof(LONG), sizeof(ULONG));
        if (!NT_SUCCESS(probe))
            return probe;
    }
    NTSTATUS status = ObReferenceObjectByHandle(EventHandle, EVENT_MODIFY_STATE, ExEventObjectType, mode,
                                                (PVOID *)&event, NULL);
    if (!NT_SUCCESS(status))
        return status;
    LONG previous = Operation(event);
    ObDereferenceObject(event);
    if (PreviousState)
        status = MmCopyToCaller(PreviousState, &previous, sizeof(previous), sizeof(ULONG));
    return status;
}

NTSTATUS NTAPI NtSetEvent(HANDLE EventHandle, PLONG PreviousState)
{
    return ExpChangeEvent(EventHandle, PreviousState, ExpSet);
}

NTSTATUS NTAPI NtResetEvent(HANDLE EventHandle, PLONG PreviousState)
{
    return ExpChangeEvent(EventHandle, PreviousState, KeResetEvent);
}

NTSTATUS NTAPI NtClearEvent(HANDLE EventHandle)
{
    return ExpChangeEvent(EventHandle, NULL, KeResetEvent);
}
