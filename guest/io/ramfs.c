/*
 * RamFs: the in-memory volume behind \Device\HarddiskVolume1 (\??\C:). One
 * flat directory of files, seeded at boot from the files given to
 * `ntvisor run --file=...` and writable at run time. A file's data is a
 * table of pages; names compare case-insensitively, as on NTFS.
 */
#include "../inc/iop.h"
#include "../inc/mm.h"
#include "../inc/rtl.h"

#define RAMFS_TAG        0x73466152   /* 'RaFs' */
#define RAMFS_MAX_NAME   64
#define RAMFS_MAX_PAGES  RAMFS_MAX_FILE_PAGES   /* include/nt/layout.h: the monitor refuses bigger --file */
C_ASSERT(RAMFS_MAX_PAGES * sizeof(ULONG) <= EX_POOL_MAX_ALLOCATION);

typedef struct _RAMFS_FCB {
    WCHAR Name[RAMFS_MAX_NAME];
    ULONG NameLength;                 /* WCHARs */
    ULONG Size;
    PULONG Pages;                     /* physical addresses (KSEG0 maps them: below 4 GiB), RAMFS_MAX_PAGES slots */
    struct _RAMFS_FCB *Next;
} RAMFS_FCB, *PRAMFS_FCB;

static DRIVER_OBJECT RamFsDriver;
static PRAMFS_FCB RamFsFiles;

static WCHAR RamFsUpcase(WCHAR c) { return c >= 'a' && c <= 'z' ? (WCHAR)(c - 'a' + 'A') : c; }

static PRAMFS_FCB RamFsLookup(PCWSTR Name, ULONG Length)
{
    for (PRAMFS_FCB f = RamFsFiles; f; f = f->Next) {
        if (f->NameLength != Length)
            continue;
        ULONG i = 0;
        while (i < Length && RamFsUpcase(f->Name[i]) == RamFsUpcase(Name[i]))
            i++;
        if (i == Length)
            return f;
    }
    return NULL;
}

static NTSTATUS RamFsCreateFcb(PCWSTR Name, ULONG Length, PRAMFS_FCB *Fcb)
{
    PRAMFS_FCB f = ExAllocatePoolWithTag(PagedPool, sizeof(*f), RAMFS_TAG);
    PULONG pages = ExAllocatePoolWithTag(PagedPool, RAMFS_MAX_PAGES * sizeof(ULONG), RAMFS_TAG);
    if (!f || !pages) {
        if (f)
            ExFreePoolWithTag(f, RAMFS_TAG);
        if (pages)
            ExFreePoolWithTag(pages, RAMFS_TAG);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(f->Name, Name, Length * sizeof(WCHAR));
    f->NameLength = Length;
    f->Pages = pages;
    f->Next = RamFsFiles;
    RamFsFiles = f;
    *Fcb = f;
    return STATUS_SUCCESS;
}

static void RamFsTruncate(PRAMFS_FCB Fcb)
{
    for (ULONG i = 0; i < RAMFS_MAX_PAGES && Fcb->Pages[i]; i++) {
        MmFreePhysicalPage(Fcb->Pages[i]);
        Fcb->Pages[i] = 0;
    }
    Fcb->Size = 0;
}

/*
 * Moves Length bytes between the file at Offset and Buffer (the requestor's
 * memory: a fault there is STATUS_ACCESS_VIOLATION). Writing allocates pages.
 */
static NTSTATUS RamFsTransfer(PRAMFS_FCB Fcb, ULONG Offset, PUCHAR Buffer, ULONG Length, BOOLEAN Write)
{
    for (ULONG done = 0; done < Length;) {
        ULONG page = (Offset + done) / PAGE_SIZE, within = (Offset + done) % PAGE_SIZE;
        ULONG n = PAGE_SIZE - within < Length - done ? PAGE_SIZE - within : Length - done;
        if (!Fcb->Pages[page]) {
            ULONG_PTR phys = MmAllocatePhysicalPage();
            if (!phys)
                return STATUS_DISK_FULL;
            Fcb->Pages[page] = (ULONG)phys;
        }
        PUCHAR data = (PUCHAR)MmPhysicalToVirtual(Fcb->Pages[page]) + within;
        NTSTATUS status = Write ? KiSafeCopy(data, Buffer + done, n) : IoCopyToRequestor(Buffer + done, data, n);
        if (!NT_SUCCESS(status))
            return status;
        done += n;
        if (Write && Offset + done > Fcb->Size)
            Fcb->Size = Offset + done;
    }
    return STATUS_SUCCESS;
}

static BOOLEAN RamFsNameIsValid(PCWSTR Name, ULONG Length)
{
    if (Length == 0 || Length >= RAMFS_MAX_NAME)
        return FALSE;
    for (ULONG i = 0; i < Length; i++)
        if (Name[i] < 0x20 || Name[i] == '*' || Name[i] == '?' || Name[i] == '<' || Name[i] == '>' ||
            Name[i] == '|' || Name[i] == '"' || Name[i] == ':' || Name[i] == '/')
            return FALSE;
    return TRUE;
}

static NTSTATUS NTAPI RamFsCreate(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = stack->FileObject;
    ULONG disposition = stack->Parameters.Create.Options >> 24;
    ULONG options = stack->Parameters.Create.Options & 0xFFFFFF;
    PCWSTR name = file->FileName.Buffer;
    ULONG length = file->FileName.Length / sizeof(WCHAR);
    NTSTATUS status = STATUS_SUCCESS;
    ULONG information = FILE_OPENED;

    /* the volume's root directory itself */
    if (length <= 1) {
        if (options & FILE_NON_DIRECTORY_FILE)
            status = STATUS_FILE_IS_A_DIRECTORY;
        else if (disposition != FILE_OPEN && disposition != FILE_OPEN_IF)
            status = STATUS_ACCESS_DENIED;
        file->FsContext = NULL;
        goto done;
    }
    name++;
    length--;
    for (ULONG i = 0; i < length; i++)
        if (name[i] == '\\') {
            status = STATUS_OBJECT_PATH_NOT_FOUND;   /* a flat volume: no subdirectories */
            goto done;
        }
    if (!RamFsNameIsValid(name, length)) {
        status = STATUS_OBJECT_NAME_INVALID;
        goto done;
    }
    PRAMFS_FCB fcb = RamFsLookup(name, length);
    if (fcb && (options & FILE_DIRECTORY_FILE)) {
        status = STATUS_NOT_A_DIRECTORY;
    } else if (fcb) {
        switch (disposition) {
        case FILE_CREATE:
            status = STATUS_OBJECT_NAME_COLLISION;
            information = FILE_EXISTS;
            break;
        case FILE_SUPERSEDE:
            RamFsTruncate(fcb);
            information = FILE_SUPERSEDED;
            break;
        case FILE_OVERWRITE:
        case FILE_OVERWRITE_IF:
            RamFsTruncate(fcb);
            information = FILE_OVERWRITTEN;
            break;
        }
    } else if (disposition == FILE_OPEN || disposition == FILE_OVERWRITE) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
        information = FILE_DOES_NOT_EXIST;
    } else if (options & FILE_DIRECTORY_FILE) {
        status = STATUS_ACCESS_DENIED;   /* no directories can be made here */
    } else {
        status = RamFsCreateFcb(name, length, &fcb);
        information = FILE_CREATED;
    }
    file->FsContext = fcb;
done:
    return IopCompleteRequest(Irp, status, NT_SUCCESS(status) ? information : 0);
}

static NTSTATUS NTAPI RamFsReadWrite(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PRAMFS_FCB fcb = stack->FileObject->FsContext;
    BOOLEAN write = stack->MajorFunction == IRP_MJ_WRITE;
    ULONG length = stack->Parameters.Read.Length;
    LONGLONG offset = stack->Parameters.Read.ByteOffset.QuadPart;
    NTSTATUS status = STATUS_SUCCESS;

    Irp->IoStatus.Information = 0;
    if (!fcb) {
        status = STATUS_INVALID_DEVICE_REQUEST;   /* the root directory */
    } else if (write) {
        if (offset == -1)                          /* FILE_WRITE_TO_END_OF_FILE */
            offset = fcb->Size;
        if ((ULONGLONG)offset + length > (ULONGLONG)RAMFS_MAX_PAGES * PAGE_SIZE)
            status = STATUS_DISK_FULL;
        else
            status = RamFsTransfer(fcb, (ULONG)offset, Irp->UserBuffer, length, TRUE);
        if (NT_SUCCESS(status))
            Irp->IoStatus.Information = length;
        stack->Parameters.Write.ByteOffset.QuadPart = offset;
    } else if (length && (ULONGLONG)offset >= fcb->Size) {
        status = STATUS_END_OF_FILE;
    } else {
        if (length > fcb->Size - offset)
            length = fcb->Size - (ULONG)offset;
        status = RamFsTransfer(fcb, (ULONG)offset, Irp->UserBuffer, length, FALSE);
        if (NT_SUCCESS(status))
            Irp->IoStatus.Information = length;
    }
    return IopCompleteRequest(Irp, status, Irp->IoStatus.Information);
}

static NTSTATUS NTAPI RamFsQueryInformation(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PRAMFS_FCB fcb = stack->FileObject->FsContext;
    FILE_STANDARD_INFORMATION *info = Irp->AssociatedIrp.SystemBuffer;
    NTSTATUS status = STATUS_INVALID_INFO_CLASS;
    if (stack->Parameters.QueryFile.FileInformationClass == FileStandardInformation) {
        ULONG size = fcb ? fcb->Size : 0;
        info->EndOfFile.QuadPart = size;
        info->AllocationSize.QuadPart = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        info->NumberOfLinks = 1;
        info->DeletePending = FALSE;
        info->Directory = fcb == NULL;
        return IopCompleteRequest(Irp, STATUS_SUCCESS, sizeof(*info));
    }
    return IopCompleteRequest(Irp, status, 0);
}

static NTSTATUS NTAPI RamFsClose(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    return IopCompleteRequest(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS RamFsAddFile(const char *Name, const UCHAR *Data, ULONG Size)
{
    WCHAR name[RAMFS_MAX_NAME];
    ULONG length = strlen(Name);
    if (length >= RAMFS_MAX_NAME)
        return STATUS_OBJECT_NAME_INVALID;
    RtlAsciiToUnicode(name, RAMFS_MAX_NAME, Name, length);
    if (!RamFsNameIsValid(name, length))
        return STATUS_OBJECT_NAME_INVALID;
    PRAMFS_FCB fcb = RamFsLookup(name, length);
    NTSTATUS status = fcb ? STATUS_SUCCESS : RamFsCreateFcb(name, length, &fcb);
    if (!NT_SUCCESS(status))
        return status;
    RamFsTruncate(fcb);
    if (Size > RAMFS_MAX_PAGES * PAGE_SIZE)
        return STATUS_DISK_FULL;
    return RamFsTransfer(fcb, 0, (PUCHAR)Data, Size, TRUE);
}

VOID RamFsInitialize(VOID)
{
    PDEVICE_OBJECT device;
    UNICODE_STRING deviceName;
    RtlInitUnicodeString(&deviceName, L"\\Device\\HarddiskVolume1");
    RamFsDriver.Type = IO_TYPE_DRIVER;
    RamFsDriver.Size = sizeof(DRIVER_OBJECT);
    RtlInitUnicodeString(&RamFsDriver.DriverName, L"\\FileSystem\\RamFs");
    RamFsDriver.MajorFunction[IRP_MJ_CREATE] = RamFsCreate;
    RamFsDriver.MajorFunction[IRP_MJ_CLOSE] = RamFsClose;
    RamFsDriver.MajorFunction[IRP_MJ_READ] = RamFsReadWrite;
    RamFsDriver.MajorFunction[IRP_MJ_WRITE] = RamFsReadWrite;
    RamFsDriver.MajorFunction[IRP_MJ_QUERY_INFORMATION] = RamFsQueryInformation;
    if (!NT_SUCCESS(IoCreateDevice(&RamFsDriver, 0, &deviceName, FILE_DEVICE_DISK, 0, FALSE,
                                   &device)))
        KeBugCheckEx(PHASE0_INITIALIZATION_FAILED, 0x10, 0, 0, 0);
    IopReadyDeviceObjects(&RamFsDriver);
}
