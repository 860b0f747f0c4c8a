/*
 * Trap entry and system service dispatch, amd64: the exception stubs, the
 * clock interrupt, KiDebugService (INT 2Dh), KiSystemCall64 (SYSCALL through
 * LSTAR), KiSystemService (INT 2Eh, DPL 3), KiServiceInternal (kernel-mode
 * ZwXxx), KiServiceExit (SYSRETQ, or IRETQ where the frame says so) and
 * KiSafeCopy. Every entry builds NT's x64 KTRAP_FRAME (amd64.h) at RSP and
 * points RBP at it; its P1Home..P4Home are the home space of the C routine
 * called with it. Entries from ring 3 SWAPGS to reach the KPCR.
 */
#include <nt/layout.h>
#include <nt/ntstatus.h>
#include "../../inc/ke.h"

#define KI_SYSCALL64_FRAME  0x100        /* TrapNumber of a frame KiSystemCall64 built: SYSRETQ may return */

/* Below the hardware frame and error code: the rest of the frame, the registers in it. */
.macro KI_SAVE_REGISTERS
    mov %rax, KTRAP_FRAME_RAX(%rsp)
    mov %rcx, KTRAP_FRAME_RCX(%rsp)
    mov %rdx, KTRAP_FRAME_RDX(%rsp)
    mov %r8, KTRAP_FRAME_R8(%rsp)
    mov %r9, KTRAP_FRAME_R9(%rsp)
    mov %r10, KTRAP_FRAME_R10(%rsp)
    mov %r11, KTRAP_FRAME_R11(%rsp)
    mov %rbx, KTRAP_FRAME_RBX(%rsp)
    mov %rdi, KTRAP_FRAME_RDI(%rsp)
    mov %rsi, KTRAP_FRAME_RSI(%rsp)
    mov %rbp, KTRAP_FRAME_RBP(%rsp)
    mov %rsp, %rbp
    cld
.endm

.macro KI_RESTORE_REGISTERS
    mov KTRAP_FRAME_RAX(%rbp), %rax
    mov KTRAP_FRAME_RCX(%rbp), %rcx
    mov KTRAP_FRAME_RDX(%rbp), %rdx
    mov KTRAP_FRAME_R8(%rbp), %r8
    mov KTRAP_FRAME_R9(%rbp), %r9
    mov KTRAP_FRAME_R10(%rbp), %r10
    mov KTRAP_FRAME_R11(%rbp), %r11
    mov KTRAP_FRAME_RBX(%rbp), %rbx
    mov KTRAP_FRAME_RDI(%rbp), %rdi
    mov KTRAP_FRAME_RSI(%rbp), %rsi
    mov %rbp, %rsp
    mov KTRAP_FRAME_RBP(%rsp), %rbp
.endm

/* An interrupt gate's entry: the CPU pushed SS, RSP, RFLAGS, CS, RIP (and maybe an error code). */
.macro KI_ENTER_TRAP vector
    sub $KTRAP_FRAME_ERROR_CODE, %rsp
    movl $\vector, KTRAP_FRAME_TRAP_NUMBER(%rsp)
    testb $RPL_USER, KTRAP_FRAME_SEG_CS(%rsp)
    jz 1f
    swapgs
1:  KI_SAVE_REGISTERS
.endm

/* Back through the frame at RBP with IRETQ (SWAPGS first when it returns to ring 3). */
.macro KI_EXIT_TRAP
    KI_RESTORE_REGISTERS
    testb $RPL_USER, KTRAP_FRAME_SEG_CS(%rsp)
    jz 1f
    swapgs
1:  add $(KTRAP_FRAME_ERROR_CODE + 8), %rsp
    iretq
.endm

/* CPU exceptions 0-31; those without an error code push a zero. */
.macro KI_TRAP vector, has_error_code
KiTrap\vector:
    .if !\has_error_code
    push $0
    .endif
    KI_ENTER_TRAP \vector
    jmp KiTrapCommon
.endm

    .text
    KI_TRAP 0, 0
    KI_TRAP 1, 0
    KI_TRAP 2, 0
    KI_TRAP 3, 0
    KI_TRAP 4, 0
    KI_TRAP 5, 0
    KI_TRAP 6, 0
    KI_TRAP 7, 0
    KI_TRAP 8, 1
    KI_TRAP 9, 0
    KI_TRAP 10, 1
    KI_TRAP 11, 1
    KI_TRAP 12, 1
    KI_TRAP 13, 1
    KI_TRAP 14, 1
    KI_TRAP 15, 0
    KI_TRAP 16, 0
    KI_TRAP 17, 1
    KI_TRAP 18, 0
    KI_TRAP 19, 0
    KI_TRAP 20, 0
    KI_TRAP 21, 1
    KI_TRAP 22, 0
    KI_TRAP 23, 0
    KI_TRAP 24, 0
    KI_TRAP 25, 0
    KI_TRAP 26, 0
    KI_TRAP 27, 0
    KI_TRAP 28, 0
    KI_TRAP 29, 1
    KI_TRAP 30, 1
    KI_TRAP 31, 0

KiTrapCommon:
    mov %rbp, %rcx
    call KiTrapDispatch
    KI_EXIT_TRAP

/* KiClockInterruptEntry: IRQ 0 from the PIT through the 8259 at vector 0x30. */
    .globl KiClockInterruptEntry
KiClockInterruptEntry:
    push $0
    KI_ENTER_TRAP PRIMARY_VECTOR_BASE
    mov %rbp, %rcx
    call KiClockInterrupt
    KI_EXIT_TRAP

/* KiDebugService: INT 2Dh (EAX = what, RCX and RDX its arguments); not a system service. */
    .globl KiDebugService
KiDebugService:
    push $0
    KI_ENTER_TRAP IDT_DEBUG_SERVICE
    mov %rbp, %rcx
    call KiDebugServiceDispatch
    KI_EXIT_TRAP

    .section .rodata
    .align 8
    .globl KiTrapHandlers
KiTrapHandlers:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad KiTrap\v
    .endr
    .text

/*
 * KiSystemCall64: SYSCALL from ring 3 through LSTAR. RCX holds the caller's
 * RIP and R11 its RFLAGS; RSP is still the caller's. SWAPGS reaches the KPCR,
 * whose RspBase is the thread's kernel stack; there the frame gets the tail
 * an interrupt would have pushed, then joins the common dispatch. EAX is the
 * service number, R10 (the caller's RCX), RDX, R8, R9 the first four
 * arguments, [user RSP + 0x28] the fifth.
 */
    .globl KiSystemCall64
    .align 16
KiSystemCall64:
    swapgs
    mov %rsp, %gs:KPCR_USER_RSP
    mov %gs:KPCR_RSP_BASE, %rsp
    push $(KGDT64_R3_DATA | RPL_USER)    /* SegSs */
    push %gs:KPCR_USER_RSP               /* Rsp */
    push %r11                            /* EFlags */
    push $(KGDT64_R3_CODE | RPL_USER)    /* SegCs */
    push %rcx                            /* Rip */
    push $0                              /* ErrorCode */
    sub $KTRAP_FRAME_ERROR_CODE, %rsp
    movl $KI_SYSCALL64_FRAME, KTRAP_FRAME_TRAP_NUMBER(%rsp)
    KI_SAVE_REGISTERS
    jmp KiSystemServiceStart

/* KiSystemService: INT 2Eh from ring 3 (Windows 10's stubs when SharedUserData says so). */
    .globl KiSystemService
    .align 16
KiSystemService:
    push $0
    KI_ENTER_TRAP IDT_SYSTEM_SERVICE
    jmp KiSystemServiceStart

/*
 * KiServiceInternal: a kernel-mode ZwXxx stub built an interrupt frame
 * (KGDT64_R0_CODE, its caller's RSP and RFLAGS, KiServiceLinkage) and
 * jumped here with the number in EAX and the arguments where the caller put
 * them: previous mode becomes Kernel.
 */
    .globl KiServiceInternal
    .align 16
KiServiceInternal:
    push $0
    sub $KTRAP_FRAME_ERROR_CODE, %rsp
    movl $IDT_SYSTEM_SERVICE, KTRAP_FRAME_TRAP_NUMBER(%rsp)
    mov %rcx, %r10
    KI_SAVE_REGISTERS

KiSystemServiceStart:
    /* previous mode := mode of the caller's CS; the old one is kept in the frame */
    mov KiCurrentThread(%rip), %rsi
    movzbl KTHREAD_PREVIOUS_MODE(%rsi), %ecx
    movb %cl, KTRAP_FRAME_PREVIOUS_MODE(%rbp)
    movzbl KTRAP_FRAME_SEG_CS(%rbp), %ecx
    and $1, %ecx
    movb %cl, KTHREAD_PREVIOUS_MODE(%rsi)

    /* descriptor table from bits 12-13, index from bits 0-11 */
    mov %eax, %edi
    shr $SERVICE_TABLE_SHIFT, %edi
    and $SERVICE_TABLE_MASK, %edi
    lea KeServiceDescriptorTable(%rip), %rbx
    add %rbx, %rdi
    mov %eax, %ebx
    and $SERVICE_NUMBER_MASK, %ebx
    cmp KSERVICE_TABLE_LIMIT(%rdi), %ebx
    jae KiInvalidSystemService

    /* the compacted entry: the routine at KiServiceTable + (entry >> 4), entry & 15 stack arguments */
    mov KSERVICE_TABLE_BASE(%rdi), %rdi
    movslq (%rdi, %rbx, 4), %r11
    mov %r11, %rcx
    and $15, %ecx
    sar $4, %r11
    add %rdi, %r11

    /* the stack arguments, at the caller's RSP + 0x28; a user caller's must lie below MmUserProbeAddress */
    mov KTRAP_FRAME_RSP(%rbp), %rsi
    add $AMD64_SERVICE_STACK_ARGS, %rsi
    testb $RPL_USER, KTRAP_FRAME_SEG_CS(%rbp)
    jz 1f
    lea (%rsi, %rcx, 8), %rax
    cmp %rsi, %rax
    jb KiSystemServiceAccessViolation
    movabs $MM_USER_PROBE_ADDRESS, %rdi
    cmp %rdi, %rax
    ja KiSystemServiceAccessViolation
1:
    lea 0x20(, %rcx, 8), %rax            /* home space and the stack arguments, 16-aligned */
    add $15, %rax
    and $~15, %rax
    sub %rax, %rsp
    lea 0x20(%rsp), %rdi
    .globl KiSystemServiceCopyArguments
KiSystemServiceCopyArguments:            /* a fault here ends in KiSystemServiceAccessViolation */
    rep movsq
    mov %r10, %rcx
    .globl KiSystemServiceCall
KiSystemServiceCall:
    call *%r11

    .globl KiServiceExit
KiServiceExit:
    mov %rax, KTRAP_FRAME_RAX(%rbp)
    mov KiCurrentThread(%rip), %rsi
    movb KTRAP_FRAME_PREVIOUS_MODE(%rbp), %cl
    movb %cl, KTHREAD_PREVIOUS_MODE(%rsi)
    mov %rbp, %rsp

    /* SYSRETQ only for a frame KiSystemCall64 built, unchanged in what SYSRETQ cannot restore */
    cmpl $KI_SYSCALL64_FRAME, KTRAP_FRAME_TRAP_NUMBER(%rbp)
    jne KiServiceExitIret
    testl $EFLAGS_TF, KTRAP_FRAME_EFLAGS(%rbp)
    jnz KiServiceExitIret
    movabs $MM_USER_PROBE_ADDRESS, %rcx
    cmp %rcx, KTRAP_FRAME_RIP(%rbp)      /* a canonical user RIP, or SYSRETQ faults in ring 0 (Intel) */
    jae KiServiceExitIret

/*
 * KiSystemCallExit: SYSRETQ takes RIP from RCX and RFLAGS from R11; RSP is
 * ours to restore. The volatile registers go back zeroed but for RAX: the
 * caller must not see kernel values in them.
 */
    .globl KiSystemCallExit
KiSystemCallExit:
    mov KTRAP_FRAME_RBX(%rbp), %rbx
    mov KTRAP_FRAME_RDI(%rbp), %rdi
    mov KTRAP_FRAME_RSI(%rbp), %rsi
    mov KTRAP_FRAME_RIP(%rbp), %rcx
    mov KTRAP_FRAME_EFLAGS(%rbp), %r11d
    xor %edx, %edx
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    mov KTRAP_FRAME_RSP(%rbp), %rsp
    mov KTRAP_FRAME_RBP(%rbp), %rbp
    swapgs
    .globl KiSystemCallSysRet
KiSystemCallSysRet:
    sysretq

    .globl KiServiceExitIret
KiServiceExitIret:
    KI_EXIT_TRAP

KiInvalidSystemService:
    mov $STATUS_INVALID_SYSTEM_SERVICE, %eax
    jmp KiServiceExit

    .globl KiSystemServiceAccessViolation
KiSystemServiceAccessViolation:
    mov $STATUS_ACCESS_VIOLATION, %eax
    jmp KiServiceExit

/* The return point of a kernel-mode ZwXxx: IRETQ lands here with the caller's RSP; back to it. */
    .globl KiServiceLinkage
KiServiceLinkage:
    ret

/* KiExitToUserMode(TrapFrame): enter ring 3 for the first time. */
    .globl KiExitToUserMode
KiExitToUserMode:
    mov %rcx, %rbp
    KI_EXIT_TRAP

/*
 * NTSTATUS KiSafeCopy(Destination, Source, Length): a copy that may touch
 * unmapped user pages; a fault returns STATUS_ACCESS_VIOLATION.
 */
    .globl KiSafeCopy
KiSafeCopy:
    push %rsi
    push %rdi
    mov %rcx, %rdi
    mov %rdx, %rsi
    mov %r8, %rcx
    .globl KiSafeCopyMove
KiSafeCopyMove:
    rep movsb
    xor %eax, %eax
KiSafeCopyDone:
    pop %rdi
    pop %rsi
    ret
KiSafeCopyFault:
    mov $STATUS_ACCESS_VIOLATION, %eax
    jmp KiSafeCopyDone

/* Faulting instruction -> where to resume (ke/trap.c KiFixupException). */
    .section .rodata
    .align 8
    .globl KiExceptionFixups
KiExceptionFixups:
    .quad KiSystemServiceCopyArguments, KiSystemServiceAccessViolation
    .quad KiSafeCopyMove, KiSafeCopyFault
    .quad 0, 0
