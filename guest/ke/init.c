/*
 * KiSystemStartup: from the Multiboot hand-off to the first user process.
 * The boot information is untrusted: every address is checked against the
 * memory KSEG0 maps before it is touched.
 */
#include <ntvisor/abi.h>
#include "../inc/ke.h"
#include "../inc/mm.h"
#include "../inc/ps.h"
#include "../inc/ob.h"
#include "../inc/io.h"
#include "../inc/hal.h"
#include "../inc/rtl.h"
#include "../inc/ex.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002
#define MB_INFO_MEMORY   0x001
#define MB_INFO_CMDLINE  0x004
#define MB_INFO_MODS     0x008

typedef struct {
    ULONG Flags, MemLower, MemUpper, BootDevice, Cmdline, ModsCount, ModsAddr;
} MULTIBOOT_INFO;
typedef struct {
    ULONG ModStart, ModEnd, String, Reserved;
} MULTIBOOT_MODULE;

extern UCHAR KiImageEnd[];
extern UCHAR KiInitialStackTop[];
void KiInitializeServiceTables(const UCHAR *Module, ULONG ModuleSize);

NTSTATUS NTAPI NtYieldExecution(void);

static ULONG KiPhysicalTop;
static ULONG KiFirstFree;

static BOOLEAN KiRangeOk(ULONG Phys, ULONG Length)
{
    return Phys + Length >= Phys && Phys + Length <= KiPhysicalTop;
}

static void KiReserve(ULONG Phys, ULONG Length)
{
    if (Phys + Length > KiFirstFree)
        KiFirstFree = Phys + Length;
}

/* A NUL-terminated string inside physical memory, or NULL. */
static const char *KiBootString(ULONG Phys)
{
    if (!Phys || Phys >= KiPhysicalTop)
        return 0;
    const char *s = MmPhysicalToVirtual(Phys);
    ULONG n = 0;
    while (Phys + n < KiPhysicalTop && s[n])
        n++;
    if (Phys + n >= KiPhysicalTop)
        return 0;
    KiReserve(Phys, n + 1);
    return s;
}

static KI_SYSCALL_MECHANISM KiParseSyscallOption(const char *CommandLine)
{
    const ULONG keyLength = sizeof(NTV_CMDLINE_SYSCALL) - 1;
    for (const char *p = CommandLine; p && *p; p++) {
        if ((p == CommandLine || p[-1] == ' ') && !strncmp(p, NTV_CMDLINE_SYSCALL, keyLength)) {
            const char *v = p + keyLength;
            if (!strncmp(v, "int2e", 5) && (v[5] == ' ' || !v[5]))
                return SyscallInt2e;
            if (!strncmp(v, "sysenter", 8) && (v[8] == ' ' || !v[8]))
                return SyscallSysenter;
            if (!strncmp(v, "syscall", 7) && (v[7] == ' ' || !v[7]))
                return SyscallSyscall;
        }
    }
    return SyscallAuto;
}

static void KiGetModule(const MULTIBOOT_MODULE *Mods, ULONG Index, PS_IMAGE_SOURCE *Out)
{
    const MULTIBOOT_MODULE *m = &Mods[Index];
    if (m->ModEnd < m->ModStart || !KiRangeOk(m->ModStart, m->ModEnd - m->ModStart))
        KeBugCheckEx(PHASE0_INITIALIZATION_FAILED, 0x10 + Index, m->ModStart, m->ModEnd, 0);
    Out->Data = MmPhysicalToVirtual(m->ModStart);
    Out->Size = m->ModEnd - m->ModStart;
    Out->CommandLine = KiBootString(m->String);
    if (!Out->CommandLine)
        Out->CommandLine = "";
    KiReserve(m->ModStart, Out->Size);
}

/*
 * The modules after the program say what they are by the first word of
 * their command line. The next one from *Index on whose line is Word; its
 * line's rest (the name) in *Name.
 */
static BOOLEAN KiNextModule(const MULTIBOOT_MODULE *Mods, ULONG Count, const char *Word, ULONG *Index,
                            PS_IMAGE_SOURCE *Module, const char **Name)
{
    ULONG wordLength = strlen(Word);
    for (; *Index < Count; (*Index)++) {
        KiGetModule(Mods, *Index, Module);
        if (!strncmp(Module->CommandLine, Word, wordLength)) {
            *Name = Module->CommandLine + wordLength;
            (*Index)++;
            return TRUE;
        }
    }
    return FALSE;
}

/* "file NAME" seeds the RAM volume (\??\C:\NAME). */
static void KiLoadBootFiles(const MULTIBOOT_MODULE *Mods, ULONG Count)
{
    PS_IMAGE_SOURCE m;
    const char *name;
    for (ULONG i = NTV_MODULE_FIRST_EXTRA; KiNextModule(Mods, Count, NTV_MODULE_FILE_WORD, &i, &m, &name);) {
        NTSTATUS status = RamFsAddFile(name, m.Data, m.Size);
        if (!NT_SUCCESS(status))
            DbgPrint("ntoskrnl: cannot add file '%s' (%08X)\n", name, (ULONG)status);
    }
}

/* "driver NAME": boot drivers, in the order given; one that fails to load is reported and skipped. */
static void KiLoadBootDrivers(const MULTIBOOT_MODULE *Mods, ULONG Count)
{
    PS_IMAGE_SOURCE m;
    const char *name;
    for (ULONG i = NTV_MODULE_FIRST_EXTRA; KiNextModule(Mods, Count, NTV_MODULE_DRIVER_WORD, &i, &m, &name);) {
        NTSTATUS status = IopLoadDriver(name, m.Data, m.Size);
        if (!NT_SUCCESS(status))
            DbgPrint("ntoskrnl: driver '%s' not loaded (%08X)\n", name, (ULONG)status);
    }
}

void KiSystemStartup(ULONG Magic, ULONG InfoPhys)
{
    HalInitializeConsole();
    HalInitializePic();
    KiInitializeProcessor(KiInitialStackTop);
    PsInitSystem();

    if (Magic != MULTIBOOT_BOOTLOADER_MAGIC)
        KeBugCheckEx(PHASE0_INITIALIZATION_FAILED, 1, Magic, 0, 0);

    /* until the memory size is known, trust only the first MiB and the kernel */
    KiPhysicalTop = MmVirtualToPhysical(KiImageEnd);
    KiFirstFree = KiPhysicalTop;
    if (!KiRangeOk(InfoPhys, sizeof(MULTIBOOT_INFO)))
        KeBugCheckEx(PHASE0_INITIALIZATION_FAILED, 2, InfoPhys, 0, 0);
    const MULTIBOOT_INFO *info = MmPhysicalToVirtual(InfoPhys);
    if (!(info->Flags & MB_INFO_MEMORY) || info->MemUpper < 4096)
        KeBugCheckEx(PHASE0_INITIALIZATION_FAILED, 3, info->Flags, info->MemUpper, 0);
    KiPhysicalTop = 0x100000 + info->MemUpper * 1024;
    if (KiPhysicalTop > MI_KSEG0_LIMIT || KiPhysicalTop < 0x100000)
        KiPhysicalTop = MI_KSEG0_LIMIT;
    KiReserve(InfoPhys, sizeof(*info));

    const char *cmdline = (info->Flags & MB_INFO_CMDLINE) ? KiBootString(info->Cmdline) : 0;
    KI_SYSCALL_MECHANISM mechanism = KiSelectSystemCallMechanism(KiParseSyscallOption(cmdline));
    KiLoadFastSyscallMachineSpecificRegisters(mechanism);

    if (!(info->Flags & MB_INFO_MODS) || info->ModsCount < NTV_MODULE_COUNT_MIN ||
        info->ModsCount > 64 || !KiRangeOk(info->ModsAddr, info->ModsCount * sizeof(MULTIBOOT_MODULE)))
        KeBugCheckEx(PHASE0_INITIALIZATION_FAILED, 4, info->Flags, info->ModsCount, 0);
    const MULTIBOOT_MODULE *mods = MmPhysicalToVirtual(info->ModsAddr);
    KiReserve(info->ModsAddr, info->ModsCount * sizeof(MULTIBOOT_MODULE));

    PS_IMAGE_SOURCE ntdll, program;
    KiGetModule(mods, NTV_MODULE_NTDLL, &ntdll);
    KiGetModule(mods, NTV_MODULE_PROGRAM, &program);
    for (ULONG i = NTV_MODULE_FIRST_EXTRA; i < info->ModsCount; i++) {
        PS_IMAGE_SOURCE extra;
        KiGetModule(mods, i, &extra);   /* reserves its memory before the page allocator starts */
    }
    /* the build's numbering, before any service can be called */
    PS_IMAGE_SOURCE services;
    const char *build;
    ULONG next = NTV_MODULE_FIRST_EXTRA;
    if (KiNextModule(mods, info->ModsCount, NTV_MODULE_SERVICES_WORD, &next, &services, &build))
        KiInitializeServiceTables(services.Data, services.Size);
    else
        KiInitializeServiceTables(0, 0);

    MmInitSystem(KiFirstFree, KiPhysicalTop);
    MmUnmapIdentity();
    ObInitSystem();
    IoInitSystem();
    KiLoadBootFiles(mods, info->ModsCount);
    HalInitializeClock();
    KeStartClock();
    KiInitializeUserSharedData(mechanism);
    ExInitializeWorkerThreads();
    NtYieldExecution();   /* let the worker thread start and block on its queue */
    /* kernel page tables made from here on must exist before the first address space copies them */
    KiLoadBootDrivers(mods, info->ModsCount);

    NTSTATUS status = PspCreateInitialProcess(&program, &ntdll);
    KeBugCheckEx(PROCESS1_INITIALIZATION_FAILED, (ULONG)status, 0, 0, 0);
}
