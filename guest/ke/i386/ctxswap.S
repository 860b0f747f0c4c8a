/*
 * Context switching. The kernel runs with interrupts off (every entry is an
 * interrupt gate or SYSENTER), so a thread is only ever switched out inside
 * KiSwapContext: its callee-saved registers go on its own kernel stack and
 * ESP into the scheduling block; everything else (TSS.Esp0, CR3,
 * KiCurrentThread) the caller has already set for the new thread.
 */
    .text

/* VOID NTAPI KiSwapContext(PULONG SaveEsp, ULONG NewEsp) */
    .globl KiSwapContext
KiSwapContext:
    mov 4(%esp), %eax
    mov 8(%esp), %ecx
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov %esp, (%eax)
    mov %ecx, %esp
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret $8

/*
 * A new thread's first switch "returns" here with EBP = StartRoutine and
 * EBX = StartContext (KeInitializeThread built that frame).
 */
    .globl KiThreadStartup
KiThreadStartup:
    xor %eax, %eax
    push %ebx
    push %ebp
    call KiStartSystemThread          /* stdcall (Routine, Context); never returns */
    ud2
