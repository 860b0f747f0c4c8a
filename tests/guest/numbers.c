/*
 * numbers: a program that hard-codes Windows XP SP1's service numbers instead
 * of calling ntdll, as the articles warn against. Under another build
 * (ntvisor run --build=...) ntdll still works, and the raw numbers reach
 * whatever services that build gives them.
 */
#define WIN32_NO_STATUS   /* the STATUS_ codes come from <ntstatus.h>, not <winnt.h> */
#include <windef.h>
#include <winternl.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include "../../examples/lib/ntnative.h"

#define XP_SP1_NT_DISPLAY_STRING 0x43
#define XP_SP1_NT_CLOSE          0x19

static void Report(const char *What, NTSTATUS Status)
{
    printf("%s 0x%08X %s\n", What, (unsigned)Status, RtlNtStatusName(Status));
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, L"numbers: through ntdll\n");
    Report("ntdll-NtDisplayString", NtDisplayString(&s));
    RtlInitUnicodeString(&s, L"numbers: through the hard-coded 0x43\n");
    Report("raw-0x43", RtlSystemCall(XP_SP1_NT_DISPLAY_STRING, &s));
    Report("raw-0x19", RtlSystemCall(XP_SP1_NT_CLOSE, (HANDLE)0x1234));
    Report("ntdll-NtClose", NtClose((HANDLE)0x1234));
    return 0;
}
