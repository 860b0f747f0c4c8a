/*
 * services: every implemented service and the dispatcher's checks, from ring 3.
 * One line per check: "<check> <NTSTATUS hex> <NTSTATUS name>", plus a few
 * facts ("<fact> <value>") the end-to-end tests compare.
 */
#define WIN32_NO_STATUS   /* the STATUS_ codes come from <ntstatus.h>, not <winnt.h> */
#include <windef.h>
#include <winternl.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include "../../examples/lib/ntnative.h"
#include "report.h"

#define SERVICE_LIMIT_XP_SP1  0x11C   /* KiServiceLimit of 5.1.2600 SP1: 284 services */
#define KERNEL_ADDRESS        ((PVOID)0x80100000)
#define UNMAPPED_USER_ADDRESS ((PVOID)0x10000000)
#define SHARED_USER_DATA      ((PVOID)0x7FFE0000)

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const UCHAR *stub = (const UCHAR *)0x7FFE0300;
    printf("SystemCallStub");
    for (int i = 0; i < 7 && stub[i] != 0; i++)
        printf(" %02x", stub[i]);
    printf("\n");

    Report("NtClose(0x1234)", NtClose((HANDLE)0x1234));
    Report("ZwClose(0x1234)", ZwClose((HANDLE)0x1234));
    Report("NtYieldExecution", NtYieldExecution());
    Report("NtReadFile(NULL-handle)", NtReadFile(0, 0, 0, 0, 0, 0, 0, 0, 0));
    Report("NtTerminateProcess(0x1234)", NtTerminateProcess((HANDLE)0x1234, 0));

    LARGE_INTEGER c1, c2, freq;
    Report("NtQueryPerformanceCounter", NtQueryPerformanceCounter(&c1, &freq));
    NtQueryPerformanceCounter(&c2, 0);
    printf("counter-advances %s\n", c2.QuadPart > c1.QuadPart ? "yes" : "no");
    printf("frequency-nonzero %s\n", freq.QuadPart > 0 ? "yes" : "no");

    Report("service(limit)", RtlSystemCall(SERVICE_LIMIT_XP_SP1));
    Report("service(0xFFF)", RtlSystemCall(0xFFF));
    Report("service(table1)", RtlSystemCall(0x1000));

    LARGE_INTEGER t;
    Report("NtQuerySystemTime(NULL)", NtQuerySystemTime(0));
    Report("NtQuerySystemTime(kernel)", NtQuerySystemTime(KERNEL_ADDRESS));
    Report("NtQuerySystemTime(read-only)", NtQuerySystemTime(SHARED_USER_DATA));
    Report("NtQuerySystemTime(misaligned)", NtQuerySystemTime((PLARGE_INTEGER)((PUCHAR)&t + 1)));
    Report("NtQuerySystemTime(unmapped)", NtQuerySystemTime(UNMAPPED_USER_ADDRESS));

    UNICODE_STRING s;
    Report("NtDisplayString(NULL)", NtDisplayString(0));
    Report("NtDisplayString(kernel)", NtDisplayString(KERNEL_ADDRESS));
    s.Length = s.MaximumLength = 8;
    s.Buffer = KERNEL_ADDRESS;
    Report("NtDisplayString(kernel-buffer)", NtDisplayString(&s));
    s.Buffer = UNMAPPED_USER_ADDRESS;
    Report("NtDisplayString(unmapped-buffer)", NtDisplayString(&s));
    s.Length = s.MaximumLength = 0xFFFE;
    s.Buffer = (PWSTR)0x7FFEFF00;
    Report("NtDisplayString(crosses-probe-address)", NtDisplayString(&s));
    s.Length = s.MaximumLength = 0;
    Report("NtDisplayString(empty)", NtDisplayString(&s));
    /* Length beyond MaximumLength: refused before a character is printed */
    WCHAR four[4] = { 'a', 'b', 'c', 'd' };
    s.Buffer = four;
    s.MaximumLength = sizeof(four);
    s.Length = 0xFFFE;
    Report("NtDisplayString(length-over-maximum)", NtDisplayString(&s));
    s.Length = 3;
    Report("NtDisplayString(odd-length)", NtDisplayString(&s));
    /* the end of SharedUserData's page, then an unmapped one: nothing printed, the whole string is checked first */
    s.Buffer = (PWSTR)((PUCHAR)SHARED_USER_DATA + 0x1000 - 128);
    s.Length = s.MaximumLength = 256;
    Report("NtDisplayString(unreadable-tail)", NtDisplayString(&s));

    /* NtClose takes 4 argument bytes: the dispatcher copies them from EDX */
    Report("int2e(args-in-kernel)", RawInt2e(0x19, KERNEL_ADDRESS));
    Report("int2e(args-unmapped)", RawInt2e(0x19, UNMAPPED_USER_ADDRESS));
    Report("int2e(args-wrap)", RawInt2e(0x19, (PVOID)0xFFFFFFFE));
    ULONG handle = 0x1234;
    Report("int2e(args-ok)", RawInt2e(0x19, &handle));
    return 0;
}
