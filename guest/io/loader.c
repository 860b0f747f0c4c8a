/*
 * Boot drivers. `ntvisor run --driver=FILE` passes a driver as a Multiboot
 * module with the command line "driver NAME". A driver is a PE32 image (a
 * mingw-w64 DDK driver): mapped as sections into a free 1 MiB slot of
 * [MM_SYSTEM_DRIVER_START, MM_SYSTEM_DRIVER_END) -- the slot it is linked
 * for if that is free, else from the top down -- relocated there, its
 * imports from ntoskrnl.exe and hal.dll snapped against
 * guest/mm/sysexports.c. Each is entered on PsLoadedModuleList before DriverEntry runs, as on NT.
 * The image is untrusted input: every header field is
 * checked before it is used, and a bad image is refused (the system boots
 * on without it, as NT does) -- never a bugcheck. Its pages are mapped
 * writable and executable in kernel space, outside KSEG0; the page tables
 * are made before the first process, whose address space shares them.
 */
#include "../inc/io.h"
#include "../inc/mm.h"
#include "../inc/image.h"
#include "../inc/rtl.h"
#include "../inc/hal.h"

#define IO_DRIVER_TAG 0x76697244   /* 'Driv' */
#define IOP_MAX_DRIVERS 16
#define IOP_MAX_NAME 64
#define IOP_DRIVERS_PATH "\\SystemRoot\\System32\\Drivers\\"

/* What is loaded where: a new image may not overlap any of these. */
static struct { ULONG_PTR Start, End; } IopLoadedImages[IOP_MAX_DRIVERS];
static ULONG IopLoadedCount;

/* ---------------------------------------------------------------- PsLoadedModuleList */

extern UCHAR KiImageEnd[];
void KiSystemStartup(ULONG Magic, ULONG InfoPhys);
static WCHAR IopKernelFullName[] = L"\\SystemRoot\\system32\\ntoskrnl.exe";
static KLDR_DATA_TABLE_ENTRY IopKernelEntry = {
    .InLoadOrderLinks = { &PsLoadedModuleList, &PsLoadedModuleList },
    .DllBase = (PVOID)(MM_KSEG0_BASE + KERNEL_PHYS_BASE),
    .EntryPoint = (PVOID)KiSystemStartup,
#if !defined(_M_AMD64)   /* x64: a 64-bit address cannot be narrowed at link time; IopLoadDriver sets it (TODO amd64: at boot) */
    .SizeOfImage = (ULONG)KiImageEnd - (MM_KSEG0_BASE + KERNEL_PHYS_BASE),
#endif
    .FullDllName = { sizeof(IopKernelFullName) - sizeof(WCHAR), sizeof(IopKernelFullName), IopKernelFullName },
    .BaseDllName = { sizeof(L"ntoskrnl.exe") - sizeof(WCHAR), sizeof(L"ntoskrnl.exe"),
                     IopKernelFullName + sizeof("\\SystemRoot\\system32\\") - 1 },
    .LoadCount = 1,
};
/* a list from the first instruction on: kd may read it at any time */
LIST_ENTRY PsLoadedModuleList = { &IopKernelEntry.InLoadOrderLinks, &IopKernelEntry.InLoadOrderLinks };

static NTSTATUS IopInsertLoadedModule(const char *Name, ULONG_PTR Base, ULONG Size, ULONG_PTR Entry)
{
    ULONG n = strlen(Name), prefix = sizeof(IOP_DRIVERS_PATH) - 1;
    PKLDR_DATA_TABLE_ENTRY e = ExAllocatePoolWithTag(NonPagedPool, sizeof(*e), IO_DRIVER_TAG);
    PWSTR full = ExAllocatePoolWithTag(NonPagedPool, (prefix + n + 1) * sizeof(WCHAR), IO_DRIVER_TAG);
    if (!e || !full)
        return STATUS_INSUFFICIENT_RESOURCES;
    memset(e, 0, sizeof(*e));
    RtlAsciiToUnicode(full, prefix, IOP_DRIVERS_PATH, prefix);
    RtlAsciiToUnicode(full + prefix, n, Name, n);
    full[prefix + n] = 0;
    RtlInitUnicodeString(&e->FullDllName, full);
    RtlInitUnicodeString(&e->BaseDllName, full + prefix);
    e->DllBase = (PVOID)Base;
    e->SizeOfImage = Size;
    e->EntryPoint = (PVOID)Entry;
    e->LoadCount = 1;
    e->InLoadOrderLinks.Flink = &PsLoadedModuleList;
    e->InLoadOrderLinks.Blink = PsLoadedModuleList.Blink;
    PsLoadedModuleList.Blink->Flink = &e->InLoadOrderLinks;
    PsLoadedModuleList.Blink = &e->InLoadOrderLinks;
    return STATUS_SUCCESS;
}

/* \Driver\NAME and \Registry\Machine\System\CurrentControlSet\Services\NAME (NAME without ".sys"). */
static NTSTATUS IopMakeNames(PDRIVER_OBJECT Driver, const char *Name, PUNICODE_STRING RegistryPath)
{
    static const char driverPrefix[] = "\\Driver\\";
    static const char registryPrefix[] = "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\";
    ULONG n = strlen(Name);
    if (n > 4 && !strcmp(Name + n - 4, ".sys"))
        n -= 4;
    if (n == 0 || n >= IOP_MAX_NAME)
        return STATUS_OBJECT_NAME_INVALID;
    ULONG driverChars = sizeof(driverPrefix) - 1 + n, registryChars = sizeof(registryPrefix) - 1 + n;
    PWSTR driverName = ExAllocatePoolWithTag(NonPagedPool, (driverChars + 1) * sizeof(WCHAR), IO_DRIVER_TAG);
    PWSTR registry = ExAllocatePoolWithTag(NonPagedPool, (registryChars + 1) * sizeof(WCHAR), IO_DRIVER_TAG);
    if (!driverName || !registry)
        return STATUS_INSUFFICIENT_RESOURCES;
    ULONG k = RtlAsciiToUnicode(driverName, driverChars, driverPrefix, sizeof(driverPrefix) - 1);
    RtlAsciiToUnicode(driverName + k, driverChars - k, Name, n);
    k = RtlAsciiToUnicode(registry, registryChars, registryPrefix, sizeof(registryPrefix) - 1);
    RtlAsciiToUnicode(registry + k, registryChars - k, Name, n);
    RtlInitUnicodeString(&Driver->DriverName, driverName);
    RtlInitUnicodeString(RegistryPath, registry);
    return STATUS_SUCCESS;
}

/* ---------------------------------------------------------------- PE drivers */

static BOOLEAN IopRangeIsFree(ULONG_PTR Start, ULONG_PTR End)
{
    for (ULONG i = 0; i < IopLoadedCount; i++)
        if (Start < IopLoadedImages[i].End && End > IopLoadedImages[i].Start)
            return FALSE;
    return TRUE;
}

/* The slot at the image's own base if that is a free slot (no relocation), else the highest free one. */
static ULONG_PTR IopChooseSlot(const LDR_IMAGE *Image)
{
    ULONG_PTR base = Image->ImageBase;
    if (base >= MM_SYSTEM_DRIVER_START && base < MM_SYSTEM_DRIVER_END && !(base & (MM_SYSTEM_DRIVER_SLOT - 1)) &&
        IopRangeIsFree(base, base + MM_SYSTEM_DRIVER_SLOT))
        return base;
    for (ULONG_PTR slot = MM_SYSTEM_DRIVER_END - MM_SYSTEM_DRIVER_SLOT; slot >= MM_SYSTEM_DRIVER_START;
         slot -= MM_SYSTEM_DRIVER_SLOT)
        if (IopRangeIsFree(slot, slot + MM_SYSTEM_DRIVER_SLOT))
            return slot;
    return 0;
}

static void IopReportImportFailure(const char *Name, NTSTATUS Status, const LDR_IMPORT_FAILURE *Failure)
{
    const char *module = Failure->Module ? Failure->Module : "?";
    if (Status == STATUS_ENTRYPOINT_NOT_FOUND && Failure->Name)
        DbgPrint("ntoskrnl: driver '%s': the procedure entry point %s could not be located in %s\n", Name,
                 Failure->Name, module);
    else if (Status == STATUS_ORDINAL_NOT_FOUND)
        DbgPrint("ntoskrnl: driver '%s': the ordinal %u could not be located in %s\n", Name, Failure->Ordinal,
                 module);
    else if (Status == STATUS_DLL_NOT_FOUND)
        DbgPrint("ntoskrnl: driver '%s': imports from %s (a driver may import from ntoskrnl.exe and hal.dll)\n",
                 Name, module);
}

/* Relocated into its slot, imports snapped, then each section's protection (kernel pages). */
static NTSTATUS IopFixUpPeDriver(const char *Name, PLDR_IMAGE Image)
{
    LDR_IMPORT_FAILURE failure;
    NTSTATUS status = LdrRelocateImageWithBias(Image, Image->Va - Image->ImageBase);
    if (NT_SUCCESS(status)) {
        status = LdrpWalkImportDescriptor(Image, MiResolveSystemImport, NULL, &failure);
        if (!NT_SUCCESS(status))
            IopReportImportFailure(Name, status, &failure);
    }
    if (NT_SUCCESS(status))
        status = MiProtectPeImage(Image, 0);
    return status;
}

/* A PE driver checked, mapped in a free slot and fixed up; its extent and entry in *Image. */
static NTSTATUS IopLoadPeImage(const char *Name, const UCHAR *Data, ULONG Size, MI_IMAGE *Image)
{
    LDR_IMAGE pe;
    NTSTATUS status = RtlVerifyImageHeaders(Data, Size, IMAGE_FILE_MACHINE_NATIVE, &pe);
    if (!NT_SUCCESS(status))
        return status;
    ULONG size = (pe.SizeOfImage + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (pe.AddressOfEntryPoint == 0 || size > MM_SYSTEM_DRIVER_SLOT)
        return STATUS_INVALID_IMAGE_FORMAT;
    ULONG_PTR slot = IopChooseSlot(&pe);
    if (!slot)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = MiMapPeImage(&pe, slot, 0);
    if (!NT_SUCCESS(status))
        return status;
    status = IopFixUpPeDriver(Name, &pe);
    if (!NT_SUCCESS(status)) {
        MiUnmapPeImage(slot, size);
        return status;
    }
    Image->Start = slot;
    Image->End = slot + size;   /* what PsLoadedModuleList says; the rest of the slot stays unused */
    Image->Entry = slot + pe.AddressOfEntryPoint;
    return STATUS_SUCCESS;
}

NTSTATUS IopLoadDriver(const char *Name, const UCHAR *Image, ULONG Size)
{
    MI_IMAGE image;
    UNICODE_STRING registryPath;

#if defined(_M_AMD64)
    IopKernelEntry.SizeOfImage = (ULONG)((ULONG_PTR)KiImageEnd - (MM_KSEG0_BASE + KERNEL_PHYS_BASE));
#endif
    if (IopLoadedCount == IOP_MAX_DRIVERS)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = RtlIsPeImage(Image, Size) ? IopLoadPeImage(Name, Image, Size, &image)
                                                : STATUS_INVALID_IMAGE_FORMAT;
    if (!NT_SUCCESS(status))
        return status;
    IopLoadedImages[IopLoadedCount].Start = image.Start;
    IopLoadedImages[IopLoadedCount].End = image.End;
    IopLoadedCount++;
    status = IopInsertLoadedModule(Name, image.Start, (ULONG)(image.End - image.Start), image.Entry);
    if (!NT_SUCCESS(status))
        return status;

    PDRIVER_OBJECT driver;
    PDRIVER_INITIALIZE entry = (PDRIVER_INITIALIZE)image.Entry;
    status = IopCreateDriverObject((PVOID)image.Start, image.End - image.Start, entry, &driver);
    if (NT_SUCCESS(status))
        status = IopMakeNames(driver, Name, &registryPath);
    if (!NT_SUCCESS(status))
        return status;
    KIRQL irql = KeGetCurrentIrql();
    status = entry(driver, &registryPath);
    if (KeGetCurrentIrql() != irql)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)entry, KeGetCurrentIrql(), irql, 0);
    if (NT_SUCCESS(status))
        IopReadyDeviceObjects(driver);
    return status;
}
