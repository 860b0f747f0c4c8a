/* System time and the performance counter. */
#include "../inc/ke.h"
#include "../inc/mm.h"
#include "../inc/hal.h"

NTSTATUS NTAPI NtQuerySystemTime(PLARGE_INTEGER SystemTime)
{
    LARGE_INTEGER now;
    now.QuadPart = HalQuerySystemTime();
    return MmCopyToCaller(SystemTime, &now, sizeof(now), sizeof(ULONG));
}

NTSTATUS NTAPI NtQueryPerformanceCounter(PLARGE_INTEGER PerformanceCounter, PLARGE_INTEGER PerformanceFrequency)
{
    ULONGLONG frequency;
    LARGE_INTEGER counter, freq;
    counter.QuadPart = (LONGLONG)HalQueryPerformanceCounter(&frequency);
    freq.QuadPart = (LONGLONG)frequency;

    NTSTATUS status = MmCopyToCaller(PerformanceCounter, &counter, sizeof(counter), sizeof(ULONG));
    if (NT_SUCCESS(status) && PerformanceFrequency)
        status = MmCopyToCaller(PerformanceFrequency, &freq, sizeof(freq), sizeof(ULONG));
    return status;
}

/* hal.dll's form for drivers: the counter, and its frequency when asked. */
LONGLONG NTAPI KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    ULONGLONG frequency;
    LONGLONG counter = (LONGLONG)HalQueryPerformanceCounter(&frequency);
    if (PerformanceFrequency)
        PerformanceFrequency->QuadPart = (LONGLONG)frequency;
    return counter;
}
