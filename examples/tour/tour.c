/*
 * tour: what `make run` traces. Each step makes one point of the articles,
 * visible in the trace that ntvisor records from outside the guest:
 *   - the same service through both mechanisms: ntdll's stub (SYSENTER, or
 *     INT 2Eh on a CPU without SEP) and a raw INT 2Eh through the DPL-3 gate;
 *   - Nt and Zw from user mode: one ntdll stub, two names;
 *   - a kernel-mode Nt call: NtOpenFile calls NtCreateFile directly, without
 *     KiSystemService (seen with --deep=NtCreateFile, via=direct);
 *   - Nt and Zw from kernel mode, by the ntzw driver acting for this thread
 *     (--driver=ntzw.sys): NtReadFile keeps previous mode User and refuses a
 *     kernel buffer; ZwReadFile goes through KiSystemService as kernel-zw,
 *     previous mode Kernel, and succeeds;
 *   - failing calls: a kernel pointer from ring 3, a closed handle, a service
 *     number past the table.
 */
#define WIN32_NO_STATUS   /* the STATUS_ codes come from <ntstatus.h>, not <winnt.h> */
#include <windef.h>
#include <winternl.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include "../lib/ntnative.h"
#include "../ntzw/ntzwioctl.h"

#define KERNEL_ADDRESS ((PVOID)0x80100000)
#define NT_DISPLAY_STRING_XP_SP1 0x43

static void Say(PCWSTR Text)
{
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, Text);
    NtDisplayString(&s);
}

/* INT 2Eh straight from this code: EAX = service, EDX = its arguments. */
static NTSTATUS RawInt2e(ULONG Service, PVOID Arguments)
{
    NTSTATUS status;
    __asm__ volatile("int $0x2e" : "=a"(status) : "a"(Service), "d"(Arguments) : "ecx", "memory");
    return status;
}

static HANDLE OpenLog(ULONG Disposition, BOOLEAN Create)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    HANDLE h = 0;
    RtlInitUnicodeString(&name, L"\\??\\C:\\tour.log");
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (Create)
        NtCreateFile(&h, GENERIC_READ | GENERIC_WRITE, &oa, &iosb, NULL, FILE_ATTRIBUTE_NORMAL, 0, Disposition,
                     FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, NULL, 0);
    else
        NtOpenFile(&h, GENERIC_READ, &oa, &iosb, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT);
    return h;
}

/* Asks the ntzw driver, if it is loaded, to read File from kernel mode with Nt and with Zw. */
static void KernelModeNtAndZw(HANDLE File)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    HANDLE device = 0;
    NTZW_RESULT r;
    RtlInitUnicodeString(&name, L"\\??\\NtZw");
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (!NT_SUCCESS(NtOpenFile(&device, GENERIC_READ | GENERIC_WRITE, &oa, &iosb, 0, 0))) {
        printf("tour: no ntzw driver (run with --driver=build/examples/ntzw.sys)\n");
        return;
    }
    memset(&r, 0, sizeof(r));
    NtDeviceIoControlFile(device, NULL, NULL, NULL, &iosb, IOCTL_NTZW_KERNEL_BUFFER, &File, sizeof(File), &r,
                          sizeof(r));
    printf("tour: in kernel mode, NtReadFile into a kernel buffer: %s\n", RtlNtStatusName(r.Status[0]));
    printf("tour: in kernel mode, ZwReadFile into a kernel buffer: %s\n", RtlNtStatusName(r.Status[1]));
    NtClose(device);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER start = { .QuadPart = 0 };
    char buffer[16] = { 0 };

    Say(L"tour: NtDisplayString through SharedUserData!SystemCallStub\n");
    UNICODE_STRING raw;
    RtlInitUnicodeString(&raw, L"tour: NtDisplayString through a raw INT 2Eh\n");
    PUNICODE_STRING rawArgs[1] = { &raw };
    RawInt2e(NT_DISPLAY_STRING_XP_SP1, rawArgs);

    HANDLE log = OpenLog(FILE_OVERWRITE_IF, TRUE);
    NtWriteFile(log, NULL, NULL, NULL, &iosb, "tour", 4, NULL, NULL);
    ZwReadFile(log, NULL, NULL, NULL, &iosb, buffer, 4, &start, NULL);
    NtClose(log);

    HANDLE again = OpenLog(0, FALSE);
    KernelModeNtAndZw(again);
    NTSTATUS status = NtReadFile(again, NULL, NULL, NULL, &iosb, KERNEL_ADDRESS, 4, &start, NULL);
    printf("tour: NtReadFile into kernel memory from ring 3: %s\n", RtlNtStatusName(status));
    NtClose(again);
    status = NtClose(again);
    printf("tour: NtClose of a closed handle: %s\n", RtlNtStatusName(status));
    status = RtlSystemCall(0x11C);
    printf("tour: service 0x11C, past KiServiceLimit: %s\n", RtlNtStatusName(status));
    return 0;
}
