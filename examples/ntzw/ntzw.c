/*
 * ntzw: the user-mode half of the articles' Nt-vs-Zw scenarios. Prints one
 * line per scenario step, "<scenario> <NTSTATUS hex> <NTSTATUS name>":
 *   1  NtReadFile and ZwReadFile are one ntdll stub and behave the same;
 *   5  a kernel-space pointer handed to NtWriteFile from ring 3 is an access
 *      violation, and the kernel carries on;
 *   6  a service number beyond the table is STATUS_INVALID_SYSTEM_SERVICE.
 * With the argument "kernel" (and `--driver=ntzw.sys`), the kernel-mode half,
 * done by the driver's dispatch routine acting for this thread:
 *   2  NtReadFile into a kernel buffer fails, ZwReadFile succeeds;
 *   3  NtReadFile with this process's buffers succeeds;
 *   6  an out-of-range number through a Zw-style call from kernel mode.
 * (4, the logging driver, is examples/ntvlog.)
 */
#define WIN32_NO_STATUS   /* the STATUS_ codes come from <ntstatus.h>, not <winnt.h> */
#include <windef.h>
#include <winternl.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include "../lib/ntnative.h"
#include "ntzwioctl.h"

#define KERNEL_ADDRESS ((PVOID)0x80100000)

static void Report(const char *Scenario, NTSTATUS Status)
{
    printf("%s 0x%08X %s\n", Scenario, (unsigned)Status, RtlNtStatusName(Status));
}

static HANDLE Open(ULONG Disposition)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    HANDLE h = 0;
    RtlInitUnicodeString(&name, L"\\??\\C:\\ntzw.txt");
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    NtCreateFile(&h, GENERIC_READ | GENERIC_WRITE, &oa, &iosb, NULL, FILE_ATTRIBUTE_NORMAL, 0, Disposition,
                 FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, NULL, 0);
    return h;
}

static NTSTATUS Ask(HANDLE Device, ULONG Code, PVOID In, ULONG InLength, NTZW_RESULT *Result)
{
    IO_STATUS_BLOCK iosb;
    memset(Result, 0, sizeof(*Result));
    return NtDeviceIoControlFile(Device, NULL, NULL, NULL, &iosb, Code, In, InLength, Result, sizeof(*Result));
}

static int KernelScenarios(HANDLE File)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    HANDLE device = 0;
    NTZW_RESULT r;
    RtlInitUnicodeString(&name, L"\\??\\NtZw");
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    NTSTATUS status = NtOpenFile(&device, GENERIC_READ | GENERIC_WRITE, &oa, &iosb, 0, 0);
    if (!NT_SUCCESS(status)) {
        Report("ntzw: open \\??\\NtZw (load build/examples/ntzw.sys with --driver)", status);
        return 1;
    }

    /* 2: kernel mode on behalf of this thread, a kernel buffer */
    status = Ask(device, IOCTL_NTZW_KERNEL_BUFFER, &File, sizeof(File), &r);
    printf("2 previous-mode %s\n", r.PreviousMode == 1 ? "User" : "Kernel");
    Report("2 NtReadFile(kernel-buffer)", NT_SUCCESS(status) ? r.Status[0] : status);
    Report("2 ZwReadFile(kernel-buffer)", NT_SUCCESS(status) ? r.Status[1] : status);
    printf("2 data '%s'\n", r.Data);

    /* 3: kernel mode, NtReadFile with this process's own buffers */
    char data[8] = { 0 };
    IO_STATUS_BLOCK readIosb = { { 0 }, 0 };
    LARGE_INTEGER start = { .QuadPart = 0 };
    NTZW_USER_READ read = { File, data, 4, &readIosb, &start };
    status = Ask(device, IOCTL_NTZW_USER_BUFFER, &read, sizeof(read), &r);
    Report("3 NtReadFile(user-buffer)", NT_SUCCESS(status) ? r.Status[0] : status);
    printf("3 data '%s' iosb %u\n", data, (unsigned)readIosb.Information);

    /* 6: out-of-range numbers through KiSystemService from kernel mode */
    static const ULONG numbers[] = { 0x11C, 0xFFF, 0x1000 };
    for (ULONG i = 0; i < ARRAYSIZE(numbers); i++) {
        char what[32];
        snprintf(what, sizeof(what), "6 kernel(0x%X)", (unsigned)numbers[i]);
        status = Ask(device, IOCTL_NTZW_SYSTEM_SERVICE, (PVOID)&numbers[i], sizeof(ULONG), &r);
        Report(what, NT_SUCCESS(status) ? r.Status[0] : status);
    }
    NtClose(device);
    return 0;
}

int main(int argc, char **argv)
{
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER start = { .QuadPart = 0 };
    char nt[8] = { 0 }, zw[8] = { 0 };

    HANDLE h = Open(FILE_OVERWRITE_IF);
    NtWriteFile(h, NULL, NULL, NULL, &iosb, "NtZw", 4, NULL, NULL);

    /* 1: one address, one behaviour */
    printf("1 same-address %s\n", (void *)NtReadFile == (void *)ZwReadFile ? "yes" : "no");
    Report("1 NtReadFile", NtReadFile(h, NULL, NULL, NULL, &iosb, nt, 4, &start, NULL));
    Report("1 ZwReadFile", ZwReadFile(h, NULL, NULL, NULL, &iosb, zw, 4, &start, NULL));
    printf("1 same-data %s\n", !memcmp(nt, zw, sizeof(nt)) && !strcmp(nt, "NtZw") ? "yes" : "no");
    Report("1 NtReadFile(kernel-buffer)", NtReadFile(h, NULL, NULL, NULL, &iosb, KERNEL_ADDRESS, 4, &start, NULL));
    Report("1 ZwReadFile(kernel-buffer)", ZwReadFile(h, NULL, NULL, NULL, &iosb, KERNEL_ADDRESS, 4, &start, NULL));

    /* 5: a pointer into kernel space, straight from ring 3 */
    Report("5 NtWriteFile(kernel-pointer)", NtWriteFile(h, NULL, NULL, NULL, &iosb, KERNEL_ADDRESS, 16, &start,
                                                        NULL));
    Report("5 NtWriteFile(kernel-alive)", NtWriteFile(h, NULL, NULL, NULL, &iosb, "ok", 2, &start, NULL));

    /* 6: numbers past KiServiceLimit (0x11C on XP SP1), and in an empty descriptor table */
    Report("6 user(0x11C)", RtlSystemCall(0x11C));
    Report("6 user(0xFFF)", RtlSystemCall(0xFFF));
    Report("6 user(0x1000)", RtlSystemCall(0x1000));

    int status = argc > 1 && !strcmp(argv[1], "kernel") ? KernelScenarios(h) : 0;
    NtClose(h);
    return status;
}
