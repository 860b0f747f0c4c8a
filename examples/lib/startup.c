/*
 * examples/lib, ours: the process entry. The kernel starts the first thread
 * at the image's entry point, NtProcessStartup(PPEB), stdcall, with a zero
 * return address; it never returns. The command line (a UNICODE_STRING in
 * Peb->ProcessParameters) is split at spaces into ASCII argv for main.
 */
#define WIN32_NO_STATUS
#include <windef.h>
#include <winternl.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include "ntnative.h"

#define RTLP_MAX_ARGS    32
#define RTLP_MAX_CMDLINE 1024

static char RtlpCommandLine[RTLP_MAX_CMDLINE];
static char *RtlpArgv[RTLP_MAX_ARGS + 1];

static int RtlpSplitCommandLine(const UNICODE_STRING *CommandLine)
{
    ULONG n = CommandLine->Length / sizeof(WCHAR);
    if (n >= RTLP_MAX_CMDLINE)
        n = RTLP_MAX_CMDLINE - 1;
    for (ULONG i = 0; i < n; i++) {
        WCHAR c = CommandLine->Buffer[i];
        RtlpCommandLine[i] = c < 0x80 ? (char)c : '?';
    }
    RtlpCommandLine[n] = '\0';

    int argc = 0;
    char *p = RtlpCommandLine;
    while (*p && argc < RTLP_MAX_ARGS) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        RtlpArgv[argc++] = p;
        while (*p && *p != ' ')
            p++;
    }
    RtlpArgv[argc] = NULL;
    return argc;
}

/* GCC calls __main first thing in a mingw main (to run constructors); there are none here. */
void __main(void);
void __main(void)
{
}

static PPEB RtlpStartupPeb;

/* The PEB the process was started with (NtProcessStartup's argument). */
PPEB NtvStartupPeb(void)
{
    return RtlpStartupPeb;
}

__attribute__((noreturn)) VOID NTAPI NtProcessStartup(PPEB Peb);
__attribute__((noreturn)) VOID NTAPI NtProcessStartup(PPEB Peb)
{
    RtlpStartupPeb = Peb;
    int argc = RtlpSplitCommandLine(&Peb->ProcessParameters->CommandLine);
    NTSTATUS status = (NTSTATUS)main(argc, RtlpArgv);
    for (;;)
        NtTerminateProcess(NtCurrentProcess(), status);
}
