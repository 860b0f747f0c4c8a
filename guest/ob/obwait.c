/*
 * NtWaitForSingleObject: the handle must grant SYNCHRONIZE and name a
 * dispatcher object (an event, so far); the timeout is captured from the
 * caller before anything waits.
 */
#include "../inc/ke.h"
#include "../inc/mm.h"
#include "../inc/ob.h"

extern OBJECT_TYPE ExEventObjectType[1];

NTSTATUS NTAPI NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    KPROCESSOR_MODE mode = KeGetPreviousMode();
    LARGE_INTEGER timeout;
    PVOID object;

    if (Timeout) {
        NTSTATUS status = MmCopyFromCaller(&timeout, Timeout, sizeof(timeout), sizeof(ULONG));
        if (!NT_SUCCESS(status))
            return status;
    }
    NTSTATUS status = ObReferenceObjectByHandle(Handle, SYNCHRONIZE, NULL, mode, &object, NULL);
    if (!NT_SUCCESS(status))
        return status;
    if (ObGetObjectType(object) != ExEventObjectType) {
        ObDereferenceObject(object);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    status = KeWaitForSingleObject(object, 0, mode, Alertable, Timeout ? &timeout : NULL);
    ObDereferenceObject(object);
    return status;
}
