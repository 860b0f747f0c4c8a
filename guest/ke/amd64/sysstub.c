/*
 * KUSER_SHARED_DATA on amd64: one page, writable by the kernel at
 * 0xFFFFF780'00000000 and read-only for user mode at 0x7FFE0000. x64 ntdll
 * stubs SYSCALL themselves (no SystemCallStub); from Windows 10 1511 on they
 * first test the SystemCall byte at offset 0x308 and take INT 2Eh when it is 1.
 */
#include "../../inc/ke.h"
#include "../../inc/mm.h"
#include "../../inc/hal.h"
#include "../../inc/rtl.h"

#define KUSER_NT_MAJOR_VERSION 0x26C
#define KUSER_NT_MINOR_VERSION 0x270
#define KUSER_SYSTEM_CALL_INT2E 1

ULONG KiUserSharedDataPhysical;   /* below 4 GiB: KSEG0 maps 512 MiB */

KI_SYSCALL_MECHANISM KiSelectSystemCallMechanism(KI_SYSCALL_MECHANISM Requested)
{
    if (Requested == SyscallSysenter)
        DbgPrint("ntoskrnl: syscall=sysenter requested but x64 NT enters by SYSCALL; using SYSCALL\n");
    return Requested == SyscallInt2e ? SyscallInt2e : SyscallSyscall;
}

void KiInitializeUserSharedData(KI_SYSCALL_MECHANISM Mechanism)
{
    KiUserSharedDataPhysical = MmAllocatePhysicalPage();
    if (!KiUserSharedDataPhysical ||
        !NT_SUCCESS(MmMapPage(KI_USER_SHARED_DATA, KiUserSharedDataPhysical, MM_WRITABLE)))
        KeBugCheckEx(PHASE0_INITIALIZATION_FAILED, 1, 0, 0, 0);
    PUCHAR shared = (PUCHAR)KI_USER_SHARED_DATA;
    *(PULONG)(shared + KUSER_NT_MAJOR_VERSION) = 6;
    *(PULONG)(shared + KUSER_NT_MINOR_VERSION) = 1;
    shared[AMD64_USER_SHARED_SYSTEM_CALL] = Mechanism == SyscallInt2e ? KUSER_SYSTEM_CALL_INT2E : 0;
}
