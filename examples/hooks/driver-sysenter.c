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
#include <intrin.h>

#define MSR_SYSENTER_EIP 0x176
#define CPUID_1_EDX_SEP  0x00000800   /* SYSENTER/SYSEXIT */

/* The kernel arms SYSENTER whenever the CPU has it (as NT does). */
static BOOLEAN HasFastSystemCall(void)
{
    int r[4];
    __cpuid(r, 1);
    return (r[3] & CPUID_1_EDX_SEP) != 0;
}

ULONG HookSysenterCalls;
ULONG HookSysenterOriginal;
extern void HookSysenterStub(void);
__asm__(".text\n"
        ".globl _HookSysenterStub\n"
        "_HookSysenterStub:\n"
        "    mov _HookSysenterCalls, %ecx\n"
        "    lea 1(%ecx), %ecx\n"
        "    mov %ecx, _HookSysenterCalls\n"
        "    jmp *_HookSysenterOriginal\n");

static ULONG ReadSysenterEip(void)
{
    return (ULONG)__readmsr(MSR_SYSENTER_EIP);
}

static NTSTATUS HookInstall(void)
{
    if (!HasFastSystemCall())
        return STATUS_NOT_IMPLEMENTED;   /* no SYSENTER, nothing to hook */
    if (!HookSysenterOriginal) {
        HookSysenterOriginal = ReadSysenterEip();
        __writemsr(MSR_SYSENTER_EIP, (ULONG)HookSysenterStub);
    }
    return STATUS_SUCCESS;
}

static NTSTATUS HookRemove(void)
{
    if (!HasFastSystemCall())
        return STATUS_NOT_IMPLEMENTED;
    if (HookSysenterOriginal) {
        __writemsr(MSR_SYSENTER_EIP, HookSysenterOriginal);
        HookSysenterOriginal = 0;
    }
    return STATUS_SUCCESS;
}

static HOOKS_STATE HookState(void)
{
    ULONG now = HasFastSystemCall() ? ReadSysenterEip() : 0;
    HOOKS_STATE state = { HookSysenterCalls, HookSysenterOriginal ? HookSysenterOriginal : now, now, 0 };
    return state;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return HookDeviceCreate(DriverObject, L"\\Device\\HooksSysenter", L"\\??\\HooksSysenter");
}
