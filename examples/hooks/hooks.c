/*
 * hooks: installs one of the example hooks and shows the system still
 * works. `hooks sst` (with --driver=hooks-sst.sys) hooks NtReadFile in
 * KiServiceTable; `hooks sysenter` (with --driver=hooks-sysenter.sys)
 * repoints SYSENTER_EIP; `hooks star` (with --driver=hooks-star.sys, and
 * --syscall=syscall) repoints STAR's SYSCALL entry; `hooks idt` (with
 * --driver=hooks-idt.sys, and --syscall=int2e so that calls go through it)
 * repoints IDT gate 0x2E. Then it reads a file three times and reports what
 * the hook counted; with a third word "keep" the hook stays in place when
 * the program ends, otherwise it is removed (and the table or MSR restored).
 */
#define WIN32_NO_STATUS   /* the STATUS_ codes come from <ntstatus.h>, not <winnt.h> */
#include <windef.h>
#include <winternl.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include "../lib/ntnative.h"
#include "hooksioctl.h"

static void Report(const char *What, NTSTATUS Status)
{
    printf("%s 0x%08X %s\n", What, (unsigned)Status, RtlNtStatusName(Status));
}

static HANDLE Open(PCWSTR Name, ULONG Disposition, NTSTATUS *Status)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    HANDLE h = 0;
    RtlInitUnicodeString(&name, Name);
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    *Status = NtCreateFile(&h, GENERIC_READ | GENERIC_WRITE, &oa, &iosb, NULL, FILE_ATTRIBUTE_NORMAL, 0,
                           Disposition, FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0);
    return h;
}

static NTSTATUS Ask(HANDLE Device, ULONG Code, HOOKS_STATE *State)
{
    IO_STATUS_BLOCK iosb;
    memset(State, 0, sizeof(*State));
    return NtDeviceIoControlFile(Device, NULL, NULL, NULL, &iosb, Code, NULL, 0, State, sizeof(*State));
}

int main(int argc, char **argv)
{
    NTSTATUS status;
    HOOKS_STATE state;
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER start = { .QuadPart = 0 };
    char data[8];

    static const struct { const char *kind; PCWSTR device; } hooks[] = {
        { "sst", L"\\??\\HooksSst" }, { "sysenter", L"\\??\\HooksSysenter" },
        { "star", L"\\??\\HooksStar" }, { "idt", L"\\??\\HooksIdt" },
    };
    PCWSTR deviceName = NULL;
    for (unsigned i = 0; argc >= 2 && i < sizeof(hooks) / sizeof(hooks[0]); i++)
        if (!strcmp(argv[1], hooks[i].kind))
            deviceName = hooks[i].device;
    if (!deviceName) {
        printf("usage: hooks sst|sysenter|star|idt [keep]\n");
        return 2;
    }
    const char *kind = argv[1];
    HANDLE device = Open(deviceName, FILE_OPEN, &status);
    if (!NT_SUCCESS(status)) {
        printf("hooks: open the %s device 0x%08X %s (load build/examples/hooks-%s.sys with --driver)\n", kind,
               (unsigned)status, RtlNtStatusName(status), kind);
        return 1;
    }
    HANDLE file = Open(L"\\??\\C:\\hooks.txt", FILE_OVERWRITE_IF, &status);
    NtWriteFile(file, NULL, NULL, NULL, &iosb, "hook", 4, &start, NULL);

    char what[64];
    snprintf(what, sizeof(what), "%s install", kind);
    status = Ask(device, IOCTL_HOOKS_INSTALL, &state);
    Report(what, status);
    printf("%s replaced %s\n", kind, state.Hook != state.Original ? "yes" : "no");
    ULONG before = state.Calls;
    for (int i = 0; i < 3; i++) {
        memset(data, 0, sizeof(data));
        snprintf(what, sizeof(what), "%s NtReadFile", kind);
        Report(what, NtReadFile(file, NULL, NULL, NULL, &iosb, data, 4, &start, NULL));
    }
    printf("%s data '%s'\n", kind, data);
    Ask(device, IOCTL_HOOKS_QUERY, &state);
    /* sst counts NtReadFile only; sysenter, star and idt every call through them, this query's own included */
    printf("%s hook-saw-calls %s\n", kind, state.Calls - before >= 3 ? "yes" : "no");
    if (argc > 2 && !strcmp(argv[2], "keep")) {
        printf("%s kept\n", kind);
    } else {
        snprintf(what, sizeof(what), "%s remove", kind);
        Report(what, Ask(device, IOCTL_HOOKS_REMOVE, &state));
        printf("%s restored %s\n", kind, state.Hook == state.Original ? "yes" : "no");
        snprintf(what, sizeof(what), "%s NtReadFile(after)", kind);
        Report(what, NtReadFile(file, NULL, NULL, NULL, &iosb, data, 4, &start, NULL));
    }
    NtClose(file);
    NtClose(device);
    return 0;
}
