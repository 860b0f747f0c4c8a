/*
 * KUSER_SHARED_DATA: one page, writable by the kernel at 0xFFDF0000 and
 * read-only for user mode at 0x7FFE0000. Its SystemCallStub (offset 0x300)
 * is the instruction sequence every ntdll stub calls.
 */
#include "../../inc/ke.h"
#include "../../inc/mm.h"
#include "../../inc/hal.h"
#include "../../inc/rtl.h"

#define KUSER_NT_MAJOR_VERSION 0x26C
#define KUSER_NT_MINOR_VERSION 0x270

ULONG KiUserSharedDataPhysical;

/* mov edx, esp; sysenter; ret  -- KiFastSystemCall, with KiFastSystemCallRet at +4 */
static const UCHAR KiFastSystemCallCode[] = { 0x8B, 0xD4, 0x0F, 0x34, 0xC3 };
/* mov edx, esp; syscall; ret  -- KiFastSystemCallAmdK6: the same shape, so the same return point */
static const UCHAR KiFastSystemCallAmdK6Code[] = { 0x8B, 0xD4, 0x0F, 0x05, 0xC3 };
/*
 * lea edx, [esp+8]; int 2Eh; ret  -- KiIntSystemCall. The ntdll stub reached
 * this code with CALL, so [esp] and [esp+4] are return addresses and the
 * arguments start at [esp+8].
 */
static const UCHAR KiIntSystemCallCode[] = { 0x8D, 0x54, 0x24, 0x08, 0xCD, 0x2E, 0xC3 };

KI_SYSCALL_MECHANISM KiSelectSystemCallMechanism(KI_SYSCALL_MECHANISM Requested)
{
    BOOLEAN sep = KiHasFastSystemCall();
    if (Requested == SyscallSyscall && !KiHasAmdSystemCall()) {
        DbgPrint("ntoskrnl: syscall=syscall requested but this CPU has no legacy-mode SYSCALL; using %s\n",
                 sep ? "SYSENTER" : "INT 2Eh");
        Requested = SyscallAuto;
    }
    if (Requested == SyscallSysenter && !sep)
        DbgPrint("ntoskrnl: syscall=sysenter requested but this CPU has no SEP; using INT 2Eh\n");
    if (Requested == SyscallInt2e || Requested == SyscallSyscall)
        return Requested;
    return sep ? SyscallSysenter : SyscallInt2e;
}

void KiInitializeUserSharedData(KI_SYSCALL_MECHANISM Mechanism)
{
    KiUserSharedDataPhysical = MmAllocatePhysicalPage();
    if (!KiUserSharedDataPhysical ||
        !NT_SUCCESS(MmMapPage(KI_USER_SHARED_DATA, KiUserSharedDataPhysical, MM_WRITABLE)))
        KeBugCheckEx(PHASE0_INITIALIZATION_FAILED, 1, 0, 0, 0);

    PUCHAR shared = (PUCHAR)KI_USER_SHARED_DATA;
    *(PULONG)(shared + KUSER_NT_MAJOR_VERSION) = 5;
    *(PULONG)(shared + KUSER_NT_MINOR_VERSION) = 1;

    PUCHAR stub = shared + USER_SHARED_SYSTEM_CALL;
    if (Mechanism == SyscallSyscall)
        memcpy(stub, KiFastSystemCallAmdK6Code, sizeof(KiFastSystemCallAmdK6Code));
    else if (Mechanism == SyscallSysenter)
        memcpy(stub, KiFastSystemCallCode, sizeof(KiFastSystemCallCode));
    else
        memcpy(stub, KiIntSystemCallCode, sizeof(KiIntSystemCallCode));
}
