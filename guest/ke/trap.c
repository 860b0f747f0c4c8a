/*
 * CPU exceptions: a fault in user mode ends the process with the matching
 * NTSTATUS; a fault in kernel mode either resumes at a registered fixup (a
 * bad user pointer met while copying) or stops the system. And INT 2Dh,
 * the debug service DbgPrint uses.
 */
#include <stddef.h>
#include "../inc/ke.h"
#include "../inc/ps.h"
#include "../inc/mm.h"
#include "../inc/hal.h"

#define BREAKPOINT_PRINT      1     /* EAX of INT 2Dh: print EDX bytes at ECX */
#define KI_DEBUG_PRINT_LIMIT  512   /* longer text is cut, as NT's DbgPrint cuts it */

C_ASSERT(offsetof(KTRAP_FRAME, PreviousPreviousMode) == KTRAP_FRAME_PREVIOUS_MODE);
C_ASSERT(offsetof(KTRAP_FRAME, SegFs) == KTRAP_FRAME_FS);
C_ASSERT(offsetof(KTRAP_FRAME, Edx) == KTRAP_FRAME_EDX);
C_ASSERT(offsetof(KTRAP_FRAME, Eax) == KTRAP_FRAME_EAX);
C_ASSERT(offsetof(KTRAP_FRAME, Ebp) == KTRAP_FRAME_EBP);
C_ASSERT(offsetof(KTRAP_FRAME, TrapNumber) == KTRAP_FRAME_TRAP_NUMBER);
C_ASSERT(offsetof(KTRAP_FRAME, Eip) == KTRAP_FRAME_EIP);
C_ASSERT(offsetof(KTRAP_FRAME, SegCs) == KTRAP_FRAME_CS);
C_ASSERT(offsetof(KTRAP_FRAME, EFlags) == KTRAP_FRAME_EFLAGS);
C_ASSERT(offsetof(KTRAP_FRAME, HardwareEsp) == KTRAP_FRAME_ESP);
C_ASSERT(sizeof(KTRAP_FRAME) == KTRAP_FRAME_LENGTH);
C_ASSERT(offsetof(KTHREAD, PreviousMode) == KTHREAD_PREVIOUS_MODE);
C_ASSERT(offsetof(KSERVICE_TABLE_DESCRIPTOR, Limit) == KSERVICE_TABLE_LIMIT);
C_ASSERT(offsetof(KSERVICE_TABLE_DESCRIPTOR, Number) == KSERVICE_TABLE_NUMBER);
C_ASSERT(sizeof(KSERVICE_TABLE_DESCRIPTOR) == 16);

static NTSTATUS KiExceptionStatus(ULONG Vector)
{
    switch (Vector) {
    case 0:  return STATUS_INTEGER_DIVIDE_BY_ZERO;
    case 1:  return STATUS_SINGLE_STEP;
    case 3:  return STATUS_BREAKPOINT;
    case 4:  return STATUS_INTEGER_OVERFLOW;
    case 6:  return STATUS_ILLEGAL_INSTRUCTION;
    case 13: return STATUS_PRIVILEGED_INSTRUCTION;
    default: return STATUS_ACCESS_VIOLATION;   /* #PF, #SS, #NP, #AC, ... */
    }
}

BOOLEAN KiFixupException(PKTRAP_FRAME TrapFrame)
{
    for (const KI_EXCEPTION_FIXUP *f = KiExceptionFixups; f->FaultPc; f++) {
        if (f->FaultPc == KeGetTrapFramePc(TrapFrame)) {
            KeGetTrapFramePc(TrapFrame) = f->ResumePc;
            return TRUE;
        }
    }
    return FALSE;
}

void KiTrapDispatch(PKTRAP_FRAME TrapFrame)
{
    ULONG vector = TrapFrame->TrapNumber;
    ULONG faultAddress = vector == 14 ? __readcr2() : 0;

    if (TrapFrame->SegCs & RPL_USER) {
        NTSTATUS status = KiExceptionStatus(vector);
        /* #GP(0) in user mode comes from privileged instructions (HLT, CLI,
           port I/O without IOPL); a #GP naming a selector is an access violation. */
        if (vector == 13 && TrapFrame->ErrCode != 0)
            status = STATUS_ACCESS_VIOLATION;
        /* INT3 traps after the instruction; NT reports the breakpoint's own address */
        ULONG eip = vector == 3 ? TrapFrame->Eip - 1 : TrapFrame->Eip;
        PspTerminateProcessByException(status, eip, faultAddress);
    }

    if (vector == 14 && KiFixupException(TrapFrame))
        return;

    if (vector == 14)
        KeBugCheckWithTf(PAGE_FAULT_IN_NONPAGED_AREA, faultAddress, TrapFrame->ErrCode & 2,
                         TrapFrame->Eip, TrapFrame);
    if (vector == 8 || vector == 2 || vector >= 9)
        KeBugCheckWithTf(UNEXPECTED_KERNEL_MODE_TRAP, vector, 0, 0, TrapFrame);
    KeBugCheckWithTf(KERNEL_MODE_EXCEPTION_NOT_HANDLED, (ULONG)KiExceptionStatus(vector),
                     TrapFrame->Eip, (ULONG)TrapFrame, TrapFrame);
}

/*
 * INT 2Dh: BREAKPOINT_PRINT writes the caller's text to the console. A
 * user buffer is probed and copied first: a bad one prints nothing and the
 * caller goes on, as under NT with no debugger attached.
 */
void KiDebugServiceDispatch(PKTRAP_FRAME TrapFrame)
{
    char text[KI_DEBUG_PRINT_LIMIT];
    const char *buffer = (const char *)TrapFrame->Ecx;
    ULONG length = TrapFrame->Edx < sizeof(text) ? TrapFrame->Edx : sizeof(text);

    if (TrapFrame->Eax != BREAKPOINT_PRINT || length == 0)
        return;
    if ((TrapFrame->SegCs & RPL_USER) && !NT_SUCCESS(ProbeForRead(buffer, length, 1)))
        return;
    if (NT_SUCCESS(KiSafeCopy(text, buffer, length)))
        HalDisplayBuffer(text, length);
}
