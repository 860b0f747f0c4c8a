/*
 * hooks-sysenter.sys: the SYSENTER hook. On IOCTL_HOOKS_INSTALL it reads
 * SYSENTER_EIP (MSR 0x176, KiFastCallEntry), saves it and writes the
 * address of its own stub, which counts the call and jumps to the original.
 * The stub runs before KiFastCallEntry has a stack -- ESP is still
 * SYSENTER_ESP, which points at KiTss, not at a stack -- so it may not push:
 * it counts through ECX (which the SYSEXIT return clobbers anyway) and
 * leaves EFLAGS alone. INT 2Eh calls never pass through it.
 */
#include "hookdevice.h"

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

static NTSTATUS HookInstall(void)
{
    if (!KiHasFastSystemCall())
        return STATUS_NOT_IMPLEMENTED;   /* no SYSENTER, nothing to hook */
    if (!HookSysenterOriginal) {
        HookSysenterOriginal = ReadSysenterEip();
        __writemsr(MSR_SYSENTER_EIP, (ULONG)HookSysenterStub);
    }
    return STATUS_SUCCESS;
}

static NTSTATUS HookRemove(void)
{
    if (!KiHasFastSystemCall())
        return STATUS_NOT_IMPLEMENTED;
    if (HookSysenterOriginal) {
        __writemsr(MSR_SYSENTER_EIP, HookSysenterOriginal);
        HookSysenterOriginal = 0;
    }
    return STATUS_SUCCESS;
}

static HOOKS_STATE HookState(void)
{
    ULONG now = KiHasFastSystemCall() ? ReadSysenterEip() : 0;
    HOOKS_STATE state = { HookSysenterCalls, HookSysenterOriginal ? HookSysenterOriginal : now, now, 0 };
    return state;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return HookDeviceCreate(DriverObject, L"\\Device\\HooksSysenter", L"\\??\\HooksSysenter");
}
