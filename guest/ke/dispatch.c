/*
 * The dispatcher: which thread runs. Round-robin over the ring of threads
 * in creation order, deterministic for tests: a thread runs until it waits
 * (the kernel is not pre-emptible: it runs with interrupts off) or, in user
 * mode, until the next clock tick finds another thread runnable. A waiting
 * thread is runnable once its object is signalled or its deadline passed;
 * it re-checks (and consumes) the object itself when it runs again. With
 * nothing runnable the processor sleeps in STI; HLT until an interrupt.
 */
#include "../inc/ke.h"

extern PKTHREAD KiThreadRing;
extern KIRQL KiCurrentIrql;

static BOOLEAN KiIsRunnable(PKTHREAD Thread)
{
    PKSCHEDULING_STATE s = KiThreadScheduling(Thread);
    if (s->State == Ready)
        return TRUE;
    if (s->State != Waiting)
        return FALSE;
    if (s->WaitObject && ((DISPATCHER_HEADER *)s->WaitObject)->SignalState > 0)
        return TRUE;
    return s->WaitDeadline != ~0ull && KeQueryInterruptTime() >= s->WaitDeadline;
}

/* The next runnable thread after the current one in the ring, or NULL. */
static PKTHREAD KiSelectNextThread(void)
{
    PKTHREAD current = KeGetCurrentThread();
    PKTHREAD t = KiThreadScheduling(current)->NextThread;
    for (; t && t != current; t = KiThreadScheduling(t)->NextThread)
        if (KiIsRunnable(t))
            return t;
    return NULL;
}

/* Switches from the current thread (its State already set) to Next. */
static void KiSwitchTo(PKTHREAD Next)
{
    PKTHREAD current = KeGetCurrentThread();
    PKSCHEDULING_STATE old = KiThreadScheduling(current), new = KiThreadScheduling(Next);
    old->WaitIrql = KiCurrentIrql;
    new->State = Running;
    KiSetKernelStack(Next->InitialStack);   /* TSS.Esp0: INT and SYSENTER (via KiTss) land on its stack */
    if (new->DirectoryTableBase != __readcr3())
        __writecr3(new->DirectoryTableBase);
    KiCurrentThread = Next;
    KiSwapContext(&old->KernelStack, new->KernelStack);
    /* back on this thread */
    KiCurrentIrql = old->WaitIrql;
}

VOID KiSwapThread(void)
{
    PKTHREAD next = KiSelectNextThread();
    if (next) {
        KiSwitchTo(next);
        return;
    }
    /* nobody else: sleep until the next interrupt (the STI shadow makes STI; HLT atomic) */
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}

VOID KiQuantumEnd(void)
{
    PKTHREAD next = KiSelectNextThread();
    if (!next)
        return;
    KiThreadScheduling(KeGetCurrentThread())->State = Ready;
    KiSwitchTo(next);
}

VOID KiHandOffBootThread(PKTHREAD Next)
{
    KiThreadScheduling(KeGetCurrentThread())->State = Terminated;
    KiThreadScheduling(Next)->State = Running;
    KiSetKernelStack(Next->InitialStack);
    __writecr3(KiThreadScheduling(Next)->DirectoryTableBase);
    KiCurrentThread = Next;
}

VOID KeTerminateThread(void)
{
    KiThreadScheduling(KeGetCurrentThread())->State = Terminated;
    for (;;)
        KiSwapThread();
}

/* Another runnable thread gets the rest of this quantum. */
NTSTATUS NTAPI NtYieldExecution(void)
{
    PKTHREAD next = KiSelectNextThread();
    if (!next)
        return STATUS_NO_YIELD_PERFORMED;
    KiThreadScheduling(KeGetCurrentThread())->State = Ready;
    KiSwitchTo(next);
    return STATUS_SUCCESS;
}
