/* User-mode start-up: the command line from the PEB becomes argc/argv for main. */
#include "ntapi.h"

#define RTLP_MAX_ARGS     32
#define RTLP_MAX_CMDLINE  1024

static PPEB RtlpPeb;
static char RtlpCommandLine[RTLP_MAX_CMDLINE];
static char *RtlpArgv[RTLP_MAX_ARGS + 1];

PPEB NtCurrentPeb(void)
{
    return RtlpPeb;
}

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
    RtlpArgv[argc] = 0;
    return argc;
}

__attribute__((noreturn)) void RtlpProcessStart(PPEB Peb)
{
    RtlpPeb = Peb;
    int argc = RtlpSplitCommandLine(&Peb->ProcessParameters->CommandLine);
    NTSTATUS status = (NTSTATUS)main(argc, RtlpArgv);
    for (;;)
        NtTerminateProcess(NtCurrentProcess(), status);
}
