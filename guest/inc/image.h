/*
 * Images as the kernel loads them: user programs, ntdll and boot drivers,
 * PE32 i386 or PE32+ amd64, the kernel's own machine (guest/rtl/image.c, guest/mm/image.c); the kernel itself is the
 * one ELF image, loaded by the boot loader.
 * An image is untrusted input: every header field is checked before it is
 * used.
 */
#ifndef GUEST_IMAGE_H
#define GUEST_IMAGE_H

#include "ntdef.h"
#include "ntimage.h"
#include <nt/pe_limits.h>

/* Where a loaded image lies: [Start, End), page-rounded, and its entry point. */
typedef struct _MI_IMAGE {
    ULONG_PTR Start, End;
    ULONG_PTR Entry;
} MI_IMAGE;

/* ---------------------------------------------------------------- PE32 */

static inline BOOLEAN RtlIsPeImage(const UCHAR *Data, ULONG Size) { return Size >= 2 && Data[0] == 'M' && Data[1] == 'Z'; }

/*
 * A verified PE image. The header fields the loader needs are copied out of
 * the file once verified (a relocation may rewrite the mapped headers; the
 * loader never re-reads them). Base is where this code reads and writes the
 * mapped image (a host buffer in the unit tests), Va the guest address it
 * runs at.
 */
typedef struct _LDR_IMAGE {
    const UCHAR *File;
    ULONG FileSize;
    const IMAGE_SECTION_HEADER *Sections;   /* in the file */
    ULONG NumberOfSections;
    USHORT Characteristics;
    USHORT Magic;           /* IMAGE_NT_OPTIONAL_HDR32_MAGIC or _HDR64_MAGIC (PE32+) */
    ULONG_PTR ImageBase;
    ULONG SizeOfImage, SizeOfHeaders, AddressOfEntryPoint;
    ULONG NumberOfRvaAndSizes;
    IMAGE_DATA_DIRECTORY DataDirectory[IMAGE_NUMBEROF_DIRECTORY_ENTRIES];
    PUCHAR Base;
    ULONG_PTR Va;
    PCSTR Name;             /* "ntdll.dll": forwarders must name this module */
    UCHAR ExportsSorted;    /* LDRP_EXPORTS_*: found out on the first lookup by name */
} LDR_IMAGE, *PLDR_IMAGE;

/* the same limits as the monitor's checks (ntdb/pe.c): one definition, include/nt/pe_limits.h */
#define LDR_MAX_IMAGE_SIZE      PE_MAX_IMAGE_SIZE
#define LDR_MAX_SECTIONS        PE_MAX_SECTIONS
#define LDR_MAX_FORWARDER_DEPTH 8

/* DOS header, e_lfanew and the PE signature; *OutHeaders inside [Base, Base+Size). */
NTSTATUS RtlImageNtHeaderEx(ULONG Flags, PVOID Base, ULONG Size, PIMAGE_NT_HEADERS32 *OutHeaders);
/*
 * Every header field and section of a PE file for Machine (I386: PE32, AMD64:
 * PE32+); fills Image (Base and Va still unset). Another machine's image is
 * STATUS_INVALID_IMAGE_FORMAT.
 */
NTSTATUS RtlVerifyImageHeaders(const UCHAR *File, ULONG FileSize, USHORT Machine, PLDR_IMAGE Image);
/* Headers and sections from the file into Image->Base, which is SizeOfImage zeroed bytes. */
VOID RtlCopyImage(const LDR_IMAGE *Image);
/* A data directory inside the mapped image, at least MinimumSize long; NULL if absent or bad. */
PVOID RtlImageDirectoryEntryToData(const LDR_IMAGE *Image, USHORT DirectoryEntry, ULONG MinimumSize, PULONG Size);
/* Adds Bias (Va - ImageBase) to every HIGHLOW (PE32) or DIR64 (PE32+) target. STATUS_CONFLICTING_ADDRESSES without relocations. */
NTSTATUS LdrRelocateImageWithBias(PLDR_IMAGE Image, ULONG_PTR Bias);
/* An export's guest address by Name (or by Ordinal when Name is NULL), following forwarders within Dll. */
NTSTATUS LdrGetProcedureAddress(PLDR_IMAGE Dll, PCSTR Name, ULONG Ordinal, PULONG_PTR Address);
/* ASCII names compared without case (module names). */
BOOLEAN LdrpEqualNamesNoCase(PCSTR A, PCSTR B);

/* Resolves one import: Name, or Ordinal when Name is NULL, from Module. */
typedef NTSTATUS (*PLDR_IMPORT_RESOLVER)(PVOID Context, PCSTR Module, PCSTR Name, ULONG Ordinal, PULONG_PTR Address);
/* What could not be resolved, for the console line. */
typedef struct _LDR_IMPORT_FAILURE {
    PCSTR Module;
    PCSTR Name;             /* NULL: by ordinal */
    ULONG Ordinal;
} LDR_IMPORT_FAILURE, *PLDR_IMPORT_FAILURE;
/* Snaps every import of Image through Resolve; on a resolver failure, Failure says which. */
NTSTATUS LdrpWalkImportDescriptor(PLDR_IMAGE Image, PLDR_IMPORT_RESOLVER Resolve, PVOID Context,
                                  PLDR_IMPORT_FAILURE Failure);
/* A resolver against one loaded DLL's export directory (Context: its LDR_IMAGE, Name set). */
NTSTATUS LdrpResolveFromDll(PVOID Context, PCSTR Module, PCSTR Name, ULONG Ordinal, PULONG_PTR Address);

/*
 * Mm: a verified image into fresh zeroed pages at Va of the current address
 * space (Protection MM_USER or 0), writable, headers and sections copied;
 * sets Image->Base and Va. STATUS_CONFLICTING_ADDRESSES if anything is mapped there.
 */
NTSTATUS MiMapPeImage(PLDR_IMAGE Image, ULONG_PTR Va, ULONG Protection);
/* After fix-up: each page gets its section's protection (headers and gaps read-only). */
NTSTATUS MiProtectPeImage(const LDR_IMAGE *Image, ULONG Protection);
/* Unmaps [Va, Va+Size) and frees its pages (a load that failed after mapping). */
VOID MiUnmapPeImage(ULONG_PTR Va, ULONG Size);

/* The kernel's exports for drivers (guest/mm/sysexports.c): Module is "ntoskrnl.exe" or "hal.dll", any case. */
NTSTATUS MmLookupSystemExport(PCSTR Module, PCSTR Name, PULONG_PTR Address);
/* The same as an import resolver (Context unused). */
NTSTATUS MiResolveSystemImport(PVOID Context, PCSTR Module, PCSTR Name, ULONG Ordinal, PULONG_PTR Address);

/* ---------------------------------------------------------------- loaded modules */

/* PsLoadedModuleList's entries, at NT's i386 and x64 offsets (kd's `lm` reads them from guest memory). */
typedef struct _KLDR_DATA_TABLE_ENTRY {
    LIST_ENTRY InLoadOrderLinks;
    PVOID ExceptionTable;
    ULONG ExceptionTableSize;
    PVOID GpValue;
    PVOID NonPagedDebugInfo;
    PVOID DllBase;
    PVOID EntryPoint;
    ULONG SizeOfImage;
    UNICODE_STRING FullDllName;
    UNICODE_STRING BaseDllName;
    ULONG Flags;
    USHORT LoadCount;
    USHORT Unused;
    PVOID SectionPointer;
    ULONG CheckSum;
} KLDR_DATA_TABLE_ENTRY, *PKLDR_DATA_TABLE_ENTRY;
#if defined(__i386__)
_Static_assert(offsetof(KLDR_DATA_TABLE_ENTRY, DllBase) == 0x18, "DllBase");
_Static_assert(offsetof(KLDR_DATA_TABLE_ENTRY, EntryPoint) == 0x1C, "EntryPoint");
_Static_assert(offsetof(KLDR_DATA_TABLE_ENTRY, SizeOfImage) == 0x20, "SizeOfImage");
_Static_assert(offsetof(KLDR_DATA_TABLE_ENTRY, FullDllName) == 0x24, "FullDllName");
_Static_assert(offsetof(KLDR_DATA_TABLE_ENTRY, BaseDllName) == 0x2C, "BaseDllName");
#elif defined(__x86_64__) && !__STDC_HOSTED__
_Static_assert(offsetof(KLDR_DATA_TABLE_ENTRY, DllBase) == 0x30, "DllBase");
_Static_assert(offsetof(KLDR_DATA_TABLE_ENTRY, EntryPoint) == 0x38, "EntryPoint");
_Static_assert(offsetof(KLDR_DATA_TABLE_ENTRY, SizeOfImage) == 0x40, "SizeOfImage");
_Static_assert(offsetof(KLDR_DATA_TABLE_ENTRY, FullDllName) == 0x48, "FullDllName");
_Static_assert(offsetof(KLDR_DATA_TABLE_ENTRY, BaseDllName) == 0x58, "BaseDllName");
#endif
/* ntoskrnl first, then each boot driver in load order. */
extern LIST_ENTRY PsLoadedModuleList;

/* ---------------------------------------------------------------- user images */

struct _EPROCESS;
struct _PS_IMAGE_SOURCE;
/* A user image in the current address space: [Start, End) page-aligned, its entry, and its view. */
typedef struct _PS_USER_IMAGE {
    ULONG_PTR Start, End, Entry;
    LDR_IMAGE Pe;
} PS_USER_IMAGE, *PPS_USER_IMAGE;
/*
 * Maps ntdll (Ntdll NULL: at MM_NTDLL_BASE) or the program (at its ImageBase
 * if that range is free in Process's VADs, else relocated). The program's imports are snapped against Ntdll's exports
 * (console line on failure: STATUS_ENTRYPOINT_NOT_FOUND, _ORDINAL_NOT_FOUND,
 * _DLL_NOT_FOUND). The caller records the VAD.
 */
NTSTATUS PspMapUserImage(struct _EPROCESS *Process, const struct _PS_IMAGE_SOURCE *Source,
                         const PS_USER_IMAGE *Ntdll, PPS_USER_IMAGE Image);

#endif
