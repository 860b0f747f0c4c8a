/*
 * Processor initialization: NT's GDT selectors, the IDT (exceptions and the
 * DPL-3 gates INT 2Eh to KiSystemService and INT 2Dh to KiDebugService), the TSS with the ring-0 stack, and
 * the MSRs of the fast system call: SYSENTER's, or STAR and EFER.SCE for
 * AMD's SYSCALL, both pointing at KiFastCallEntry.
 */
#include "../../inc/ke.h"

typedef struct _KGDTENTRY { ULONG Low, High; } KGDTENTRY;
typedef struct _KIDTENTRY { ULONG Low, High; } KIDTENTRY;
typedef struct { USHORT Limit; ULONG Base; } __attribute__((packed)) KDESCRIPTOR;

#define DESC_ACCESSED     0x01
#define DESC_RW           0x02   /* readable code / writable data */
#define DESC_CODE         0x08
#define DESC_S            0x10   /* code or data, not system */
#define DESC_DPL(d)       ((d) << 5)
#define DESC_PRESENT      0x80
#define DESC_TYPE_TSS32   0x09
#define GATE_INTERRUPT32  0x0E
#define FLAGS_DB_4K       0xC    /* 32-bit, 4 KiB granularity */

KGDTENTRY KiGdt[KGDT_ENTRIES] __attribute__((aligned(8)));
KIDTENTRY KiIdt[IDT_ENTRIES] __attribute__((aligned(8)));
KTSS KiTss __attribute__((aligned(16)));
PKTHREAD KiCurrentThread;

/* The processor control region: FS in kernel mode (KGDT_R0_PCR) points here. */
typedef struct _KPCR {
    struct _KPCR *SelfPcr;
    PKTSS Tss;
} KPCR;
KPCR KiPcr = { &KiPcr, &KiTss };

static void KiSetGdtEntry(ULONG Selector, ULONG Base, ULONG Limit, UCHAR Access, UCHAR Flags)
{
    KGDTENTRY *e = &KiGdt[Selector >> 3];
    e->Low = (Limit & 0xFFFF) | ((Base & 0xFFFF) << 16);
    e->High = ((Base >> 16) & 0xFF) | ((ULONG)Access << 8) | (Limit & 0xF0000) |
              ((ULONG)Flags << 20) | (Base & 0xFF000000);
}

static void KiSetIdtGate(ULONG Vector, PVOID Handler, UCHAR Dpl)
{
    ULONG offset = (ULONG)Handler;
    KiIdt[Vector].Low = (offset & 0xFFFF) | ((ULONG)KGDT_R0_CODE << 16);
    KiIdt[Vector].High = (offset & 0xFFFF0000) |
                         ((ULONG)(DESC_PRESENT | DESC_DPL(Dpl) | GATE_INTERRUPT32) << 8);
}

static void KiInitializeGdt(void)
{
    const UCHAR code = DESC_PRESENT | DESC_S | DESC_CODE | DESC_RW | DESC_ACCESSED;
    const UCHAR data = DESC_PRESENT | DESC_S | DESC_RW | DESC_ACCESSED;

    KiSetGdtEntry(KGDT_R0_CODE, 0, 0xFFFFF, code | DESC_DPL(0), FLAGS_DB_4K);
    KiSetGdtEntry(KGDT_R0_DATA, 0, 0xFFFFF, data | DESC_DPL(0), FLAGS_DB_4K);
    KiSetGdtEntry(KGDT_R3_CODE, 0, 0xFFFFF, code | DESC_DPL(3), FLAGS_DB_4K);
    KiSetGdtEntry(KGDT_R3_DATA, 0, 0xFFFFF, data | DESC_DPL(3), FLAGS_DB_4K);
    KiSetGdtEntry(KGDT_TSS, (ULONG)&KiTss, sizeof(KiTss) - 1, DESC_PRESENT | DESC_TYPE_TSS32, 0);
    KiSetGdtEntry(KGDT_R0_PCR, (ULONG)&KiPcr, sizeof(KiPcr) - 1, data | DESC_DPL(0), 0x4);
    KiSetGdtEntry(KGDT_R3_TEB, MM_TEB_ADDRESS, PAGE_SIZE - 1, data | DESC_DPL(3), 0x4);

    KDESCRIPTOR gdtr = { sizeof(KiGdt) - 1, (ULONG)KiGdt };
    __asm__ volatile(
        "lgdt %0\n\t"
        "ljmp %1, $1f\n"
        "1:\n\t"
        "mov %2, %%ds\n\t"
        "mov %2, %%es\n\t"
        "mov %2, %%ss\n\t"
        "mov %3, %%fs\n\t"
        "mov %4, %%gs\n\t"
        :: "m"(gdtr), "i"(KGDT_R0_CODE), "r"(KGDT_R0_DATA), "r"(KGDT_R0_PCR), "r"(0) : "memory");
}

extern void KiDebugService(void);   /* ke/i386/trap.S */

static void KiInitializeIdt(void)
{
    for (ULONG v = 0; v < 32; v++) {
        /* #BP and #OF may be raised by user code on purpose (INT3, INTO) */
        KiSetIdtGate(v, KiTrapHandlers[v], (v == 3 || v == 4) ? 3 : 0);
    }
    KiSetIdtGate(IDT_SYSTEM_SERVICE, (PVOID)KiSystemService, 3);
    KiSetIdtGate(IDT_DEBUG_SERVICE, (PVOID)KiDebugService, 3);

    KDESCRIPTOR idtr = { sizeof(KiIdt) - 1, (ULONG)KiIdt };
    __asm__ volatile("lidt %0" :: "m"(idtr));
}

static void KiInitializeTss(PVOID InitialStack)
{
    KiTss.Ss0 = KGDT_R0_DATA;
    KiTss.Esp0 = (ULONG)InitialStack;
    KiTss.IoMapBase = sizeof(KiTss);     /* no I/O permission map: ring 3 gets no ports */
    __asm__ volatile("ltr %w0" :: "r"(KGDT_TSS));
}

BOOLEAN KiHasFastSystemCall(void)
{
    ULONG r[4];
    __cpuid(1, r);
    return (r[3] & CPUID_1_EDX_SEP) != 0;
}

/* SYSCALL outside 64-bit mode is AMD's (K6 and later); Intel CPUs set the CPUID bit but raise #UD. */
BOOLEAN KiHasAmdSystemCall(void)
{
    ULONG r[4];
    __cpuid(0, r);
    BOOLEAN amd = r[1] == 0x68747541 && r[3] == 0x69746E65 && r[2] == 0x444D4163;   /* "AuthenticAMD" */
    __cpuid(CPUID_EXT_FEATURES & 0x80000000u, r);
    if (!amd || r[0] < CPUID_EXT_FEATURES)
        return FALSE;
    __cpuid(CPUID_EXT_FEATURES, r);
    return (r[3] & CPUID_EXT_EDX_SYSCALL) != 0;
}

/* KiServiceExit returns by SYSEXIT when TRUE, by SYSRET (KiSystemCallExit3) when FALSE. */
BOOLEAN KiFastSystemCallIsIA32 = TRUE;

/*
 * Arms the chosen mechanism. SYSENTER: CS (SS = CS + 8), ESP = &KiTss, EIP;
 * written whenever the CPU has SEP, as before SYSCALL existed here. SYSCALL:
 * STAR holds the entry and both code selectors (SYSRET gives ring 3
 * KGDT_R3_CODE and, at +8, KGDT_R3_DATA), and EFER.SCE turns it on.
 */
void KiLoadFastSyscallMachineSpecificRegisters(KI_SYSCALL_MECHANISM Mechanism)
{
    if (Mechanism == SyscallSyscall) {
        ULONGLONG star = (ULONGLONG)(KGDT_R3_CODE | RPL_USER) << 48 | (ULONGLONG)KGDT_R0_CODE << 32 |
                         (ULONG)KiFastCallEntry;
        __writemsr(MSR_STAR, star);
        __writemsr(MSR_EFER, __readmsr(MSR_EFER) | EFER_SCE);
        KiFastSystemCallIsIA32 = FALSE;
    } else if (KiHasFastSystemCall()) {
        __writemsr(MSR_SYSENTER_CS, KGDT_R0_CODE);
        __writemsr(MSR_SYSENTER_ESP, (ULONG)&KiTss);
        __writemsr(MSR_SYSENTER_EIP, (ULONG)KiFastCallEntry);
    }
}

void KiSetInterruptGate(ULONG Vector, PVOID Handler)
{
    KiSetIdtGate(Vector, Handler, 0);
}

void KiSetKernelStack(PVOID StackTop)
{
    KiTss.Esp0 = (ULONG)StackTop;
}

void KiInitializeProcessor(PVOID InitialStack)
{
    KiInitializeGdt();
    KiInitializeIdt();
    KiInitializeTss(InitialStack);
}
