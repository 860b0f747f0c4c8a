/*
 * Waiting. A thread whose object is not signalled records what it waits
 * for and its deadline, and gives the processor to the dispatcher
 * (KiSwapThread: another runnable thread, or STI; HLT until an interrupt);
 * when it runs again it checks once more. A wait for something nobody will
 * signal, without a timeout, sleeps forever -- as it would on NT.
 */
#include "../inc/ke.h"
#include "../inc/hal.h"

#define KI_INFINITE ((ULONGLONG)-1)

static BOOLEAN KiSatisfyWait(DISPATCHER_HEADER *Header)
{
    if (Header->SignalState <= 0)
        return FALSE;
    if (Header->Type == EventSynchronizationObject || Header->Type == TimerSynchronizationObject)
        Header->SignalState = 0;
    return TRUE;
}

NTSTATUS NTAPI KeWaitForSingleObject(PVOID Object, ULONG WaitReason, KPROCESSOR_MODE WaitMode,
                                     BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    (void)WaitReason;
    (void)WaitMode;
    (void)Alertable;   /* no APCs yet: nothing can alert the wait */
    ULONGLONG deadline = Timeout ? KiDueTimeToInterruptTime(Timeout->QuadPart) : KI_INFINITE;
    PKSCHEDULING_STATE s = KiThreadScheduling(KeGetCurrentThread());

    /* a thread cannot sleep at DISPATCH_LEVEL or above: nothing could switch back to it */
    if (KeGetCurrentIrql() >= DISPATCH_LEVEL && !(Timeout && Timeout->QuadPart == 0))
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)Object, KeGetCurrentIrql(), 0,
                     (ULONG_PTR)__builtin_return_address(0));
    for (;;) {
        if (Object && KiSatisfyWait((DISPATCHER_HEADER *)Object))
            break;
        if (deadline != KI_INFINITE && KeQueryInterruptTime() >= deadline) {
            s->State = Running;
            s->WaitObject = NULL;
            return STATUS_TIMEOUT;
        }
        s->State = Waiting;
        s->WaitObject = Object;
        s->WaitDeadline = deadline;
        KiSwapThread();
    }
    s->State = Running;
    s->WaitObject = NULL;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval)
{
    NTSTATUS status = KeWaitForSingleObject(NULL, 0, WaitMode, Alertable, Interval);
    return status == STATUS_TIMEOUT ? STATUS_SUCCESS : status;
}
