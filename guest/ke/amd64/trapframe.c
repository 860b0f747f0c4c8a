/* The amd64 trap frame's registers, for a bug check's report. */
#include "../../inc/ke.h"
#include "../../inc/hal.h"

void KiDumpTrapFrame(const KTRAP_FRAME *Tf)
{
    DbgPrint("Trap frame at %p (trap %02x, error code %p):\n", Tf, Tf->TrapNumber, (PVOID)Tf->ErrorCode);
    DbgPrint("rax=%p rbx=%p rcx=%p\n", (PVOID)Tf->Rax, (PVOID)Tf->Rbx, (PVOID)Tf->Rcx);
    DbgPrint("rdx=%p rsi=%p rdi=%p\n", (PVOID)Tf->Rdx, (PVOID)Tf->Rsi, (PVOID)Tf->Rdi);
    DbgPrint("rip=%p rsp=%p rbp=%p\n", (PVOID)Tf->Rip, (PVOID)Tf->Rsp, (PVOID)Tf->Rbp);
    DbgPrint("r8=%p r9=%p r10=%p r11=%p\n", (PVOID)Tf->R8, (PVOID)Tf->R9, (PVOID)Tf->R10, (PVOID)Tf->R11);
    DbgPrint("cs=%04x ss=%04x efl=%08x\n", Tf->SegCs, Tf->SegSs, Tf->EFlags);
}
