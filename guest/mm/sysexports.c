/*
 * What PE drivers may import: one table per module a mingw-w64 DDK driver
 * names ("ntoskrnl.exe", "hal.dll"), standing in for the kernel's export
 * directory. Each table is sorted by name (strcmp order, checked by
 * tests/test_pe_loader.c) and searched by binary search; module names match
 * without case ("HAL.dll" is how mingw-w64's libhal.a spells it). An entry
 * is the routine or variable the import name stands for, in the calling
 * convention the DDK headers declare (fastcall for IofCompleteRequest,
 * KfRaiseIrql, ...). Data exports
 * (KeServiceDescriptorTable, PsInitialSystemProcess) give the variable's
 * address, as NT's do.
 *
 * The entries come from one list, sysexports.inc, which mk/ddk-layout.mk
 * checks against what a mingw-w64 driver imports. Built with
 * MI_SYSTEM_EXPORTS_NAMES_ONLY (the host's unit test) the tables hold only
 * the names.
 */
#include "../inc/image.h"
#include "../inc/rtl.h"

#ifdef MI_SYSTEM_EXPORTS_NAMES_ONLY
#define MI_EXPORT(name, symbol) { #name, 0 },
#else
#include "../inc/iop.h"
#include "../inc/zw.h"
#include "../inc/ex.h"
#include "../inc/ke.h"
#include "../inc/ob.h"
#include "../inc/ps.h"
#include "../inc/mm.h"
#include "../inc/hal.h"
#define MI_EXPORT(name, symbol) { #name, (ULONG_PTR)&symbol },
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

/* each table takes its module's lines of the one list, sysexports.inc (sorted there) */
#define MI_EXPORT_ntoskrnl(name, symbol) MI_EXPORT(name, symbol)
#define MI_EXPORT_hal(name, symbol)
#define EXPORT_AS(module, name, symbol) MI_EXPORT_##module(name, symbol)
static const MI_SYSTEM_EXPORT MiNtoskrnlExports[] = {
#include "sysexports.inc"
};
#undef MI_EXPORT_ntoskrnl
#undef MI_EXPORT_hal
#define MI_EXPORT_ntoskrnl(name, symbol)
#define MI_EXPORT_hal(name, symbol) MI_EXPORT(name, symbol)
static const MI_SYSTEM_EXPORT MiHalExports[] = {
#include "sysexports.inc"
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

NTSTATUS MmLookupSystemExport(PCSTR Module, PCSTR Name, PULONG_PTR Address)
{
    for (ULONG i = 0; i < MiSystemModuleCount; i++) {
        if (!LdrpEqualNamesNoCase(Module, MiSystemModules[i].Name))
            continue;
        const MI_SYSTEM_EXPORT *e = MiFindExport(&MiSystemModules[i], Name);
        if (!e)
            return STATUS_ENTRYPOINT_NOT_FOUND;
        *Address = (ULONG_PTR)e->Address;
        return STATUS_SUCCESS;
    }
    return STATUS_DLL_NOT_FOUND;
}

NTSTATUS MiResolveSystemImport(PVOID Context, PCSTR Module, PCSTR Name, ULONG Ordinal, PULONG_PTR Address)
{
    (void)Context;
    (void)Ordinal;
    if (!Name)   /* the tables have no ordinals */
        return MmLookupSystemExport(Module, "", Address) == STATUS_DLL_NOT_FOUND ? STATUS_DLL_NOT_FOUND
                                                                                  : STATUS_ORDINAL_NOT_FOUND;
    return MmLookupSystemExport(Module, Name, Address);
}
