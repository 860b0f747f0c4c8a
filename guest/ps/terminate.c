/* Ending processes. With one user process, its end is the end of the system. */
#include <ntvisor/abi.h>
#include "../inc/ps.h"
#include "../inc/hal.h"

void PspExitProcess(NTSTATUS ExitStatus)
{
    PEPROCESS process = PsGetCurrentProcess();
    process->ExitStatus = ExitStatus;
    HalReturnToFirmware(NTV_EXIT_KIND_PROCESS, (ULONG)ExitStatus);
}

void PspTerminateProcessByException(NTSTATUS Status, ULONG Eip, ULONG Address)
{
    PEPROCESS process = PsGetCurrentProcess();
    DbgPrint("ntoskrnl: %s (pid %u): unhandled exception %08x at %08x (address %08x); process terminated\n",
             process->ImageFileName, process->UniqueProcessId, (ULONG)Status, Eip, Address);
    PspExitProcess(Status);
}

NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus)
{
    /* NULL: end the other threads of this process (there are none) and return */
    if (ProcessHandle == 0)
        return STATUS_SUCCESS;
    if (ProcessHandle != NtCurrentProcess())
        return STATUS_INVALID_HANDLE;
    PspExitProcess(ExitStatus);
}
