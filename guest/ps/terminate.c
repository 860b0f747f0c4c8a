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

/* addresses as wide as the architecture's (the i386 text is unchanged) */
#if defined(__x86_64__)
#define PSP_FORMAT_ADDRESS "%016lx"
#else
#define PSP_FORMAT_ADDRESS "%08x"
#endif

void PspTerminateProcessByException(NTSTATUS Status, ULONG_PTR Pc, ULONG_PTR Address)
{
    PEPROCESS process = PsGetCurrentProcess();
    DbgPrint("ntoskrnl: %s (pid %u): unhandled exception %08x at " PSP_FORMAT_ADDRESS " (address " PSP_FORMAT_ADDRESS
             "); process terminated\n", process->ImageFileName, process->UniqueProcessId, (ULONG)Status, Pc, Address);
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
