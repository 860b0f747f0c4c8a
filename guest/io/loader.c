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
#include "../inc/rtl.h"
#include "../inc/hal.h"

#define IO_DRIVER_TAG 0x76697244   /* 'Driv' */
#define IOP_MAX_DRIVERS 16
#define IOP_MAX_SEGMENTS 8
#define IOP_MAX_NAME 64

#define EI_NIDENT 16
typedef struct {
    UCHAR e_ident[EI_NIDENT];
    USHORT e_type, e_machine;
    ULONG e_version, e_entry, e_phoff, e_shoff, e_flags;
    USHORT e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} ELF32_EHDR;
typedef struct {
    ULONG p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
} ELF32_PHDR;
#define PT_LOAD 1
#define PF_X    1
#define ET_EXEC 2
#define EM_386  3

/* What is loaded where: a new image may not overlap any of these. */
static struct { ULONG Start, End; } IopLoadedImages[IOP_MAX_DRIVERS];
static ULONG IopLoadedCount;

static NTSTATUS IopCheckImage(const UCHAR *Image, ULONG Size, const ELF32_PHDR **Phdrs, ULONG *Start, ULONG *End)
{
    const ELF32_EHDR *eh = (const ELF32_EHDR *)Image;
    if (Size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) != 0)
        return STATUS_INVALID_IMAGE_FORMAT;
    if (eh->e_ident[4] != 1 || eh->e_ident[5] != 1 || eh->e_type != ET_EXEC || eh->e_machine != EM_386 ||
        eh->e_version != 1)
        return STATUS_INVALID_IMAGE_FORMAT;
    if (eh->e_phentsize != sizeof(ELF32_PHDR) || eh->e_phnum == 0 || eh->e_phnum > IOP_MAX_SEGMENTS)
        return STATUS_INVALID_IMAGE_FORMAT;
    if (eh->e_phoff > Size || (ULONG)eh->e_phnum * sizeof(ELF32_PHDR) > Size - eh->e_phoff)
        return STATUS_INVALID_IMAGE_FORMAT;

    const ELF32_PHDR *ph = (const ELF32_PHDR *)(Image + eh->e_phoff);
    ULONG low = MM_SYSTEM_DRIVER_END, high = MM_SYSTEM_DRIVER_START;
    BOOLEAN entryOk = FALSE;
    for (ULONG i = 0; i < eh->e_phnum; i++) {
        const ELF32_PHDR *p = &ph[i];
        if (p->p_type != PT_LOAD || p->p_memsz == 0)
            continue;
        ULONG end = p->p_vaddr + p->p_memsz;
        if (p->p_filesz > p->p_memsz || end < p->p_vaddr || p->p_vaddr < MM_SYSTEM_DRIVER_START ||
            end > MM_SYSTEM_DRIVER_END)
            return STATUS_INVALID_IMAGE_FORMAT;
        if (p->p_offset > Size || p->p_filesz > Size - p->p_offset)
            return STATUS_INVALID_IMAGE_FORMAT;
        if ((p->p_flags & PF_X) && eh->e_entry >= p->p_vaddr && eh->e_entry < end)
            entryOk = TRUE;
        if (p->p_vaddr < low)
            low = p->p_vaddr;
        if (end > high)
            high = end;
    }
    if (!entryOk)
        return STATUS_INVALID_IMAGE_FORMAT;
    low &= ~(PAGE_SIZE - 1);
    high = (high + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (high - low > MM_SYSTEM_DRIVER_SLOT)
        return STATUS_INVALID_IMAGE_FORMAT;
    for (ULONG i = 0; i < IopLoadedCount; i++)
        if (low < IopLoadedImages[i].End && high > IopLoadedImages[i].Start)
            return STATUS_CONFLICTING_ADDRESSES;   /* linked for a slot another driver holds */
    *Phdrs = ph;
    *Start = low;
    *End = high;
    return STATUS_SUCCESS;
}

static NTSTATUS IopMapImage(const UCHAR *Image, const ELF32_EHDR *Eh, const ELF32_PHDR *Ph)
{
    for (ULONG i = 0; i < Eh->e_phnum; i++) {
        const ELF32_PHDR *p = &Ph[i];
        if (p->p_type != PT_LOAD || p->p_memsz == 0)
            continue;
        ULONG end = p->p_vaddr + p->p_memsz;
        for (ULONG va = p->p_vaddr & ~(PAGE_SIZE - 1); va < end; va += PAGE_SIZE) {
            ULONG phys = MmQueryPhysical(va);   /* a page two segments share is mapped once */
            if (!phys) {
                phys = MmAllocatePhysicalPage();
                if (!phys)
                    return STATUS_INSUFFICIENT_RESOURCES;
                NTSTATUS status = MmMapPage(va, phys, MM_WRITABLE);
                if (!NT_SUCCESS(status))
                    return status;
            }
            PUCHAR kseg = MmPhysicalToVirtual(phys);
            ULONG from = va < p->p_vaddr ? p->p_vaddr : va;
            ULONG fileEnd = p->p_vaddr + p->p_filesz;
            ULONG to = va + PAGE_SIZE < fileEnd ? va + PAGE_SIZE : fileEnd;
            if (from < to)
                memcpy(kseg + (from - va), Image + p->p_offset + (from - p->p_vaddr), to - from);
        }
    }
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
    const ELF32_PHDR *ph;
    ULONG start, end;
    UNICODE_STRING registryPath;

    if (IopLoadedCount == IOP_MAX_DRIVERS)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = IopCheckImage(Image, Size, &ph, &start, &end);
    if (!NT_SUCCESS(status))
        return status;
    IopLoadedImages[IopLoadedCount].Start = start;
    IopLoadedImages[IopLoadedCount].End = end;
    IopLoadedCount++;
    status = IopMapImage(Image, (const ELF32_EHDR *)Image, ph);
    if (!NT_SUCCESS(status))
        return status;

    PDRIVER_OBJECT driver = ExAllocatePoolWithTag(NonPagedPool, sizeof(DRIVER_OBJECT), IO_DRIVER_TAG);
    if (!driver)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = IopMakeNames(driver, Name, &registryPath);
    if (!NT_SUCCESS(status))
        return status;
    PDRIVER_INITIALIZE entry = (PDRIVER_INITIALIZE)((const ELF32_EHDR *)Image)->e_entry;
    KIRQL irql = KeGetCurrentIrql();
    status = entry(driver, &registryPath);
    if (KeGetCurrentIrql() != irql)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)entry, KeGetCurrentIrql(), irql, 0);
    return status;
}
