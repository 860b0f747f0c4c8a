/*
 * PE32 (i386) and PE32+ (amd64) image structures and constants, under winnt.h's names. Only
 * what the kernel's loader reads; every field is untrusted input.
 */
#ifndef GUEST_NTIMAGE_H
#define GUEST_NTIMAGE_H

#include "ntdef.h"

#define IMAGE_DOS_SIGNATURE    0x5A4D       /* MZ */
#define IMAGE_NT_SIGNATURE     0x00004550   /* PE\0\0 */

typedef struct _IMAGE_DOS_HEADER {
    USHORT e_magic, e_cblp, e_cp, e_crlc, e_cparhdr, e_minalloc, e_maxalloc, e_ss, e_sp, e_csum, e_ip, e_cs;
    USHORT e_lfarlc, e_ovno, e_res[4], e_oemid, e_oeminfo, e_res2[10];
    LONG e_lfanew;
} IMAGE_DOS_HEADER, *PIMAGE_DOS_HEADER;

#define IMAGE_FILE_MACHINE_I386          0x014C
#define IMAGE_FILE_MACHINE_AMD64         0x8664
/* the machine this kernel runs (and loads images for) */
#if defined(_M_AMD64)
#define IMAGE_FILE_MACHINE_NATIVE        IMAGE_FILE_MACHINE_AMD64
#define IMAGE_FILE_MACHINE_NATIVE_NAME   "amd64"
#else
#define IMAGE_FILE_MACHINE_NATIVE        IMAGE_FILE_MACHINE_I386
#define IMAGE_FILE_MACHINE_NATIVE_NAME   "i386"
#endif
#define IMAGE_FILE_RELOCS_STRIPPED       0x0001
#define IMAGE_FILE_EXECUTABLE_IMAGE      0x0002
#define IMAGE_FILE_32BIT_MACHINE         0x0100
#define IMAGE_FILE_DLL                   0x2000

typedef struct _IMAGE_FILE_HEADER {
    USHORT Machine;
    USHORT NumberOfSections;
    ULONG TimeDateStamp;
    ULONG PointerToSymbolTable;
    ULONG NumberOfSymbols;
    USHORT SizeOfOptionalHeader;
    USHORT Characteristics;
} IMAGE_FILE_HEADER, *PIMAGE_FILE_HEADER;

typedef struct _IMAGE_DATA_DIRECTORY {
    ULONG VirtualAddress;
    ULONG Size;
} IMAGE_DATA_DIRECTORY, *PIMAGE_DATA_DIRECTORY;

#define IMAGE_NUMBEROF_DIRECTORY_ENTRIES 16
#define IMAGE_NT_OPTIONAL_HDR32_MAGIC    0x10B
#define IMAGE_NT_OPTIONAL_HDR64_MAGIC    0x20B   /* PE32+ */

typedef struct _IMAGE_OPTIONAL_HEADER32 {
    USHORT Magic;
    UCHAR MajorLinkerVersion, MinorLinkerVersion;
    ULONG SizeOfCode, SizeOfInitializedData, SizeOfUninitializedData;
    ULONG AddressOfEntryPoint, BaseOfCode, BaseOfData;
    ULONG ImageBase, SectionAlignment, FileAlignment;
    USHORT MajorOperatingSystemVersion, MinorOperatingSystemVersion;
    USHORT MajorImageVersion, MinorImageVersion, MajorSubsystemVersion, MinorSubsystemVersion;
    ULONG Win32VersionValue, SizeOfImage, SizeOfHeaders, CheckSum;
    USHORT Subsystem, DllCharacteristics;
    ULONG SizeOfStackReserve, SizeOfStackCommit, SizeOfHeapReserve, SizeOfHeapCommit;
    ULONG LoaderFlags, NumberOfRvaAndSizes;
    IMAGE_DATA_DIRECTORY DataDirectory[IMAGE_NUMBEROF_DIRECTORY_ENTRIES];
} IMAGE_OPTIONAL_HEADER32, *PIMAGE_OPTIONAL_HEADER32;

/* PE32+: no BaseOfData, and ImageBase and the stack and heap sizes are 64-bit */
typedef struct _IMAGE_OPTIONAL_HEADER64 {
    USHORT Magic;
    UCHAR MajorLinkerVersion, MinorLinkerVersion;
    ULONG SizeOfCode, SizeOfInitializedData, SizeOfUninitializedData;
    ULONG AddressOfEntryPoint, BaseOfCode;
    ULONGLONG ImageBase;
    ULONG SectionAlignment, FileAlignment;
    USHORT MajorOperatingSystemVersion, MinorOperatingSystemVersion;
    USHORT MajorImageVersion, MinorImageVersion, MajorSubsystemVersion, MinorSubsystemVersion;
    ULONG Win32VersionValue, SizeOfImage, SizeOfHeaders, CheckSum;
    USHORT Subsystem, DllCharacteristics;
    ULONGLONG SizeOfStackReserve, SizeOfStackCommit, SizeOfHeapReserve, SizeOfHeapCommit;
    ULONG LoaderFlags, NumberOfRvaAndSizes;
    IMAGE_DATA_DIRECTORY DataDirectory[IMAGE_NUMBEROF_DIRECTORY_ENTRIES];
} __attribute__((packed, aligned(4))) IMAGE_OPTIONAL_HEADER64, *PIMAGE_OPTIONAL_HEADER64;
_Static_assert(sizeof(IMAGE_OPTIONAL_HEADER64) == 0xF0, "IMAGE_OPTIONAL_HEADER64");
_Static_assert(__builtin_offsetof(IMAGE_OPTIONAL_HEADER64, ImageBase) == 0x18, "ImageBase");
_Static_assert(__builtin_offsetof(IMAGE_OPTIONAL_HEADER64, DataDirectory) == 0x70, "DataDirectory");

typedef struct _IMAGE_NT_HEADERS64 {
    ULONG Signature;
    IMAGE_FILE_HEADER FileHeader;
    IMAGE_OPTIONAL_HEADER64 OptionalHeader;
} IMAGE_NT_HEADERS64, *PIMAGE_NT_HEADERS64;

typedef struct _IMAGE_NT_HEADERS32 {
    ULONG Signature;
    IMAGE_FILE_HEADER FileHeader;
    IMAGE_OPTIONAL_HEADER32 OptionalHeader;
} IMAGE_NT_HEADERS32, *PIMAGE_NT_HEADERS32;

#define IMAGE_FIRST_SECTION(nt) \
    ((PIMAGE_SECTION_HEADER)((PUCHAR)&(nt)->OptionalHeader + (nt)->FileHeader.SizeOfOptionalHeader))

#define IMAGE_DIRECTORY_ENTRY_EXPORT     0
#define IMAGE_DIRECTORY_ENTRY_IMPORT     1
#define IMAGE_DIRECTORY_ENTRY_BASERELOC  5
#define IMAGE_DIRECTORY_ENTRY_TLS        9
#define IMAGE_DIRECTORY_ENTRY_IAT        12

#define IMAGE_SIZEOF_SHORT_NAME 8
typedef struct _IMAGE_SECTION_HEADER {
    UCHAR Name[IMAGE_SIZEOF_SHORT_NAME];
    union { ULONG PhysicalAddress; ULONG VirtualSize; } Misc;
    ULONG VirtualAddress;
    ULONG SizeOfRawData;
    ULONG PointerToRawData;
    ULONG PointerToRelocations;
    ULONG PointerToLinenumbers;
    USHORT NumberOfRelocations;
    USHORT NumberOfLinenumbers;
    ULONG Characteristics;
} IMAGE_SECTION_HEADER, *PIMAGE_SECTION_HEADER;

#define IMAGE_SCN_CNT_CODE               0x00000020
#define IMAGE_SCN_CNT_INITIALIZED_DATA   0x00000040
#define IMAGE_SCN_CNT_UNINITIALIZED_DATA 0x00000080
#define IMAGE_SCN_MEM_DISCARDABLE        0x02000000
#define IMAGE_SCN_MEM_EXECUTE            0x20000000
#define IMAGE_SCN_MEM_READ               0x40000000
#define IMAGE_SCN_MEM_WRITE              0x80000000

typedef struct _IMAGE_EXPORT_DIRECTORY {
    ULONG Characteristics;
    ULONG TimeDateStamp;
    USHORT MajorVersion, MinorVersion;
    ULONG Name;
    ULONG Base;
    ULONG NumberOfFunctions;
    ULONG NumberOfNames;
    ULONG AddressOfFunctions;      /* RVA of ULONG[NumberOfFunctions] */
    ULONG AddressOfNames;          /* RVA of ULONG[NumberOfNames], names sorted */
    ULONG AddressOfNameOrdinals;   /* RVA of USHORT[NumberOfNames] */
} IMAGE_EXPORT_DIRECTORY, *PIMAGE_EXPORT_DIRECTORY;

typedef struct _IMAGE_IMPORT_DESCRIPTOR {
    union { ULONG Characteristics; ULONG OriginalFirstThunk; };
    ULONG TimeDateStamp;
    ULONG ForwarderChain;
    ULONG Name;
    ULONG FirstThunk;
} IMAGE_IMPORT_DESCRIPTOR, *PIMAGE_IMPORT_DESCRIPTOR;

typedef struct _IMAGE_THUNK_DATA32 {
    union { ULONG ForwarderString; ULONG Function; ULONG Ordinal; ULONG AddressOfData; } u1;
} IMAGE_THUNK_DATA32, *PIMAGE_THUNK_DATA32;

#define IMAGE_ORDINAL_FLAG32          0x80000000
#define IMAGE_SNAP_BY_ORDINAL32(o)    (((o) & IMAGE_ORDINAL_FLAG32) != 0)
#define IMAGE_ORDINAL32(o)            ((o) & 0xFFFF)
#define IMAGE_ORDINAL_FLAG64          0x8000000000000000ull
#define IMAGE_SNAP_BY_ORDINAL64(o)    (((o) & IMAGE_ORDINAL_FLAG64) != 0)
#define IMAGE_ORDINAL64(o)            ((o) & 0xFFFF)

typedef struct _IMAGE_IMPORT_BY_NAME {
    USHORT Hint;
    CHAR Name[1];
} IMAGE_IMPORT_BY_NAME, *PIMAGE_IMPORT_BY_NAME;

typedef struct _IMAGE_BASE_RELOCATION {
    ULONG VirtualAddress;
    ULONG SizeOfBlock;             /* this header and its USHORT entries */
} IMAGE_BASE_RELOCATION, *PIMAGE_BASE_RELOCATION;

#define IMAGE_REL_BASED_ABSOLUTE 0
#define IMAGE_REL_BASED_HIGHLOW  3
#define IMAGE_REL_BASED_DIR64    10   /* PE32+: a 64-bit address */

typedef struct _IMAGE_TLS_DIRECTORY32 {
    ULONG StartAddressOfRawData, EndAddressOfRawData, AddressOfIndex, AddressOfCallBacks;
    ULONG SizeOfZeroFill, Characteristics;
} IMAGE_TLS_DIRECTORY32, *PIMAGE_TLS_DIRECTORY32;

_Static_assert(sizeof(IMAGE_DOS_HEADER) == 64, "IMAGE_DOS_HEADER");
_Static_assert(sizeof(IMAGE_FILE_HEADER) == 20, "IMAGE_FILE_HEADER");
_Static_assert(sizeof(IMAGE_OPTIONAL_HEADER32) == 224, "IMAGE_OPTIONAL_HEADER32");
_Static_assert(sizeof(IMAGE_NT_HEADERS32) == 248, "IMAGE_NT_HEADERS32");
_Static_assert(sizeof(IMAGE_SECTION_HEADER) == 40, "IMAGE_SECTION_HEADER");
_Static_assert(sizeof(IMAGE_EXPORT_DIRECTORY) == 40, "IMAGE_EXPORT_DIRECTORY");
_Static_assert(sizeof(IMAGE_IMPORT_DESCRIPTOR) == 20, "IMAGE_IMPORT_DESCRIPTOR");

#endif
