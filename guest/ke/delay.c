/* NtDelayExecution: sleep for a relative or until an absolute time (100 ns units). */
#include "../inc/ke.h"
#include "../inc/mm.h"

NTSTATUS NTAPI NtDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval)
{
    LARGE_INTEGER interval;
    NTSTATUS status = MmCopyFromCaller(&interval, DelayInterval, sizeof(interval), sizeof(ULONG));
    if (!NT_SUCCESS(status))
        return status;
    return KeDelayExecutionThread(KeGetPreviousMode(), Alertable, &interval);
}
