/*
 * hooks-star.sys: the SYSCALL hook. On IOCTL_HOOKS_INSTALL it reads STAR
 * (MSR 0xC0000081), whose bits 31:0 are the legacy-mode SYSCALL entry
 * (KiFastCallEntry), saves them and writes the address of its own stub,
 * which counts the call and jumps to the original. SYSCALL leaves ESP at the
 * caller's user stack, so the stub may not push: it counts through ECX (the
 * return EIP SYSCALL left there, which KiFastCallEntry does not use) and
 * leaves EFLAGS alone. Only calls made by SYSCALL pass through it; with
 * SYSCALL off (EFER.SCE clear) there is nothing to hook.
 */
#include "hookdevice.h"
#include <intrin.h>

#define MSR_EFER 0xC0000080
#define MSR_STAR 0xC0000081   /* SYSCALL EIP (31:0), SYSCALL CS (47:32), SYSRET CS (63:48) */
#define EFER_SCE 0x00000001   /* SYSCALL/SYSRET enabled */

ULONG HookStarCalls;
ULONG HookStarOriginal;
extern void HookStarStub(void);
__asm__(".text\n"
        ".globl _HookStarStub\n"
        "_HookStarStub:\n"
        "    mov _HookStarCalls, %ecx\n"
        "    lea 1(%ecx), %ecx\n"
        "    mov %ecx, _HookStarCalls\n"
        "    jmp *_HookStarOriginal\n");

static BOOLEAN SyscallEnabled(void)
{
    return (__readmsr(MSR_EFER) & EFER_SCE) != 0;
}

/* STAR with a new entry, its selector fields (63:32) kept */
static void WriteStarEntry(ULONG Entry)
{
    __writemsr(MSR_STAR, (__readmsr(MSR_STAR) & 0xFFFFFFFF00000000ull) | Entry);
}

static NTSTATUS HookInstall(void)
{
    if (!SyscallEnabled())
        return STATUS_NOT_IMPLEMENTED;
    if (!HookStarOriginal) {
        HookStarOriginal = (ULONG)__readmsr(MSR_STAR);
        WriteStarEntry((ULONG)HookStarStub);
    }
    return STATUS_SUCCESS;
}

static NTSTATUS HookRemove(void)
{
    if (!SyscallEnabled())
        return STATUS_NOT_IMPLEMENTED;
    if (HookStarOriginal) {
        WriteStarEntry(HookStarOriginal);
        HookStarOriginal = 0;
    }
    return STATUS_SUCCESS;
}

static HOOKS_STATE HookState(void)
{
    ULONG now = SyscallEnabled() ? (ULONG)__readmsr(MSR_STAR) : 0;
    HOOKS_STATE state = { HookStarCalls, HookStarOriginal ? HookStarOriginal : now, now, 0 };
    return state;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return HookDeviceCreate(DriverObject, L"\\Device\\HooksStar", L"\\??\\HooksStar");
}
