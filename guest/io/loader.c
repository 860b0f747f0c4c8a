/*
 * Boot drivers. `ntvisor run --driver=FILE` passes a driver as a Multiboot
 * module with the command line "driver NAME". A driver is an ELF32 i386
 * executable linked for one 1 MiB slot of [MM_SYSTEM_DRIVER_START,
 * MM_SYSTEM_DRIVER_END) against ntoskrnl's own symbol table (ld -R
 * ntoskrnl.exe): its calls to IoCreateDevice, ZwCreateFile, ... are direct
 * calls to the kernel's addresses, so a driver must be rebuilt with the
 * kernel it runs on. The image is untrusted input: every header field is
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

/* What is loaded where: a new image may not overlap any of these. */
static struct { ULONG Start, End; } IopLoadedImages[IOP_MAX_DRIVERS];
static ULONG IopLoadedCount;

/* A driver's image: checked, in its slot of system space, and clear of the drivers loaded before it. */
static NTSTATUS IopCheckImage(const UCHAR *Data, ULONG Size, MI_IMAGE *Image)
{
    NTSTATUS status = MiCheckImage(Data, Size, MM_SYSTEM_DRIVER_START, MM_SYSTEM_DRIVER_END, TRUE, Image);
    if (!NT_SUCCESS(status))
        return status;
    if (Image->End - Image->Start > MM_SYSTEM_DRIVER_SLOT)
        return STATUS_INVALID_IMAGE_FORMAT;
    for (ULONG i = 0; i < IopLoadedCount; i++)
        if (Image->Start < IopLoadedImages[i].End && Image->End > IopLoadedImages[i].Start)
            return STATUS_CONFLICTING_ADDRESSES;   /* linked for a slot another driver holds */
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

NTSTATUS IopLoadDriver(const char *Name, const UCHAR *Image, ULONG Size)
{
    MI_IMAGE image;
    UNICODE_STRING registryPath;

    if (IopLoadedCount == IOP_MAX_DRIVERS)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = IopCheckImage(Image, Size, &image);
    if (!NT_SUCCESS(status))
        return status;
    IopLoadedImages[IopLoadedCount].Start = image.Start;
    IopLoadedImages[IopLoadedCount].End = image.End;
    IopLoadedCount++;
    status = MiMapImage(&image, 0, TRUE);   /* system space, kernel-only, writable */
    if (!NT_SUCCESS(status))
        return status;

    PDRIVER_OBJECT driver = ExAllocatePoolWithTag(NonPagedPool, sizeof(DRIVER_OBJECT), IO_DRIVER_TAG);
    if (!driver)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = IopMakeNames(driver, Name, &registryPath);
    if (!NT_SUCCESS(status))
        return status;
    PDRIVER_INITIALIZE entry = (PDRIVER_INITIALIZE)image.Entry;
    KIRQL irql = KeGetCurrentIrql();
    status = entry(driver, &registryPath);
    if (KeGetCurrentIrql() != irql)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)entry, KeGetCurrentIrql(), irql, 0);
    return status;
}
