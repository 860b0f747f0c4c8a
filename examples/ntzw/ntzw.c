/*
 * ntzw: the user-mode half of the articles' Nt-vs-Zw scenarios. Prints one
 * line per scenario step, "<scenario> <NTSTATUS hex> <NTSTATUS name>":
 *   1  NtReadFile and ZwReadFile are one ntdll stub and behave the same;
 *   5  a kernel-space pointer handed to NtWriteFile from ring 3 is an access
 *      violation, and the kernel carries on;
 *   6  a service number beyond the table is STATUS_INVALID_SYSTEM_SERVICE.
 * (2, 3, 4 and 6 from kernel mode need a driver acting for this thread.)
 */
#include <ntapi.h>

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

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
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

    NtClose(h);
    return 0;
}
