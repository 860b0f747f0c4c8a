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

C_ASSERT(offsetof(KTHREAD, PreviousMode) == KTHREAD_PREVIOUS_MODE);
C_ASSERT(offsetof(KSERVICE_TABLE_DESCRIPTOR, Limit) == KSERVICE_TABLE_LIMIT);
C_ASSERT(offsetof(KSERVICE_TABLE_DESCRIPTOR, Number) == KSERVICE_TABLE_NUMBER);
C_ASSERT(sizeof(KSERVICE_TABLE_DESCRIPTOR) == KSERVICE_TABLE_DESCRIPTOR_LENGTH);

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
    ULONG vector = KeGetTrapFrameVector(TrapFrame);
    ULONG_PTR faultAddress = vector == 14 ? __readcr2() : 0;
    ULONG_PTR pc = KeGetTrapFramePc(TrapFrame);

    if (KiUserTrap(TrapFrame)) {
        NTSTATUS status = KiExceptionStatus(vector);
        /* #GP(0) in user mode comes from privileged instructions (HLT, CLI,
           port I/O without IOPL); a #GP naming a selector is an access violation. */
        if (vector == 13 && KeGetTrapFrameErrorCode(TrapFrame) != 0)
            status = STATUS_ACCESS_VIOLATION;
        /* INT3 traps after the instruction; NT reports the breakpoint's own address */
        PspTerminateProcessByException(status, vector == 3 ? pc - 1 : pc, faultAddress);
    }

    if (vector == 14 && KiFixupException(TrapFrame))
        return;

    if (vector == 14)
        KeBugCheckWithTf(PAGE_FAULT_IN_NONPAGED_AREA, faultAddress, KeGetTrapFrameErrorCode(TrapFrame) & 2,
                         pc, TrapFrame);
    if (vector == 8 || vector == 2 || vector >= 9)
        KeBugCheckWithTf(UNEXPECTED_KERNEL_MODE_TRAP, vector, 0, 0, TrapFrame);
    KeBugCheckWithTf(KERNEL_MODE_EXCEPTION_NOT_HANDLED, (ULONG)KiExceptionStatus(vector),
                     pc, (ULONG_PTR)TrapFrame, TrapFrame);
}

/*
 * INT 2Dh: BREAKPOINT_PRINT writes the caller's text to the console. A
 * user buffer is probed and copied first: a bad one prints nothing and the
 * caller goes on, as under NT with no debugger attached.
 */
void KiDebugServiceDispatch(PKTRAP_FRAME TrapFrame)
{
    char text[KI_DEBUG_PRINT_LIMIT];
    const char *buffer = (const char *)KeGetTrapFrameArgument1(TrapFrame);
    ULONG_PTR requested = KeGetTrapFrameArgument2(TrapFrame);
    ULONG length = requested < sizeof(text) ? (ULONG)requested : sizeof(text);

    if (KeGetTrapFrameReturn(TrapFrame) != BREAKPOINT_PRINT || length == 0)
        return;
    if (KiUserTrap(TrapFrame) && !NT_SUCCESS(ProbeForRead(buffer, length, 1)))
        return;
    if (NT_SUCCESS(KiSafeCopy(text, buffer, length)))
        HalDisplayBuffer(text, length);
}
