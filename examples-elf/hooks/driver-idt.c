/*
 * hooks-idt.sys: the interrupt-gate hook. On IOCTL_HOOKS_INSTALL it reads
 * IDT vector 0x2E through SIDT, saves the gate's target (KiSystemService)
 * and points the gate at its own stub, which counts the call and jumps to
 * the original. The stub runs on the kernel stack with the CPU's interrupt
 * frame already pushed and EAX/EDX still the caller's, so it touches neither.
 * SYSENTER calls never pass through it.
 */
#include "hookdevice.h"

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

static NTSTATUS HookInstall(void)
{
    if (!HookIdtOriginal) {
        HookIdtOriginal = GateTarget();
        SetGateTarget((ULONG)HookIdtStub);
    }
    return STATUS_SUCCESS;
}

static NTSTATUS HookRemove(void)
{
    if (HookIdtOriginal) {
        SetGateTarget(HookIdtOriginal);
        HookIdtOriginal = 0;
    }
    return STATUS_SUCCESS;
}

static HOOKS_STATE HookState(void)
{
    HOOKS_STATE state = { HookIdtCalls, HookIdtOriginal ? HookIdtOriginal : GateTarget(), GateTarget(),
                          SYSTEM_SERVICE_VECTOR };
    return state;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return HookDeviceCreate(DriverObject, L"\\Device\\HooksIdt", L"\\??\\HooksIdt");
}
