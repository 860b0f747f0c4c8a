/*
 * Thread initialization for the dispatcher: the scheduling block after
 * KTHREAD, the ring of all threads; a new thread's first stack frame is the
 * architecture's (KiInitializeContextThread, ke/<arch>/).
 */
#include "../inc/ke.h"

PKTHREAD KiThreadRing;   /* any thread of the ring; NextThread links them in creation order */
extern KIRQL KiCurrentIrql;

VOID KeInitializeThread(PKTHREAD Thread, PVOID StackTop, PKSTART_ROUTINE StartRoutine, PVOID StartContext,
                        ULONG_PTR DirectoryTableBase)
{
    PKSCHEDULING_STATE s = KiThreadScheduling(Thread);
    Thread->InitialStack = StackTop;
    s->DirectoryTableBase = DirectoryTableBase;
    s->WaitObject = NULL;
    s->WaitDeadline = ~0ull;
    s->WaitIrql = PASSIVE_LEVEL;
    if (StartRoutine) {
        s->KernelStack = KiInitializeContextThread(StackTop, StartRoutine, StartContext);
        s->State = Ready;
    } else {
        s->State = Running;
    }
    /* append to the ring, after the last thread created */
    if (!KiThreadRing) {
        s->NextThread = Thread;
        KiThreadRing = Thread;
    } else {
        PKTHREAD last = KiThreadRing;
        while (KiThreadScheduling(last)->NextThread != KiThreadRing)
            last = KiThreadScheduling(last)->NextThread;
        s->NextThread = KiThreadRing;
        KiThreadScheduling(last)->NextThread = Thread;
    }
}

/* Where a new system thread begins, at PASSIVE_LEVEL in kernel mode. */
__attribute__((noreturn)) void NTAPI KiStartSystemThread(PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
    KiCurrentIrql = PASSIVE_LEVEL;
    KeGetCurrentThread()->PreviousMode = KernelMode;
    StartRoutine(StartContext);
    KeTerminateThread();
}
