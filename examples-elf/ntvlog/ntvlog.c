/*
 * ntvlog: scenario 4, the logging driver (run with --driver=ntvlog.sys).
 * For a log handle made without and then with OBJ_KERNEL_HANDLE, prints
 * "4 <step> <NTSTATUS hex> <NTSTATUS name>" for: opening the log from the
 * dispatch routine, writing from the dispatch routine, from a work item,
 * and from a work item queued by a timer's DPC -- and where each ran.
 * Then the log as user mode reads it back. `ntvlog dpc` makes the DPC
 * write itself: IRQL_NOT_LESS_OR_EQUAL.
 */
#include <ntapi.h>
#include "ntvlogioctl.h"

static NTVLOG_RESULT Request(HANDLE Device, ULONG Code, const void *In, ULONG InLength)
{
    IO_STATUS_BLOCK iosb;
    NTVLOG_RESULT r;
    memset(&r, 0, sizeof(r));
    NTSTATUS status = NtDeviceIoControlFile(Device, NULL, NULL, NULL, &iosb, Code, (PVOID)In, InLength, &r,
                                            sizeof(r));
    if (!NT_SUCCESS(status))
        r.Status = status;
    return r;
}

static void Report(const char *Variant, const char *Step, NTVLOG_RESULT r)
{
    printf("4 %s(%s) 0x%08X %s\n", Step, Variant, (unsigned)r.Status, RtlNtStatusName(r.Status));
}

static void Where(const char *Step, NTVLOG_RESULT r)
{
    printf("4 %s-ran-in %s irql %u\n", Step, r.Process, (unsigned)r.Irql);
}

static HANDLE Open(PCWSTR Name, ULONG Access, NTSTATUS *Status)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    HANDLE h = 0;
    RtlInitUnicodeString(&name, Name);
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    *Status = NtOpenFile(&h, Access, &oa, &iosb, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT);
    return h;
}

static void Variant(HANDLE Device, const char *Name, ULONG Attributes)
{
    NTVLOG_RESULT r = Request(Device, IOCTL_NTVLOG_OPEN, &Attributes, sizeof(Attributes));
    Report(Name, "ZwCreateFile", r);
    r = Request(Device, IOCTL_NTVLOG_WRITE, "dispatch\n", 9);
    Report(Name, "ZwWriteFile-dispatch", r);
    Where("dispatch", r);
    printf("4 handle(%s) %s\n", Name, (r.Handle & 0x80000000u) ? "kernel-table" : "process-table");
    r = Request(Device, IOCTL_NTVLOG_WRITE_WORKER, "work-item\n", 10);
    Report(Name, "ZwWriteFile-work-item", r);
    Where("work-item", r);
    r = Request(Device, IOCTL_NTVLOG_WRITE_TIMER, "timer-dpc-work-item\n", 20);
    Report(Name, "ZwWriteFile-timer-dpc-work-item", r);
    Report(Name, "ZwClose", Request(Device, IOCTL_NTVLOG_CLOSE, NULL, 0));
}

int main(int argc, char **argv)
{
    NTSTATUS status;
    HANDLE device = Open(L"\\??\\NtvLog", GENERIC_READ | GENERIC_WRITE, &status);
    if (!NT_SUCCESS(status)) {
        printf("ntvlog: open \\??\\NtvLog 0x%08X %s (load build/examples/ntvlog.sys with --driver)\n",
               (unsigned)status, RtlNtStatusName(status));
        return 1;
    }
    if (argc > 1 && !strcmp(argv[1], "dpc")) {
        ULONG attributes = OBJ_KERNEL_HANDLE;
        Request(device, IOCTL_NTVLOG_OPEN, &attributes, sizeof(attributes));
        Request(device, IOCTL_NTVLOG_WRITE_DPC, "from a DPC\n", 11);
        printf("ntvlog: the DPC's write returned\n");
        return 1;
    }
    Variant(device, "process-handle", 0);
    Variant(device, "kernel-handle", OBJ_KERNEL_HANDLE);
    NtClose(device);

    /* what reached the log */
    HANDLE log = Open(L"\\??\\C:\\ntvlog.txt", GENERIC_READ, &status);
    char text[256];
    IO_STATUS_BLOCK iosb;
    memset(text, 0, sizeof(text));
    status = NtReadFile(log, NULL, NULL, NULL, &iosb, text, sizeof(text) - 1, NULL, NULL);
    printf("4 log:\n%s", NT_SUCCESS(status) ? text : "");
    NtClose(log);
    return 0;
}
