/*
 * ntzw.sys: the kernel-mode half of the articles' Nt-vs-Zw scenarios. Its
 * dispatch routines run in the context of the user thread that sent the
 * IOCTL, so the thread's previous mode is still User:
 *   2  NtReadFile into a kernel buffer is probed as a user request and fails
 *      (STATUS_ACCESS_VIOLATION); ZwReadFile with the same buffer goes
 *      through KiSystemService, previous mode Kernel, and succeeds;
 *   3  NtReadFile with buffers of the calling process passes the probes;
 *   6  a Zw-style call (fake interrupt frame into KiSystemService) with a
 *      service number beyond the table is STATUS_INVALID_SYSTEM_SERVICE.
 */
#include "../../guest/inc/zw.h"
#include "../../guest/inc/rtl.h"
#include "ntzwioctl.h"

#define NTZW_TAG 0x775A744E   /* 'NtZw' */

/* mov eax, Number; lea edx, [esp+4]; pushfd; push KGDT_R0_CODE; call KiSystemService -- a ZwXxx stub */
NTSTATUS NTAPI NtzwSystemService(ULONG Number);
__asm__(".text\n"
        "NtzwSystemService:\n"
        "    mov 4(%esp), %eax\n"
        "    lea 8(%esp), %edx\n"
        "    pushf\n"
        "    push $0x08\n"
        "    call KiSystemService\n"
        "    ret $4\n");

static NTSTATUS Complete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS NTAPI NtzwCreateClose(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    return Complete(Irp, STATUS_SUCCESS, 0);
}

/* Scenario 2: the same kernel buffer through NtReadFile and through ZwReadFile. */
static void NtzwKernelBuffer(HANDLE File, NTZW_RESULT *Result)
{
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER start = { .QuadPart = 0 };
    char *buffer = ExAllocatePoolWithTag(NonPagedPool, sizeof(Result->Data), NTZW_TAG);
    if (!buffer) {
        Result->Status[0] = Result->Status[1] = STATUS_INSUFFICIENT_RESOURCES;
        return;
    }
    Result->Status[0] = NtReadFile(File, NULL, NULL, NULL, &iosb, buffer, 4, &start, NULL);
    Result->Status[1] = ZwReadFile(File, NULL, NULL, NULL, &iosb, buffer, 4, &start, NULL);
    memcpy(Result->Data, buffer, 4);
    ExFreePoolWithTag(buffer, NTZW_TAG);
}

static NTSTATUS NTAPI NtzwDeviceControl(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG in = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG out = stack->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    NTZW_RESULT result = { { 0, 0 }, ExGetPreviousMode(), { 0 } };

    if (out < sizeof(result))
        return Complete(Irp, STATUS_BUFFER_TOO_SMALL, 0);
    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_NTZW_KERNEL_BUFFER:
        if (in < sizeof(HANDLE))
            return Complete(Irp, STATUS_INVALID_PARAMETER, 0);
        NtzwKernelBuffer(*(HANDLE *)buffer, &result);
        break;
    case IOCTL_NTZW_USER_BUFFER: {
        NTZW_USER_READ r;
        if (in < sizeof(r))
            return Complete(Irp, STATUS_INVALID_PARAMETER, 0);
        memcpy(&r, buffer, sizeof(r));
        /* the caller's own pointers, checked by NtReadFile's probes as a user request's */
        result.Status[0] = NtReadFile(r.File, NULL, NULL, NULL, r.IoStatusBlock, r.Buffer, r.Length, r.ByteOffset,
                                      NULL);
        break;
    }
    case IOCTL_NTZW_SYSTEM_SERVICE:
        if (in < sizeof(ULONG))
            return Complete(Irp, STATUS_INVALID_PARAMETER, 0);
        result.Status[0] = NtzwSystemService(*(PULONG)buffer);
        break;
    default:
        return Complete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    memcpy(buffer, &result, sizeof(result));
    return Complete(Irp, STATUS_SUCCESS, sizeof(result));
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING deviceName, linkName;
    PDEVICE_OBJECT device;
    (void)RegistryPath;
    RtlInitUnicodeString(&deviceName, L"\\Device\\NtZw");
    RtlInitUnicodeString(&linkName, L"\\??\\NtZw");
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &deviceName, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = NtzwCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = NtzwCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = NtzwDeviceControl;
    return IoCreateSymbolicLink(&linkName, &deviceName);
}
