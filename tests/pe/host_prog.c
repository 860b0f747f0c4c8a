/*
 * A native program for tests/test_pe.c (built by mk/pe-host.mk with mingw-w64,
 * never run): the host's PE parser and kd's symbols read its headers, its
 * imports from ntdll and its COFF symbols -- an external stdcall entry, a
 * static function, external and static data.
 */
#include <windef.h>
#include <winternl.h>

NTSTATUS NTAPI NtDisplayString(PUNICODE_STRING String);
NTSTATUS NTAPI NtTerminateProcess(HANDLE Process, NTSTATUS Status);

int HostCounter = 3;
static int HostHidden = 4;

static __attribute__((noinline)) int HostHelper(int x)
{
    return x * HostCounter + HostHidden;
}

void NTAPI NtProcessStartup(PPEB Peb)
{
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, L"host_prog\n");
    NtDisplayString(&s);
    HostHidden++;
    NtTerminateProcess((HANDLE)-1, HostHelper((int)(ULONG_PTR)Peb));
}
