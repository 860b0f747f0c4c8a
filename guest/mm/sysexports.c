/*
 * What PE drivers may import: one table per module a mingw-w64 DDK driver
 * names ("ntoskrnl.exe", "hal.dll"), standing in for the kernel's export
 * directory. Each table is sorted by name (strcmp order, checked by
 * tests/test_pe_loader.c) and searched by binary search; module names match
 * without case ("HAL.dll" is how mingw-w64's libhal.a spells it). An entry
 * is the routine or variable the import name stands for, in the calling
 * convention the DDK headers declare (fastcall exports such as
 * IofCompleteRequest are added with the routines themselves). Data exports
 * (KeServiceDescriptorTable, PsInitialSystemProcess) give the variable's
 * address, as NT's do.
 *
 * Built with MI_SYSTEM_EXPORTS_NAMES_ONLY (the host's unit test) the tables
 * hold only the names.
 */
#include "../inc/image.h"
#include "../inc/rtl.h"

#ifdef MI_SYSTEM_EXPORTS_NAMES_ONLY
#define MI_EXPORT(name)            { #name, 0 }
#define MI_EXPORT_AS(name, symbol) { name, 0 }
#else
#include "../inc/ke.h"
#include "../inc/io.h"
#include "../inc/ex.h"
#include "../inc/ps.h"
#include "../inc/zw.h"
#include "../inc/hal.h"
#define MI_EXPORT(name)            { #name, (ULONG_PTR)&name }
#define MI_EXPORT_AS(name, symbol) { name, (ULONG_PTR)&symbol }
#endif

typedef struct _MI_SYSTEM_EXPORT {
    PCSTR Name;
    ULONG_PTR Address;
} MI_SYSTEM_EXPORT;

typedef struct _MI_SYSTEM_MODULE {
    PCSTR Name;
    const MI_SYSTEM_EXPORT *Exports;
    ULONG Count;
} MI_SYSTEM_MODULE;

/* sorted by name: keep it so when adding an entry */
static const MI_SYSTEM_EXPORT MiNtoskrnlExports[] = {
    MI_EXPORT(DbgPrint),
    MI_EXPORT(ExAllocatePoolWithTag),
    MI_EXPORT(ExFreePoolWithTag),
    MI_EXPORT_AS("ExGetPreviousMode", KeGetPreviousMode),
    MI_EXPORT(ExQueueWorkItem),
    MI_EXPORT(IoAllocateWorkItem),
    MI_EXPORT(IoCreateDevice),
    MI_EXPORT(IoCreateSymbolicLink),
    MI_EXPORT(IoDeleteSymbolicLink),
    MI_EXPORT(IoFreeWorkItem),
    MI_EXPORT(IoQueueWorkItem),
    MI_EXPORT(KeBugCheckEx),
    MI_EXPORT(KeCancelTimer),
    MI_EXPORT(KeClearEvent),
    MI_EXPORT(KeDelayExecutionThread),
    MI_EXPORT(KeGetPreviousMode),
    MI_EXPORT(KeInitializeDpc),
    MI_EXPORT(KeInitializeEvent),
    MI_EXPORT(KeInitializeTimer),
    MI_EXPORT(KeInsertQueueDpc),
    MI_EXPORT(KeReadStateEvent),
    MI_EXPORT(KeResetEvent),
    MI_EXPORT(KeServiceDescriptorTable),
    MI_EXPORT(KeSetEvent),
    MI_EXPORT(KeSetTimer),
    MI_EXPORT(KeWaitForSingleObject),
    MI_EXPORT(NtReadFile),
    MI_EXPORT(NtWriteFile),
    MI_EXPORT(PsCreateSystemThread),
    MI_EXPORT(PsInitialSystemProcess),
    MI_EXPORT(PsTerminateSystemThread),
    MI_EXPORT(RtlInitUnicodeString),
    MI_EXPORT(ZwClose),
    MI_EXPORT(ZwCreateFile),
    MI_EXPORT(ZwOpenFile),
    MI_EXPORT(ZwQueryInformationFile),
    MI_EXPORT(ZwReadFile),
    MI_EXPORT(ZwWriteFile),
    MI_EXPORT(memcmp),
    MI_EXPORT(memcpy),
    MI_EXPORT(memmove),
    MI_EXPORT(memset),
    MI_EXPORT(strcmp),
    MI_EXPORT(strlen),
    MI_EXPORT(strncmp),
};

static const MI_SYSTEM_EXPORT MiHalExports[] = {
    MI_EXPORT(KeGetCurrentIrql),
};

const MI_SYSTEM_MODULE MiSystemModules[] = {
    { "ntoskrnl.exe", MiNtoskrnlExports, ARRAYSIZE(MiNtoskrnlExports) },
    { "hal.dll", MiHalExports, ARRAYSIZE(MiHalExports) },
};
const ULONG MiSystemModuleCount = ARRAYSIZE(MiSystemModules);

static const MI_SYSTEM_EXPORT *MiFindExport(const MI_SYSTEM_MODULE *Module, PCSTR Name)
{
    ULONG low = 0, high = Module->Count;
    while (low < high) {
        ULONG mid = low + (high - low) / 2;
        int c = strcmp(Name, Module->Exports[mid].Name);
        if (c == 0)
            return &Module->Exports[mid];
        if (c < 0)
            high = mid;
        else
            low = mid + 1;
    }
    return NULL;
}

NTSTATUS MmLookupSystemExport(PCSTR Module, PCSTR Name, PULONG Address)
{
    for (ULONG i = 0; i < MiSystemModuleCount; i++) {
        if (!LdrpEqualNamesNoCase(Module, MiSystemModules[i].Name))
            continue;
        const MI_SYSTEM_EXPORT *e = MiFindExport(&MiSystemModules[i], Name);
        if (!e)
            return STATUS_ENTRYPOINT_NOT_FOUND;
        *Address = (ULONG)e->Address;
        return STATUS_SUCCESS;
    }
    return STATUS_DLL_NOT_FOUND;
}

NTSTATUS MiResolveSystemImport(PVOID Context, PCSTR Module, PCSTR Name, ULONG Ordinal, PULONG Address)
{
    (void)Context;
    (void)Ordinal;
    if (!Name)   /* the tables have no ordinals */
        return MmLookupSystemExport(Module, "", Address) == STATUS_DLL_NOT_FOUND ? STATUS_DLL_NOT_FOUND
                                                                                  : STATUS_ORDINAL_NOT_FOUND;
    return MmLookupSystemExport(Module, Name, Address);
}
