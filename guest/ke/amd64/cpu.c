/*
 * Processor initialization, amd64: NT's x64 GDT (KGDT64_*), the 64-bit TSS
 * with the ring-0 stack, the IDT of 16-byte gates (exceptions, and the DPL-3
 * gates INT 2Eh to KiSystemService and INT 2Dh to KiDebugService), the KPCR
 * reached through GS, and the MSRs of SYSCALL: LSTAR = KiSystemCall64, STAR's
 * two selector bases, SFMASK, EFER.SCE.
 */
#include "../../inc/ke.h"

typedef struct _KIDTENTRY64 { ULONG OffsetLowSelector, Flags, OffsetHigh, Reserved; } KIDTENTRY64;
typedef struct { USHORT Limit; ULONGLONG Base; } __attribute__((packed)) KDESCRIPTOR64;

#define GDT64_CODE(dpl)   (0x00209A0000000000ull | (ULONGLONG)(dpl) << 45)   /* L=1, P, S, code, readable */
#define GDT64_CODE32(dpl) (0x00CF9A000000FFFFull | (ULONGLONG)(dpl) << 45)   /* compatibility mode */
#define GDT64_DATA(dpl)   (0x00CF92000000FFFFull | (ULONGLONG)(dpl) << 45)
#define DESC_TYPE_TSS64   0x9
#define GATE_INTERRUPT64  0xE
#define DESC_PRESENT      0x80

ULONGLONG KiGdt[KGDT64_ENTRIES] __attribute__((aligned(16)));
KIDTENTRY64 KiIdt[IDT_ENTRIES] __attribute__((aligned(16)));
KTSS KiTss __attribute__((aligned(16)));
KPCR KiPcr __attribute__((aligned(16)));
PKTHREAD KiCurrentThread;

extern void KiSystemCall64(void);
extern void KiDebugService(void);

static void KiSetTssDescriptor(void)
{
    ULONGLONG base = (ULONG_PTR)&KiTss, limit = sizeof(KiTss) - 1;
    KiGdt[KGDT64_SYS_TSS >> 3] = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 |
                                 (ULONGLONG)(DESC_PRESENT | DESC_TYPE_TSS64) << 40 |
                                 ((base >> 24) & 0xFF) << 56;
    KiGdt[(KGDT64_SYS_TSS >> 3) + 1] = base >> 32;
}

static void KiInitializeGdt(void)
{
    KiGdt[KGDT64_R0_CODE >> 3] = GDT64_CODE(0);
    KiGdt[KGDT64_R0_DATA >> 3] = GDT64_DATA(0);
    KiGdt[KGDT64_R3_CMCODE >> 3] = GDT64_CODE32(3);
    KiGdt[KGDT64_R3_DATA >> 3] = GDT64_DATA(3);
    KiGdt[KGDT64_R3_CODE >> 3] = GDT64_CODE(3);
    KiSetTssDescriptor();

    KDESCRIPTOR64 gdtr = { sizeof(KiGdt) - 1, (ULONG_PTR)KiGdt };
    __asm__ volatile(
        "lgdt %0\n\t"
        "pushq %1\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "mov %2, %%ds\n\t"
        "mov %2, %%es\n\t"
        "mov %2, %%ss\n\t"
        "mov %3, %%fs\n\t"
        "mov %3, %%gs\n\t"
        :: "m"(gdtr), "i"(KGDT64_R0_CODE), "r"(KGDT64_R0_DATA), "r"(0) : "rax", "memory");
}

static void KiSetIdtGate(ULONG Vector, PVOID Handler, UCHAR Dpl)
{
    ULONG_PTR offset = (ULONG_PTR)Handler;
    KiIdt[Vector].OffsetLowSelector = (ULONG)(offset & 0xFFFF) | (ULONG)KGDT64_R0_CODE << 16;
    KiIdt[Vector].Flags = (ULONG)(offset & 0xFFFF0000) | (ULONG)(DESC_PRESENT | Dpl << 5 | GATE_INTERRUPT64) << 8;
    KiIdt[Vector].OffsetHigh = (ULONG)(offset >> 32);
    KiIdt[Vector].Reserved = 0;
}

static void KiInitializeIdt(void)
{
    for (ULONG v = 0; v < 32; v++)
        KiSetIdtGate(v, KiTrapHandlers[v], (v == 3 || v == 4) ? 3 : 0);   /* INT3 and INTO from user code */
    KiSetIdtGate(IDT_SYSTEM_SERVICE, (PVOID)KiSystemService, 3);
    KiSetIdtGate(IDT_DEBUG_SERVICE, (PVOID)KiDebugService, 3);

    KDESCRIPTOR64 idtr = { sizeof(KiIdt) - 1, (ULONG_PTR)KiIdt };
    __asm__ volatile("lidt %0" :: "m"(idtr));
}

/* GS is the KPCR's in kernel mode; the user's (its TEB) waits in KERNEL_GS_BASE for SWAPGS. */
static void KiInitializePcr(void)
{
    KiPcr.Self = &KiPcr;
    KiPcr.GdtBase = (ULONG_PTR)KiGdt;
    KiPcr.TssBase = (ULONG_PTR)&KiTss;
    __writemsr(MSR_GS_BASE, (ULONG_PTR)&KiPcr);
    __writemsr(MSR_KERNEL_GS_BASE, MM_TEB_ADDRESS);
}

void KiSetKernelStack(PVOID StackTop)
{
    KiTss.Rsp0 = (ULONG_PTR)StackTop;
    KiPcr.RspBase = (ULONG_PTR)StackTop;
}

void KiInitializeProcessor(PVOID InitialStack)
{
    KiInitializeGdt();
    KiInitializeIdt();
    KiInitializePcr();
    KiTss.IoMapBase = sizeof(KiTss);   /* no I/O permission map: ring 3 gets no ports */
    KiSetKernelStack(InitialStack);
    __asm__ volatile("ltr %w0" :: "r"(KGDT64_SYS_TSS));
}

void KiSetInterruptGate(ULONG Vector, PVOID Handler)
{
    KiSetIdtGate(Vector, Handler, 0);
}

/* SYSENTER is not NT x64's way in (AMD has none in long mode). */
BOOLEAN KiHasFastSystemCall(void)
{
    return FALSE;
}

/* SYSCALL always exists in long mode. */
BOOLEAN KiHasAmdSystemCall(void)
{
    return TRUE;
}

/*
 * LSTAR = KiSystemCall64; STAR: SYSCALL's CS 0x10 (SS 0x18), SYSRET's base
 * 0x23 (SYSRETQ gives CS 0x33, SS 0x2B); SFMASK clears IF, TF, DF, NT, IOPL
 * and AC on entry; EFER.SCE turns SYSCALL on. Written whatever the
 * mechanism: INT 2Eh users only stop using it (SharedUserData says so).
 */
void KiLoadFastSyscallMachineSpecificRegisters(KI_SYSCALL_MECHANISM Mechanism)
{
    (void)Mechanism;
    __writemsr(MSR_STAR, (ULONGLONG)KI_STAR_SYSRET_BASE << 48 | (ULONGLONG)KI_STAR_SYSCALL_CS << 32);
    __writemsr(MSR_LSTAR, (ULONG_PTR)KiSystemCall64);
    __writemsr(MSR_SFMASK, KI_SYSCALL_FLAGS_MASK);
    __writemsr(MSR_EFER, __readmsr(MSR_EFER) | EFER_SCE);
}
