/*
 * The first user process: a fresh address space sharing the kernel half,
 * SharedUserData's read-only view, ntdll, the program, a stack, the
 * process heap's region, PEB/TEB with the command line, and a trap frame
 * that IRETs into ring 3.
 */
#include "../inc/ps.h"
#include "../inc/mm.h"
#include "../inc/rtl.h"
#include "../inc/pebteb.h"
#include "../inc/hal.h"
#include "../inc/image.h"

#define PSP_KERNEL_STACK_SIZE 0x4000
/* the process parameters follow the PEB in its page, then their strings */
#define PSP_PEB_PARAMETERS_OFFSET ((sizeof(PEB) + 0xFF) & ~0xFF)

/* Processes and threads are objects (a pseudo-handle refers to them); these live forever. */
#define PSP_PROCESS_ALL_ACCESS 0x001F0FFF
#define PSP_THREAD_ALL_ACCESS  0x001F03FF
OBJECT_TYPE PsProcessType[1] = { { "Process", { 0x00020410, 0x00020BEA, 0x00120000, PSP_PROCESS_ALL_ACCESS },
                                   PSP_PROCESS_ALL_ACCESS, 0, 0, 0, 0 } };
OBJECT_TYPE PsThreadType[1] = { { "Thread", { 0x00020048, 0x00020037, 0x00120000, PSP_THREAD_ALL_ACCESS },
                                  PSP_THREAD_ALL_ACCESS, 0, 0, 0, 0 } };
#define PSP_STATIC_OBJECT(type, body, name) \
    static struct { OBJECT_HEADER Header; body Body; } name = { .Header = { .PointerCount = 1, .Type = type } }
PSP_STATIC_OBJECT(PsProcessType, EPROCESS, PspSystemProcessObject);
PSP_STATIC_OBJECT(PsThreadType, ETHREAD, PspSystemThreadObject);
PSP_STATIC_OBJECT(PsProcessType, EPROCESS, PspUserProcessObject);
PSP_STATIC_OBJECT(PsThreadType, ETHREAD, PspUserThreadObject);
PEPROCESS PsInitialSystemProcess = &PspSystemProcessObject.Body;
#define PspSystemThread PspSystemThreadObject.Body
static UCHAR PspUserThreadKernelStack[PSP_KERNEL_STACK_SIZE] __attribute__((aligned(16)));
extern ULONG KiUserSharedDataPhysical;
extern UCHAR KiInitialStackTop[];

void PsInitSystem(void)
{
    PsInitialSystemProcess->UniqueProcessId = 4;
    PsInitialSystemProcess->DirectoryTableBase = __readcr3();
    memcpy(PsInitialSystemProcess->ImageFileName, "System", 7);
    ObpInitializeHandleTable(&PsInitialSystemProcess->ObjectTable, FALSE);
    PspSystemThread.Tcb.Process = PsInitialSystemProcess;
    PspSystemThread.Tcb.PreviousMode = KernelMode;
    PspSystemThread.Tcb.ThreadId = 8;
    KiCurrentThread = &PspSystemThread.Tcb;
    /* the boot thread runs on the initial stack until the first process starts */
    KeInitializeThread(&PspSystemThread.Tcb, KiInitialStackTop, NULL, NULL, PsInitialSystemProcess->DirectoryTableBase);
}

static void PspSetImageName(PEPROCESS Process, const char *CommandLine)
{
    const char *name = CommandLine, *p;
    for (p = CommandLine; *p && *p != ' '; p++)
        if (*p == '/' || *p == '\\')
            name = p + 1;
    ULONG n = 0;
    for (; name + n < p && n < sizeof(Process->ImageFileName) - 1; n++)
        Process->ImageFileName[n] = name[n];
    Process->ImageFileName[n] = '\0';
}

static NTSTATUS PspMapNewPage(ULONG_PTR Va, ULONG Protection, PVOID *Kseg)
{
    ULONG_PTR phys = MmAllocatePhysicalPage();
    if (!phys)
        return STATUS_NO_MEMORY;
    *Kseg = MmPhysicalToVirtual(phys);
    return MmMapPage(Va, phys, Protection);
}

/* Lays out PEB, process parameters and the strings in the PEB page (params past NT's PEB). */
static NTSTATUS PspCreatePeb(const char *CommandLine, ULONG_PTR ImageBase)
{
    PUCHAR page;
    NTSTATUS status = PspMapNewPage(MM_PEB_ADDRESS, MM_USER | MM_WRITABLE, (PVOID *)&page);
    if (!NT_SUCCESS(status))
        return status;

    PPEB peb = (PPEB)page;
    /* i386: 0x200 and 0x280; amd64: 0x300 and 0x380 */
    ULONG paramsOffset = PSP_PEB_PARAMETERS_OFFSET, stringsOffset = paramsOffset + 0x80;
    C_ASSERT(sizeof(RTL_USER_PROCESS_PARAMETERS) <= 0x80);
    PRTL_USER_PROCESS_PARAMETERS params = (PRTL_USER_PROCESS_PARAMETERS)(page + paramsOffset);
    PWSTR text = (PWSTR)(page + stringsOffset);
    ULONG capacity = (PAGE_SIZE - stringsOffset) / sizeof(WCHAR) - 1;

    ULONG length = strlen(CommandLine), image = 0;
    while (image < length && CommandLine[image] != ' ')
        image++;
    if (length + image + 2 > capacity)
        return STATUS_INVALID_PARAMETER;

    ULONG n = RtlAsciiToUnicode(text, capacity, CommandLine, length);
    text[n] = 0;
    params->CommandLine.Buffer = (PWSTR)(MM_PEB_ADDRESS + stringsOffset);
    params->CommandLine.Length = (USHORT)(n * sizeof(WCHAR));
    params->CommandLine.MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));

    PWSTR imageText = text + n + 1;
    ULONG m = RtlAsciiToUnicode(imageText, capacity - n - 1, CommandLine, image);
    imageText[m] = 0;
    params->ImagePathName.Buffer = (PWSTR)(MM_PEB_ADDRESS + stringsOffset + (n + 1) * sizeof(WCHAR));
    params->ImagePathName.Length = (USHORT)(m * sizeof(WCHAR));
    params->ImagePathName.MaximumLength = (USHORT)((m + 1) * sizeof(WCHAR));
    params->MaximumLength = params->Length = sizeof(*params);

    peb->ImageBaseAddress = (PVOID)ImageBase;
    peb->ProcessParameters = (PRTL_USER_PROCESS_PARAMETERS)(MM_PEB_ADDRESS + paramsOffset);
    peb->ProcessHeap = (PVOID)MM_PROCESS_HEAP_BASE;
    peb->NumberOfProcessors = 1;
    peb->OSPlatformId = 2;         /* VER_PLATFORM_WIN32_NT; the version is the --build's, unknown here */
    peb->ImageSubsystem = 1;       /* IMAGE_SUBSYSTEM_NATIVE */
    return STATUS_SUCCESS;
}

static NTSTATUS PspCreateTeb(PEPROCESS Process, PETHREAD Thread)
{
    PTEB teb;
    NTSTATUS status = PspMapNewPage(MM_TEB_ADDRESS, MM_USER | MM_WRITABLE, (PVOID *)&teb);
    if (!NT_SUCCESS(status))
        return status;
    teb->NtTib.ExceptionList = (PVOID)-1;   /* no SEH frame yet: the end of NT's chain */
    teb->NtTib.Self = (PNT_TIB)MM_TEB_ADDRESS;
    teb->NtTib.StackBase = (PVOID)MM_USER_STACK_TOP;
    teb->NtTib.StackLimit = (PVOID)(MM_USER_STACK_TOP - MM_USER_STACK_SIZE);
    teb->ClientId.UniqueProcess = (HANDLE)(ULONG_PTR)Process->UniqueProcessId;
    teb->ClientId.UniqueThread = (HANDLE)(ULONG_PTR)Thread->Tcb.ThreadId;
    teb->ProcessEnvironmentBlock = (PPEB)MM_PEB_ADDRESS;
    return STATUS_SUCCESS;
}

static NTSTATUS PspCreateUserStack(ULONG_PTR *InitialSp)
{
    PUCHAR top = 0;
    for (ULONG_PTR va = MM_USER_STACK_TOP - MM_USER_STACK_SIZE; va < MM_USER_STACK_TOP; va += PAGE_SIZE) {
        NTSTATUS status = PspMapNewPage(va, MM_USER | MM_WRITABLE, (PVOID *)&top);
        if (!NT_SUCCESS(status))
            return status;
    }
    /* the last page mapped is the top one: the PEB where the entry point finds it */
    *InitialSp = KiInitializeUserStack(top + PAGE_SIZE, MM_USER_STACK_TOP, MM_PEB_ADDRESS);
    return STATUS_SUCCESS;
}

/* The process heap's region, committed zeroed: ntdll writes the heap's header on first use. */
static NTSTATUS PspCreateProcessHeap(PEPROCESS Process)
{
    PVOID kseg;
    for (ULONG va = MM_PROCESS_HEAP_BASE; va < MM_PROCESS_HEAP_BASE + MM_PROCESS_HEAP_SIZE; va += PAGE_SIZE) {
        NTSTATUS status = PspMapNewPage(va, MM_USER | MM_WRITABLE, &kseg);
        if (!NT_SUCCESS(status))
            return status;
    }
    return MiInsertVad(Process, MM_PROCESS_HEAP_BASE, MM_PROCESS_HEAP_BASE + MM_PROCESS_HEAP_SIZE, MI_VAD_PRIVATE);
}

NTSTATUS PspCreateInitialProcess(const PS_IMAGE_SOURCE *Program, const PS_IMAGE_SOURCE *Ntdll)
{
    PEPROCESS process = &PspUserProcessObject.Body;
    PETHREAD thread = &PspUserThreadObject.Body;
    PS_USER_IMAGE ntdll, program;
    ULONG_PTR userSp;
    NTSTATUS status;

    process->UniqueProcessId = 0x10;
    ObpInitializeHandleTable(&process->ObjectTable, FALSE);
    PspSetImageName(process, Program->CommandLine);
    thread->Tcb.Process = process;
    thread->Tcb.ThreadId = 0x14;

    process->DirectoryTableBase = MmCreateAddressSpace();
    if (!process->DirectoryTableBase)
        return STATUS_NO_MEMORY;
    __writecr3(process->DirectoryTableBase);

    /* the stack's and the heap's VADs first: a program that cannot have its ImageBase is placed around them */
    status = MmMapPage(MM_SHARED_USER_DATA_VA, KiUserSharedDataPhysical, MM_USER);
    if (NT_SUCCESS(status))
        status = PspCreateUserStack(&userSp);
    if (NT_SUCCESS(status))
        status = MiInsertVad(process, MM_USER_STACK_TOP - MM_USER_STACK_SIZE, MM_USER_STACK_TOP, MI_VAD_PRIVATE);
    if (NT_SUCCESS(status))
        status = PspCreateProcessHeap(process);
    if (!NT_SUCCESS(status))
        return status;
    status = PspMapUserImage(process, Ntdll, NULL, &ntdll);
    if (NT_SUCCESS(status))
        status = MiInsertVad(process, ntdll.Start, ntdll.End, MI_VAD_IMAGE);
    if (!NT_SUCCESS(status)) {
        DbgPrint("ntoskrnl: cannot load ntdll (%08X)\n", (ULONG)status);
        return status;
    }
    status = PspMapUserImage(process, Program, &ntdll, &program);
    if (NT_SUCCESS(status))
        status = MiInsertVad(process, program.Start, program.End, MI_VAD_IMAGE);
    if (!NT_SUCCESS(status)) {
        if (status == STATUS_NO_MEMORY)
            DbgPrint("ntoskrnl: %s: does not fit in this machine's memory (%08X)\n", process->ImageFileName,
                     (ULONG)status);
        else if (status != STATUS_ENTRYPOINT_NOT_FOUND && status != STATUS_ORDINAL_NOT_FOUND &&
                 status != STATUS_DLL_NOT_FOUND)   /* those were reported with the name */
            DbgPrint("ntoskrnl: %s: not a valid " IMAGE_FILE_MACHINE_NATIVE_NAME " PE image for this system (%08X)\n",
                     process->ImageFileName, (ULONG)status);
        return status;
    }
    status = PspCreatePeb(Program->CommandLine, program.Start);
    if (NT_SUCCESS(status))
        status = PspCreateTeb(process, thread);
    /* the address space so far, as NtAllocateVirtualMemory must see it */
    if (NT_SUCCESS(status))
        status = MiInsertVad(process, MM_TEB_ADDRESS, MM_TEB_ADDRESS + PAGE_SIZE, MI_VAD_PRIVATE);
    if (NT_SUCCESS(status))
        status = MiInsertVad(process, MM_PEB_ADDRESS, MM_PEB_ADDRESS + PAGE_SIZE, MI_VAD_PRIVATE);
    if (!NT_SUCCESS(status))
        return status;
    process->Peb = (PVOID)MM_PEB_ADDRESS;

    PVOID stackTop = PspUserThreadKernelStack + sizeof(PspUserThreadKernelStack);
    PKTRAP_FRAME tf = KiInitializeUserThreadContext(&thread->Tcb, stackTop, program.Entry, userSp, MM_PEB_ADDRESS);

    KeInitializeThread(&thread->Tcb, stackTop, NULL, NULL, process->DirectoryTableBase);
    KiHandOffBootThread(&thread->Tcb);
    KiExitToUserMode(tf);
}
