/*
 * hooks-sysenter.sys: the SYSENTER hook. On IOCTL_HOOKS_INSTALL it reads
 * SYSENTER_EIP (MSR 0x176, KiFastCallEntry), saves it and writes the
 * address of its own stub, which counts the call and jumps to the original.
 * The stub runs before KiFastCallEntry has a stack -- ESP is still
 * SYSENTER_ESP, which points at KiTss, not at a stack -- so it may not push:
 * it counts through ECX (which the SYSEXIT return clobbers anyway) and
 * leaves EFLAGS alone. INT 2Eh calls never pass through it.
 */
#include "../../guest/inc/zw.h"
#include "../../guest/inc/rtl.h"
#include "hooksioctl.h"

ULONG HookSysenterCalls;
ULONG HookSysenterOriginal;
extern void HookSysenterStub(void);
__asm__(".text\n"
        ".globl HookSysenterStub\n"
        "HookSysenterStub:\n"
        "    mov HookSysenterCalls, %ecx\n"
        "    lea 1(%ecx), %ecx\n"
        "    mov %ecx, HookSysenterCalls\n"
        "    jmp *HookSysenterOriginal\n");

static ULONG ReadSysenterEip(void)
{
    ULONG lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_SYSENTER_EIP));
    return lo;
}

static NTSTATUS NTAPI HooksCreateClose(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI HooksDeviceControl(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    Irp->IoStatus.Information = 0;
    if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(HOOKS_STATE))
        return Irp->IoStatus.Status = STATUS_BUFFER_TOO_SMALL;
    if (!KiHasFastSystemCall())
        return Irp->IoStatus.Status = STATUS_NOT_IMPLEMENTED;   /* no SYSENTER, nothing to hook */
    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_HOOKS_INSTALL:
        if (!HookSysenterOriginal) {
            HookSysenterOriginal = ReadSysenterEip();
            __writemsr(MSR_SYSENTER_EIP, (ULONG)HookSysenterStub);
        }
        break;
    case IOCTL_HOOKS_REMOVE:
        if (HookSysenterOriginal) {
            __writemsr(MSR_SYSENTER_EIP, HookSysenterOriginal);
            HookSysenterOriginal = 0;
        }
        break;
    case IOCTL_HOOKS_QUERY:
        break;
    default:
        return Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    }
    HOOKS_STATE state = { HookSysenterCalls, HookSysenterOriginal ? HookSysenterOriginal : ReadSysenterEip(),
                          ReadSysenterEip(), 0 };
    memcpy(Irp->AssociatedIrp.SystemBuffer, &state, sizeof(state));
    Irp->IoStatus.Information = sizeof(state);
    return Irp->IoStatus.Status = STATUS_SUCCESS;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING deviceName, linkName;
    PDEVICE_OBJECT device;
    (void)RegistryPath;
    RtlInitUnicodeString(&deviceName, L"\\Device\\HooksSysenter");
    RtlInitUnicodeString(&linkName, L"\\??\\HooksSysenter");
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &deviceName, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = HooksCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = HooksCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = HooksDeviceControl;
    return IoCreateSymbolicLink(&linkName, &deviceName);
}
