/*
 * syscalls: the benchmark workload. Makes N system calls (NtYieldExecution:
 * no arguments, and with no other thread ready nothing to do but return
 * STATUS_NO_YIELD_PERFORMED: the cost is the dispatch itself) through
 * ntdll and SharedUserData!SystemCallStub, whichever mechanism the kernel
 * chose (ntvisor --syscall=int2e|sysenter), and times the loop with the
 * performance counter (the TSC, calibrated by the kernel against the PIT).
 *
 *   syscalls.exe [N]      default N = 100000
 *
 * One line: "syscalls: via=<int2e|sysenter|syscall|?> calls=N yields=Y ticks=T freq=F ns_per_call=X.XX"
 * (yields: calls that did switch to another thread, normally 0)
 */
#define WIN32_NO_STATUS   /* the STATUS_ codes come from <ntstatus.h>, not <winnt.h> */
#include <windef.h>
#include <winternl.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include "../examples/lib/ntnative.h"

#define DEFAULT_CALLS 100000u
#define WARMUP_CALLS  100u

static ULONG ParseCount(const char *s)
{
    ULONG n = 0;
    if (!s || !*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || n > 400000000u)
            return 0;
        n = n * 10 + (ULONG)(*s - '0');
    }
    return n;
}

/* Which stub the kernel wrote at SharedUserData!SystemCallStub. */
static const char *Mechanism(void)
{
    const UCHAR *stub = (const UCHAR *)0x7FFE0300;
    for (int i = 0; i + 1 < 8; i++) {
        if (stub[i] == 0x0F && stub[i + 1] == 0x34)
            return "sysenter";
        if (stub[i] == 0x0F && stub[i + 1] == 0x05)
            return "syscall";
        if (stub[i] == 0xCD && stub[i + 1] == 0x2E)
            return "int2e";
    }
    return "?";
}

int main(int argc, char **argv)
{
    ULONG calls = argc > 1 ? ParseCount(argv[1]) : DEFAULT_CALLS;
    LARGE_INTEGER start, end, freq;
    NTSTATUS status;

    if (calls == 0) {
        printf("syscalls: usage: syscalls.exe [N] (N from 1 to 400000000)\n");
        return 2;
    }
    for (ULONG i = 0; i < WARMUP_CALLS; i++)
        NtYieldExecution();
    status = NtQueryPerformanceCounter(&start, &freq);
    if (!NT_SUCCESS(status) || freq.QuadPart <= 0) {
        printf("syscalls: NtQueryPerformanceCounter: 0x%08X\n", (unsigned)status);
        return 1;
    }
    ULONG yields = 0;
    for (ULONG i = 0; i < calls; i++) {
        status = NtYieldExecution();
        if (status == STATUS_SUCCESS) {
            yields++;
        } else if (status != STATUS_NO_YIELD_PERFORMED) {
            printf("syscalls: NtYieldExecution returned 0x%08X at call %u\n", (unsigned)status, (unsigned)i);
            return 1;
        }
    }
    NtQueryPerformanceCounter(&end, 0);

    ULONGLONG ticks = (ULONGLONG)(end.QuadPart - start.QuadPart);
    ULONGLONG f = (ULONGLONG)freq.QuadPart;
    /* ns per call, to 1/100: ticks*1000/calls first (cycles x1000 per call), then scaled by the frequency */
    ULONGLONG milli_ticks = ticks * 1000u / calls;
    ULONGLONG centi_ns = milli_ticks * 100000000ull / f;
    printf("syscalls: via=%s calls=%u yields=%u ticks=%llu freq=%llu ns_per_call=%llu.%02llu\n", Mechanism(),
           (unsigned)calls, (unsigned)yields, ticks, f, centi_ns / 100, centi_ns % 100);
    return 0;
}
