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

ULONG HookStarCalls;
ULONG HookStarOriginal;
extern void HookStarStub(void);
__asm__(".text\n"
        ".globl HookStarStub\n"
        "HookStarStub:\n"
        "    mov HookStarCalls, %ecx\n"
        "    lea 1(%ecx), %ecx\n"
        "    mov %ecx, HookStarCalls\n"
        "    jmp *HookStarOriginal\n");

static ULONGLONG ReadMsr(ULONG Index)
{
    ULONG lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(Index));
    return (ULONGLONG)hi << 32 | lo;
}

static BOOLEAN SyscallEnabled(void)
{
    return (ReadMsr(MSR_EFER) & EFER_SCE) != 0;
}

/* STAR with a new entry, its selector fields (63:32) kept */
static void WriteStarEntry(ULONG Entry)
{
    __writemsr(MSR_STAR, (ReadMsr(MSR_STAR) & 0xFFFFFFFF00000000ull) | Entry);
}

static NTSTATUS HookInstall(void)
{
    if (!SyscallEnabled())
        return STATUS_NOT_IMPLEMENTED;
    if (!HookStarOriginal) {
        HookStarOriginal = (ULONG)ReadMsr(MSR_STAR);
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
    ULONG now = SyscallEnabled() ? (ULONG)ReadMsr(MSR_STAR) : 0;
    HOOKS_STATE state = { HookStarCalls, HookStarOriginal ? HookStarOriginal : now, now, 0 };
    return state;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return HookDeviceCreate(DriverObject, L"\\Device\\HooksStar", L"\\??\\HooksStar");
}
