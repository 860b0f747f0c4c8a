/* KeBugCheckEx: the blue screen, on the console, then out through the exit port. */
#include <ntvisor/abi.h>
#include "../inc/ke.h"
#include "../inc/hal.h"

static const char *KiBugCheckName(ULONG Code)
{
    switch (Code) {
    case KMODE_EXCEPTION_NOT_HANDLED:       return "KMODE_EXCEPTION_NOT_HANDLED";
    case IRQL_NOT_LESS_OR_EQUAL:            return "IRQL_NOT_LESS_OR_EQUAL";
    case PAGE_FAULT_IN_NONPAGED_AREA:       return "PAGE_FAULT_IN_NONPAGED_AREA";
    case PHASE0_INITIALIZATION_FAILED:      return "PHASE0_INITIALIZATION_FAILED";
    case PROCESS1_INITIALIZATION_FAILED:    return "PROCESS1_INITIALIZATION_FAILED";
    case UNEXPECTED_KERNEL_MODE_TRAP:       return "UNEXPECTED_KERNEL_MODE_TRAP";
    case KERNEL_MODE_EXCEPTION_NOT_HANDLED: return "KERNEL_MODE_EXCEPTION_NOT_HANDLED";
    case BAD_POOL_CALLER:                   return "BAD_POOL_CALLER";
    case IRQL_NOT_GREATER_OR_EQUAL:         return "IRQL_NOT_GREATER_OR_EQUAL";
    case WORKER_RETURNED_AT_BAD_IRQL:       return "WORKER_RETURNED_AT_BAD_IRQL";
    default:                                return "UNKNOWN_BUGCHECK";
    }
}

static __attribute__((noreturn)) void KiBugCheck(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3,
                                                 ULONG_PTR P4, PKTRAP_FRAME TrapFrame)
{
    _disable();
    DbgPrint("\n*** STOP: 0x%08X (0x" FORMAT_ULONG_PTR ",0x" FORMAT_ULONG_PTR ",0x" FORMAT_ULONG_PTR ",0x"
             FORMAT_ULONG_PTR ")\n%s\n",
             Code, P1, P2, P3, P4, KiBugCheckName(Code));
    if (TrapFrame)
        KiDumpTrapFrame(TrapFrame);
    HalReturnToFirmware(NTV_EXIT_KIND_BUGCHECK, Code);
}

void NTAPI KeBugCheckEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    KiBugCheck(Code, P1, P2, P3, P4, 0);
}

void NTAPI KeBugCheck(ULONG Code)
{
    KiBugCheck(Code, 0, 0, 0, 0, 0);
}

void KeBugCheckWithTf(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, PKTRAP_FRAME TrapFrame)
{
    KiBugCheck(Code, P1, P2, P3, (ULONG_PTR)TrapFrame, TrapFrame);
}
