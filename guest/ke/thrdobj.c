/*
 * Thread initialization for the dispatcher: the scheduling block after
 * KTHREAD, the ring of all threads, and a new thread's first stack frame,
 * shaped like the one KiSwapContext leaves behind, "returning" into
 * KiThreadStartup.
 */
#include "../inc/ke.h"

PKTHREAD KiThreadRing;   /* any thread of the ring; NextThread links them in creation order */
extern KIRQL KiCurrentIrql;

VOID KeInitializeThread(PKTHREAD Thread, PVOID StackTop, PKSTART_ROUTINE StartRoutine, PVOID StartContext,
                        ULONG DirectoryTableBase)
{
    PKSCHEDULING_STATE s = KiThreadScheduling(Thread);
    Thread->InitialStack = StackTop;
    s->DirectoryTableBase = DirectoryTableBase;
    s->WaitObject = NULL;
    s->WaitDeadline = ~0ull;
    s->WaitIrql = PASSIVE_LEVEL;
    if (StartRoutine) {
        PULONG sp = (PULONG)StackTop;
        *--sp = 0;                          /* no return address beyond KiThreadStartup's frame */
        *--sp = (ULONG)KiThreadStartup;     /* KiSwapContext's ret */
        *--sp = (ULONG)StartRoutine;        /* ebp */
        *--sp = (ULONG)StartContext;        /* ebx */
        *--sp = 0;                          /* esi */
        *--sp = 0;                          /* edi */
        s->KernelStack = (ULONG)sp;
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
