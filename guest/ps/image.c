/*
 * The user-image loader: programs and ntdll, checked and mapped into the
 * current address space as user pages. PE images are mapped as sections (guest/mm/image.c), relocated if their base is
 * taken, and the program's imports are snapped here against ntdll's export
 * directory -- on NT ntdll's own loader does that in user mode; here the
 * kernel does, so no loader system call comes before the program's entry.
 */
#include "../inc/ps.h"
#include "../inc/mm.h"
#include "../inc/image.h"
#include "../inc/rtl.h"
#include "../inc/hal.h"

#define PSP_NTDLL_LIMIT    (MM_NTDLL_BASE + 0x01000000)
#define PSP_IMAGE_LOWEST   0x00010000u
#if defined(_M_AMD64)
#define PSP_IMAGE_HIGHEST  0x000007FF00000000ull   /* x64 programs default to 0x140000000 */
#else
#define PSP_IMAGE_HIGHEST  0x70000000u
#endif
#define PSP_IMAGE_ALIGN    0x00010000u   /* NT's allocation granularity */

/* [Start, Start+Size) inside [Lowest, Highest) and clear of every VAD of Process. */
static BOOLEAN PspRangeIsFree(PEPROCESS Process, ULONG_PTR Start, ULONG Size, ULONG_PTR Lowest, ULONG_PTR Highest)
{
    if (Start < Lowest || Start > Highest || Size > Highest - Start)
        return FALSE;
    for (PMMVAD v = Process->VadRoot; v; v = v->Next)
        if ((v->StartingVpn << PAGE_SHIFT) < Start + Size && ((v->EndingVpn + 1) << PAGE_SHIFT) > Start)
            return FALSE;
    return TRUE;
}

/* Where a PE program goes: its ImageBase if free, else the lowest free 64 KiB-aligned range. */
static ULONG_PTR PspChooseImageBase(PEPROCESS Process, const LDR_IMAGE *Image)
{
    ULONG size = (Image->SizeOfImage + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (PspRangeIsFree(Process, Image->ImageBase, size, PSP_IMAGE_LOWEST, PSP_IMAGE_HIGHEST))
        return Image->ImageBase;
    for (ULONG_PTR va = PSP_IMAGE_LOWEST; va < PSP_IMAGE_HIGHEST; va += PSP_IMAGE_ALIGN)
        if (PspRangeIsFree(Process, va, size, PSP_IMAGE_LOWEST, PSP_IMAGE_HIGHEST))
            return va;
    return 0;
}

/* The image's file name from the command line's first word (ImageFileName keeps only 15 characters). */
static void PspImageName(const char *CommandLine, char *Name, ULONG Size)
{
    const char *start = CommandLine, *p;
    ULONG n = 0;
    for (p = CommandLine; *p && *p != ' '; p++)
        if (*p == '/' || *p == '\\')
            start = p + 1;
    for (; start + n < p && n < Size - 1; n++)
        Name[n] = start[n];
    Name[n] = '\0';
}

/* The console line for an import that could not be snapped, as the Windows loader words it. */
static void PspReportImportFailure(const char *CommandLine, NTSTATUS Status, const LDR_IMPORT_FAILURE *Failure)
{
    char image[64];
    PspImageName(CommandLine, image, sizeof(image));
    if (Status == STATUS_ENTRYPOINT_NOT_FOUND && Failure->Name)
        DbgPrint("ntoskrnl: %s: the procedure entry point %s could not be located in ntdll.dll\n", image,
                 Failure->Name);
    else if (Status == STATUS_ORDINAL_NOT_FOUND)
        DbgPrint("ntoskrnl: %s: the ordinal %u could not be located in ntdll.dll\n", image, Failure->Ordinal);
    else if (Status == STATUS_DLL_NOT_FOUND)
        DbgPrint("ntoskrnl: %s: imports from %s, which is not loaded (a program may import only ntdll.dll)\n",
                 image, Failure->Module ? Failure->Module : "another module");
}

/* Relocation, imports (the program's, against ntdll), then the sections' protections. */
static NTSTATUS PspFixUpPeImage(const char *CommandLine, PPS_USER_IMAGE Image, const PS_USER_IMAGE *Ntdll)
{
    LDR_IMPORT_FAILURE failure;
    NTSTATUS status = LdrRelocateImageWithBias(&Image->Pe, Image->Pe.Va - Image->Pe.ImageBase);
    if (NT_SUCCESS(status) && Ntdll) {
        status = LdrpWalkImportDescriptor(&Image->Pe, LdrpResolveFromDll,
                                          (PVOID)&Ntdll->Pe, &failure);
        if (!NT_SUCCESS(status))
            PspReportImportFailure(CommandLine, status, &failure);
    }
    if (NT_SUCCESS(status))
        status = MiProtectPeImage(&Image->Pe, MM_USER);
    return status;
}

static NTSTATUS PspMapPeImage(PEPROCESS Process, const PS_IMAGE_SOURCE *Source, const PS_USER_IMAGE *Ntdll,
                              PPS_USER_IMAGE Image)
{
    PLDR_IMAGE pe = &Image->Pe;
    NTSTATUS status = RtlVerifyImageHeaders(Source->Data, Source->Size, IMAGE_FILE_MACHINE_NATIVE, pe);
    if (!NT_SUCCESS(status))
        return status;
    ULONG size = (pe->SizeOfImage + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    ULONG_PTR base = Ntdll ? PspChooseImageBase(Process, pe) : MM_NTDLL_BASE;
    if (!Ntdll && !PspRangeIsFree(Process, base, size, MM_NTDLL_BASE, PSP_NTDLL_LIMIT))
        return STATUS_CONFLICTING_ADDRESSES;
    if (!base || (Ntdll && pe->AddressOfEntryPoint == 0))
        return base ? STATUS_INVALID_IMAGE_FORMAT : STATUS_CONFLICTING_ADDRESSES;
    pe->Name = Ntdll ? NULL : "ntdll.dll";
    status = MiMapPeImage(pe, base, MM_USER);
    if (!NT_SUCCESS(status))
        return status;
    status = PspFixUpPeImage(Source->CommandLine, Image, Ntdll);
    if (!NT_SUCCESS(status)) {
        MiUnmapPeImage(base, size);
        return status;
    }
    Image->Start = base;
    Image->End = base + size;
    Image->Entry = pe->AddressOfEntryPoint ? base + pe->AddressOfEntryPoint : 0;
    return STATUS_SUCCESS;
}

NTSTATUS PspMapUserImage(PEPROCESS Process, const PS_IMAGE_SOURCE *Source, const PS_USER_IMAGE *Ntdll,
                         PPS_USER_IMAGE Image)
{
    memset(Image, 0, sizeof(*Image));
    if (!RtlIsPeImage(Source->Data, Source->Size))
        return STATUS_INVALID_IMAGE_FORMAT;
    return PspMapPeImage(Process, Source, Ntdll, Image);
}
