/* The i386 trap frame: its layout as trap.S builds it, and its registers for a bug check's report. */
#include <stddef.h>
#include "../../inc/ke.h"
#include "../../inc/hal.h"

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
