/*
 * Trap entry and system service dispatch: the CPU exception stubs,
 * KiDebugService (INT 2Dh, DbgPrint's way in),
 * KiSystemService (INT 2Eh and kernel-mode Zw calls), KiFastCallEntry
 * (SYSENTER, and AMD's SYSCALL), KiServiceExit, and KiSafeCopy. Every entry builds the same
 * KTRAP_FRAME (ke.h) and points EBP at it.
 */
#include <nt/layout.h>
#include <nt/ntstatus.h>
#include "../../inc/ke.h"

#define KI_FAST_SYSTEM_CALL_RET (MM_SHARED_USER_DATA_VA + USER_SHARED_SYSTEM_CALL_RET)

/* Save the registers below the vector and error code already pushed. */
.macro KI_ENTER_TRAP
    push %ebp
    push %ebx
    push %esi
    push %edi
    push %eax
    push %ecx
    push %edx
    push %ds
    push %es
    push %fs
    push $0                              /* PreviousPreviousMode */
    mov %esp, %ebp
    mov $KGDT_R0_DATA, %ebx
    mov %bx, %ds
    mov %bx, %es
    mov $KGDT_R0_PCR, %ebx
    mov %bx, %fs
    cld
.endm

/* Restore everything from the frame at EBP and return with IRETD. */
.macro KI_EXIT_TRAP
    lea 4(%ebp), %esp
    pop %fs
    pop %es
    pop %ds
    pop %edx
    pop %ecx
    pop %eax
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    add $8, %esp                         /* TrapNumber, ErrCode */
    iret
.endm

/* CPU exceptions 0-31; those without an error code push a zero. */
.macro KI_TRAP vector, has_error_code
KiTrap\vector:
    .if !\has_error_code
    push $0
    .endif
    push $\vector
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
    KI_ENTER_TRAP
    push %ebp
    call KiTrapDispatch
    add $4, %esp
    KI_EXIT_TRAP

/*
 * KiClockInterruptEntry: IRQ 0 from the PIT through the 8259 at vector 0x30.
 * Same frame as a trap, so the clock can interrupt ring 3 or a kernel wait.
 */
    .globl KiClockInterruptEntry
KiClockInterruptEntry:
    push $0
    push $PRIMARY_VECTOR_BASE
    KI_ENTER_TRAP
    push %ebp
    call KiClockInterrupt
    add $4, %esp
    KI_EXIT_TRAP

/*
 * KiDebugService: INT 2Dh, NT's debug service (EAX = what, ECX and EDX its
 * arguments), from ring 3 through a DPL-3 gate or from the kernel. Not a
 * system service: it saves a trap frame, lets ke/trap.c act, and returns.
 */
    .globl KiDebugService
KiDebugService:
    push $0
    push $IDT_DEBUG_SERVICE
    KI_ENTER_TRAP
    push %ebp
    call KiDebugServiceDispatch
    add $4, %esp
    KI_EXIT_TRAP

    .section .rodata
    .align 4
    .globl KiTrapHandlers
KiTrapHandlers:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long KiTrap\v
    .endr
    .text

/*
 * KiSystemService: INT 2Eh from user mode, or a kernel-mode ZwXxx stub's
 * fake interrupt frame (pushfd; push KGDT_R0_CODE; call). EAX = service
 * number, EDX = caller's arguments.
 */
    .globl KiSystemService
    .align 16
KiSystemService:
    push $0                              /* ErrCode */
    push $IDT_SYSTEM_SERVICE
    KI_ENTER_TRAP

KiSystemServiceRepeat:
    /* previous mode := mode of the caller's CS; the old one is kept in the frame */
    mov KiCurrentThread, %esi
    movzbl KTHREAD_PREVIOUS_MODE(%esi), %ecx
    mov %ecx, KTRAP_FRAME_PREVIOUS_MODE(%ebp)
    mov KTRAP_FRAME_CS(%ebp), %ecx
    and $1, %ecx
    movb %cl, KTHREAD_PREVIOUS_MODE(%esi)

    /* descriptor table from bits 12-13, index from bits 0-11 */
    mov %eax, %edi
    shr $SERVICE_TABLE_SHIFT, %edi
    and $SERVICE_TABLE_MASK, %edi
    add $KeServiceDescriptorTable, %edi
    mov %eax, %ebx
    and $SERVICE_NUMBER_MASK, %ebx
    cmp KSERVICE_TABLE_LIMIT(%edi), %ebx
    jae KiInvalidSystemService

    mov KSERVICE_TABLE_NUMBER(%edi), %ecx
    movzbl (%ecx, %ebx), %ecx            /* argument bytes */
    mov KSERVICE_TABLE_BASE(%edi), %edi
    mov (%edi, %ebx, 4), %ebx            /* the service routine */

    /* a user caller's argument block must lie below MmUserProbeAddress */
    testl $1, KTRAP_FRAME_CS(%ebp)
    jz 1f
    mov %edx, %esi
    add %ecx, %esi
    jc KiSystemServiceAccessViolation
    cmp $MM_USER_PROBE_ADDRESS, %esi
    ja KiSystemServiceAccessViolation
1:
    sub %ecx, %esp
    mov %esp, %edi
    mov %edx, %esi
    shr $2, %ecx
    .globl KiSystemServiceCopyArguments
KiSystemServiceCopyArguments:            /* a fault here ends in KiSystemServiceAccessViolation */
    rep movsl
    .globl KiSystemServiceCall
KiSystemServiceCall:
    call *%ebx

    .globl KiServiceExit
KiServiceExit:
    mov %eax, KTRAP_FRAME_EAX(%ebp)
    mov KiCurrentThread, %esi
    mov KTRAP_FRAME_PREVIOUS_MODE(%ebp), %ecx
    movb %cl, KTHREAD_PREVIOUS_MODE(%esi)

    /* back to the fast stub's `ret` with SYSEXIT (or SYSRET), otherwise IRETD */
    testl $1, KTRAP_FRAME_CS(%ebp)
    jz KiServiceExitIret
    cmpl $KI_FAST_SYSTEM_CALL_RET, KTRAP_FRAME_EIP(%ebp)
    jne KiServiceExitIret
    testl $EFLAGS_TF, KTRAP_FRAME_EFLAGS(%ebp)
    jnz KiServiceExitIret
    cmpb $0, KiFastSystemCallIsIA32
    je KiSystemCallExit3

    .globl KiSystemCallExit2
KiSystemCallExit2:
    lea 4(%ebp), %esp
    pop %fs
    pop %es
    pop %ds
    add $8, %esp                         /* EDX, ECX: set below for SYSEXIT */
    pop %eax
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    mov 8(%esp), %edx                    /* EIP */
    mov 20(%esp), %ecx                   /* ESP */
    add $16, %esp                        /* TrapNumber, ErrCode, EIP, CS */
    andl $~EFLAGS_IF, (%esp)
    popfl
    sti                                  /* takes effect after SYSEXIT */
    .globl KiSystemCallSysExit
KiSystemCallSysExit:
    sysexit

/*
 * KiSystemCallExit3: SYSRET, for calls that came by SYSCALL. Legacy-mode
 * SYSRET takes EIP from ECX and sets IF, but leaves ESP and the other flags
 * alone: restore the caller's flags with interrupts still off, then its stack.
 */
    .globl KiSystemCallExit3
KiSystemCallExit3:
    lea 4(%ebp), %esp
    pop %fs
    pop %es
    pop %ds
    pop %edx
    add $4, %esp                         /* ECX: set below for SYSRET */
    pop %eax
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    mov 8(%esp), %ecx                    /* EIP */
    add $16, %esp                        /* TrapNumber, ErrCode, EIP, CS */
    andl $~EFLAGS_IF, (%esp)
    popfl
    mov (%esp), %esp                     /* the caller's ESP; SS is still the kernel's */
    .globl KiSystemCallSysRet
KiSystemCallSysRet:
    sysret

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

/*
 * KiFastCallEntry: SYSENTER, or SYSCALL on AMD (STAR points here too, as on
 * NT). SYSENTER loads ESP from MSR 0x175; SYSCALL leaves the caller's, so the
 * first load takes the thread's kernel stack from KiTss.Esp0 either way (SS
 * is the kernel's after both). Then build the frame INT 2Eh would have built
 * (returning to KiFastSystemCallRet) and join KiSystemService. EDX is the
 * user ESP: [EDX] and [EDX+4] are the two return addresses, arguments follow.
 */
    .globl KiFastCallEntry
    .align 16
KiFastCallEntry:
    mov %ss:KiTss + KTSS_ESP0, %esp
    push $(KGDT_R3_DATA | RPL_USER)      /* SS */
    push %edx                            /* ESP */
    pushfl
    orl $EFLAGS_IF, (%esp)               /* user mode runs with interrupts on */
    push $(KGDT_R3_CODE | RPL_USER)      /* CS */
    push $KI_FAST_SYSTEM_CALL_RET        /* EIP */
    push $0                              /* ErrCode */
    push $IDT_SYSTEM_SERVICE
    KI_ENTER_TRAP
    add $KI_FAST_CALL_ARGUMENTS, %edx     /* past the two return addresses */
    jmp KiSystemServiceRepeat

/* KiExitToUserMode(TrapFrame): enter ring 3 for the first time. */
    .globl KiExitToUserMode
KiExitToUserMode:
    mov 4(%esp), %ebp
    KI_EXIT_TRAP

/*
 * NTSTATUS KiSafeCopy(Destination, Source, Length): a copy that may touch
 * unmapped user pages; a fault returns STATUS_ACCESS_VIOLATION.
 */
    .globl KiSafeCopy
KiSafeCopy:
    push %esi
    push %edi
    mov 12(%esp), %edi
    mov 16(%esp), %esi
    mov 20(%esp), %ecx
    .globl KiSafeCopyMove
KiSafeCopyMove:
    rep movsb
    xor %eax, %eax
KiSafeCopyDone:
    pop %edi
    pop %esi
    ret $12
KiSafeCopyFault:
    mov $STATUS_ACCESS_VIOLATION, %eax
    jmp KiSafeCopyDone

/* Faulting instruction -> where to resume (ke/trap.c KiFixupException). */
    .section .rodata
    .align 4
    .globl KiExceptionFixups
KiExceptionFixups:
    .long KiSystemServiceCopyArguments, KiSystemServiceAccessViolation
    .long KiSafeCopyMove, KiSafeCopyFault
    .long 0, 0
