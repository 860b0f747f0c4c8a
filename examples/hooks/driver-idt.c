/*
 * hooks-idt.sys: the interrupt-gate hook. On IOCTL_HOOKS_INSTALL it reads
 * IDT vector 0x2E through SIDT, saves the gate's target (KiSystemService)
 * and points the gate at its own stub, which counts the call and jumps to
 * the original. The stub runs on the kernel stack with the CPU's interrupt
 * frame already pushed and EAX/EDX still the caller's, so it touches neither.
 * SYSENTER calls never pass through it.
 */
#include "../../guest/inc/zw.h"
#include "../../guest/inc/rtl.h"
#include "hooksioctl.h"

#define SYSTEM_SERVICE_VECTOR 0x2E

ULONG HookIdtCalls;
ULONG HookIdtOriginal;
extern void HookIdtStub(void);
__asm__(".text\n"
        ".globl HookIdtStub\n"
        "HookIdtStub:\n"
        "    lock incl HookIdtCalls\n"
        "    jmp *HookIdtOriginal\n");

typedef struct { USHORT Limit; ULONG Base; } __attribute__((packed)) IDTR;

static volatile ULONG *GateOf(ULONG Vector)
{
    IDTR idtr;
    __asm__ volatile("sidt %0" : "=m"(idtr));
    return (volatile ULONG *)(idtr.Base + Vector * 8);
}

static ULONG GateTarget(void)
{
    volatile ULONG *gate = GateOf(SYSTEM_SERVICE_VECTOR);
    return (gate[0] & 0xFFFF) | (gate[1] & 0xFFFF0000);
}

/* Rewrites the gate's offset, leaving selector, type and DPL as they are. */
static void SetGateTarget(ULONG Target)
{
    volatile ULONG *gate = GateOf(SYSTEM_SERVICE_VECTOR);
    ULONG flags;
    __asm__ volatile("pushf; pop %0; cli" : "=r"(flags));
    gate[0] = (gate[0] & 0xFFFF0000) | (Target & 0xFFFF);
    gate[1] = (gate[1] & 0x0000FFFF) | (Target & 0xFFFF0000);
    __asm__ volatile("push %0; popf" :: "r"(flags) : "cc");
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
    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_HOOKS_INSTALL:
        if (!HookIdtOriginal) {
            HookIdtOriginal = GateTarget();
            SetGateTarget((ULONG)HookIdtStub);
        }
        break;
    case IOCTL_HOOKS_REMOVE:
        if (HookIdtOriginal) {
            SetGateTarget(HookIdtOriginal);
            HookIdtOriginal = 0;
        }
        break;
    case IOCTL_HOOKS_QUERY:
        break;
    default:
        return Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    }
    HOOKS_STATE state = { HookIdtCalls, HookIdtOriginal ? HookIdtOriginal : GateTarget(), GateTarget(),
                          SYSTEM_SERVICE_VECTOR };
    memcpy(Irp->AssociatedIrp.SystemBuffer, &state, sizeof(state));
    Irp->IoStatus.Information = sizeof(state);
    return Irp->IoStatus.Status = STATUS_SUCCESS;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING deviceName, linkName;
    PDEVICE_OBJECT device;
    (void)RegistryPath;
    RtlInitUnicodeString(&deviceName, L"\\Device\\HooksIdt");
    RtlInitUnicodeString(&linkName, L"\\??\\HooksIdt");
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &deviceName, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = HooksCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = HooksCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = HooksDeviceControl;
    return IoCreateSymbolicLink(&linkName, &deviceName);
}
