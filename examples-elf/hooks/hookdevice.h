/*
 * What the three hook drivers share: a device that hooks.exe opens, and an
 * IOCTL dispatch that installs, removes or queries the hook. Each driver
 * defines the three functions below and calls HookDeviceCreate from its
 * DriverEntry.
 */
#ifndef HOOKS_HOOKDEVICE_H
#define HOOKS_HOOKDEVICE_H

#include "../../guest/inc/zw.h"
#include "../../guest/inc/rtl.h"
#include "hooksioctl.h"

static NTSTATUS HookInstall(void);
static NTSTATUS HookRemove(void);
static HOOKS_STATE HookState(void);

static NTSTATUS NTAPI HookCreateClose(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI HookDeviceControl(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;
    Irp->IoStatus.Information = 0;
    if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(HOOKS_STATE))
        return Irp->IoStatus.Status = STATUS_BUFFER_TOO_SMALL;
    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_HOOKS_INSTALL: status = HookInstall(); break;
    case IOCTL_HOOKS_REMOVE:  status = HookRemove(); break;
    case IOCTL_HOOKS_QUERY:   status = STATUS_SUCCESS; break;
    default:                  return Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    }
    HOOKS_STATE state = HookState();
    memcpy(Irp->AssociatedIrp.SystemBuffer, &state, sizeof(state));
    Irp->IoStatus.Information = sizeof(state);
    return Irp->IoStatus.Status = status;
}

/* \Device\<Name>, linked as \??\<Name> for user mode. */
static NTSTATUS HookDeviceCreate(PDRIVER_OBJECT DriverObject, PCWSTR DeviceName, PCWSTR LinkName)
{
    UNICODE_STRING deviceName, linkName;
    PDEVICE_OBJECT device;
    RtlInitUnicodeString(&deviceName, DeviceName);
    RtlInitUnicodeString(&linkName, LinkName);
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &deviceName, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = HookCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = HookCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = HookDeviceControl;
    return IoCreateSymbolicLink(&linkName, &deviceName);
}

#endif
