/*
 * amd64 thread contexts: a new kernel thread's first stack (what
 * KiSwapContext pops), and a user thread's first stack and trap frame.
 */
#include "../../inc/ke.h"
#include "../../inc/rtl.h"

ULONG_PTR KiInitializeContextThread(PVOID StackTop, PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
    PULONG_PTR sp = (PULONG_PTR)StackTop;
    *--sp = 0;                              /* alignment: KiThreadStartup starts 8 below 16 */
    *--sp = (ULONG_PTR)KiThreadStartup;     /* KiSwapContext's ret */
    *--sp = (ULONG_PTR)StartRoutine;        /* rbp */
    *--sp = (ULONG_PTR)StartContext;        /* rbx */
    *--sp = 0;                              /* rsi */
    *--sp = 0;                              /* rdi */
    *--sp = 0;                              /* r12 */
    *--sp = 0;                              /* r13 */
    *--sp = 0;                              /* r14 */
    *--sp = 0;                              /* r15 */
    return (ULONG_PTR)sp;
}

/* The entry point starts as if called: RSP 8 below a 16-byte boundary, home space above it. */
ULONG_PTR KiInitializeUserStack(PVOID StackTopKseg, ULONG_PTR StackTop, ULONG_PTR Argument)
{
    (void)Argument;   /* in RCX */
    PULONG_PTR top = (PULONG_PTR)StackTopKseg;
    for (int i = 1; i <= 6; i++)
        top[-i] = 0;
    return StackTop - 0x30 - 8;
}

PKTRAP_FRAME KiInitializeUserThreadContext(PKTHREAD Thread, PVOID KernelStackTop, ULONG_PTR EntryPoint,
                                           ULONG_PTR UserStack, ULONG_PTR Argument)
{
    PKTRAP_FRAME tf = (PKTRAP_FRAME)((PUCHAR)KernelStackTop - sizeof(KTRAP_FRAME));
    memset(tf, 0, sizeof(*tf));
    tf->Rip = EntryPoint;
    tf->Rcx = Argument;                     /* NtProcessStartup(PPEB): the first argument */
    tf->SegCs = KGDT64_R3_CODE | RPL_USER;
    tf->EFlags = EFLAGS_USER_DEFAULT;
    tf->Rsp = UserStack;
    tf->SegSs = KGDT64_R3_DATA | RPL_USER;
    tf->SegDs = tf->SegEs = KGDT64_R3_DATA | RPL_USER;
    tf->SegFs = KGDT64_R3_CMTEB | RPL_USER;
    tf->SegGs = KGDT64_R3_DATA | RPL_USER;
    Thread->InitialStack = KernelStackTop;
    Thread->TrapFrame = tf;
    Thread->PreviousMode = UserMode;
    return tf;
}
