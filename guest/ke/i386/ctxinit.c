/*
 * i386 thread contexts: a new kernel thread's first stack (what KiSwapContext
 * pops), and a user thread's first stack and trap frame.
 */
#include "../../inc/ke.h"
#include "../../inc/rtl.h"

ULONG_PTR KiInitializeContextThread(PVOID StackTop, PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
    PULONG sp = (PULONG)StackTop;
    *--sp = 0;                          /* no return address beyond KiThreadStartup's frame */
    *--sp = (ULONG)KiThreadStartup;     /* KiSwapContext's ret */
    *--sp = (ULONG)StartRoutine;        /* ebp */
    *--sp = (ULONG)StartContext;        /* ebx */
    *--sp = 0;                          /* esi */
    *--sp = 0;                          /* edi */
    return (ULONG_PTR)sp;
}

/* [esp] = no return address, [esp+4] = the argument: NtProcessStartup(PPEB) is stdcall */
ULONG_PTR KiInitializeUserStack(PVOID StackTopKseg, ULONG_PTR StackTop, ULONG_PTR Argument)
{
    PULONG top = (PULONG)StackTopKseg;
    top[-1] = Argument;
    top[-2] = 0;
    return StackTop - 8;
}

PKTRAP_FRAME KiInitializeUserThreadContext(PKTHREAD Thread, PVOID KernelStackTop, ULONG_PTR EntryPoint,
                                           ULONG_PTR UserStack, ULONG_PTR Argument)
{
    (void)Argument;   /* on the user stack already */
    PKTRAP_FRAME tf = (PKTRAP_FRAME)((PUCHAR)KernelStackTop - sizeof(KTRAP_FRAME));
    memset(tf, 0, sizeof(*tf));
    tf->Eip = EntryPoint;
    tf->SegCs = KGDT_R3_CODE | RPL_USER;
    tf->EFlags = EFLAGS_USER_DEFAULT;
    tf->HardwareEsp = UserStack;
    tf->HardwareSegSs = KGDT_R3_DATA | RPL_USER;
    tf->SegDs = tf->SegEs = KGDT_R3_DATA | RPL_USER;
    tf->SegFs = KGDT_R3_TEB | RPL_USER;
    Thread->InitialStack = KernelStackTop;
    Thread->TrapFrame = tf;
    Thread->PreviousMode = UserMode;
    return tf;
}
