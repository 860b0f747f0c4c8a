/*
 * Waiting. With one thread to run, a thread that must wait lets the
 * processor sleep: STI; HLT wakes at the next interrupt (the STI shadow
 * makes the pair atomic, so no tick is lost), then the condition and the
 * deadline are checked again. A wait for something nobody will signal,
 * without a timeout, sleeps forever -- as it would on NT.
 */
#include "../inc/ke.h"
#include "../inc/hal.h"

#define KI_INFINITE ((ULONGLONG)-1)

static void KiIdleUntilInterrupt(void)
{
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* The interrupt time at which Timeout expires; KI_INFINITE for NULL. */
static ULONGLONG KiDeadline(PLARGE_INTEGER Timeout)
{
    if (!Timeout)
        return KI_INFINITE;
    ULONGLONG now = KeQueryInterruptTime();
    if (Timeout->QuadPart <= 0)
        return now + (ULONGLONG)(-Timeout->QuadPart);
    /* absolute system time: how far it lies ahead of the clock now */
    LONGLONG ahead = Timeout->QuadPart - HalQuerySystemTime();
    return ahead <= 0 ? now : now + (ULONGLONG)ahead;
}

static BOOLEAN KiSatisfyWait(DISPATCHER_HEADER *Header)
{
    if (Header->SignalState <= 0)
        return FALSE;
    if (Header->Type == EventSynchronizationObject)
        Header->SignalState = 0;
    return TRUE;
}

NTSTATUS NTAPI KeWaitForSingleObject(PVOID Object, ULONG WaitReason, KPROCESSOR_MODE WaitMode,
                                     BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    (void)WaitReason;
    (void)WaitMode;
    (void)Alertable;   /* no APCs yet: nothing can alert the wait */
    ULONGLONG deadline = KiDeadline(Timeout);
    for (;;) {
        if (Object && KiSatisfyWait((DISPATCHER_HEADER *)Object))
            return STATUS_SUCCESS;
        if (deadline != KI_INFINITE && KeQueryInterruptTime() >= deadline)
            return STATUS_TIMEOUT;
        KiIdleUntilInterrupt();
    }
}

NTSTATUS NTAPI KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval)
{
    NTSTATUS status = KeWaitForSingleObject(NULL, 0, WaitMode, Alertable, Interval);
    return status == STATUS_TIMEOUT ? STATUS_SUCCESS : status;
}
