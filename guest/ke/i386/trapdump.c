/* The registers of an i386 trap frame, for a bug check's report. */
#include "../../inc/ke.h"
#include "../../inc/hal.h"

void KiDumpTrapFrame(const KTRAP_FRAME *Tf)
{
    DbgPrint("Trap frame at %08x (trap %02x, error code %08x):\n", (ULONG)Tf, Tf->TrapNumber, Tf->ErrCode);
    DbgPrint("eax=%08x ebx=%08x ecx=%08x edx=%08x esi=%08x edi=%08x\n",
             Tf->Eax, Tf->Ebx, Tf->Ecx, Tf->Edx, Tf->Esi, Tf->Edi);
    DbgPrint("eip=%08x esp=%08x ebp=%08x efl=%08x\n", Tf->Eip,
             (Tf->SegCs & RPL_USER) ? Tf->HardwareEsp : (ULONG)&Tf->HardwareEsp, Tf->Ebp, Tf->EFlags);
    DbgPrint("cs=%04x ss=%04x ds=%04x es=%04x fs=%04x\n", Tf->SegCs & 0xFFFF,
             (Tf->SegCs & RPL_USER) ? Tf->HardwareSegSs & 0xFFFF : KGDT_R0_DATA,
             Tf->SegDs & 0xFFFF, Tf->SegEs & 0xFFFF, Tf->SegFs & 0xFFFF);
}
