/*
 * Context switching, amd64. The kernel runs with interrupts off, so a thread
 * is only ever switched out inside KiSwapContext: its callee-saved registers
 * (the x64 convention's RBX, RBP, RDI, RSI, R12-R15) go on its own kernel
 * stack and RSP into the scheduling block; TSS.Rsp0, the KPCR's RspBase, CR3
 * and KiCurrentThread the caller has already set for the new thread.
 */
    .text

/* VOID KiSwapContext(PULONG_PTR SaveSp (RCX), ULONG_PTR NewSp (RDX)) */
    .globl KiSwapContext
KiSwapContext:
    push %rbp
    push %rbx
    push %rsi
    push %rdi
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rcx)
    mov %rdx, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rdi
    pop %rsi
    pop %rbx
    pop %rbp
    ret

/*
 * A new thread's first switch "returns" here with RBP = StartRoutine and
 * RBX = StartContext (KiInitializeContextThread built that frame).
 */
    .globl KiThreadStartup
KiThreadStartup:
    mov %rbp, %rcx
    mov %rbx, %rdx
    sub $0x28, %rsp                     /* home space, and RSP 16-aligned at the call */
    call KiStartSystemThread            /* (Routine, Context); never returns */
    ud2
