/*
 * PE32 (i386) and PE32+ (amd64) images as untrusted input: header verification (what NT's
 * MiVerifyImageHeader checks, and a bit more), bounded data-directory
 * access, exports by name and ordinal with forwarders, import snapping and
 * base relocations. Pure C over (bytes, SizeOfImage, guest VA): the kernel
 * runs it on mapped pages, the host's unit tests on buffers. Every read of
 * the mapped image is bounds-checked against SizeOfImage and done with
 * memcpy (a hostile RVA may be misaligned).
 */
#include "../inc/image.h"
#include "../inc/rtl.h"

#define LDRP_EXPORTS_UNKNOWN  0
#define LDRP_EXPORTS_SORTED   1
#define LDRP_EXPORTS_UNSORTED 2
#define LDRP_MAX_IMPORT_DESCRIPTORS 256
#define IMAGE_DIRECTORY_ENTRY_SECURITY 4   /* a file offset, not an RVA */

static BOOLEAN LdrpInImage(const LDR_IMAGE *Image, ULONG Rva, ULONG Length)
{
    return Rva <= Image->SizeOfImage && Length <= Image->SizeOfImage - Rva;
}

static BOOLEAN LdrpRead32(const LDR_IMAGE *Image, ULONG Rva, PULONG Value)
{
    if (!LdrpInImage(Image, Rva, sizeof(ULONG)))
        return FALSE;
    memcpy(Value, Image->Base + Rva, sizeof(ULONG));
    return TRUE;
}

static BOOLEAN LdrpRead16(const LDR_IMAGE *Image, ULONG Rva, PUSHORT Value)
{
    if (!LdrpInImage(Image, Rva, sizeof(USHORT)))
        return FALSE;
    memcpy(Value, Image->Base + Rva, sizeof(USHORT));
    return TRUE;
}

/* A NUL-terminated string wholly inside the image, or NULL. */
static PCSTR LdrpImageString(const LDR_IMAGE *Image, ULONG Rva)
{
    if (Rva == 0 || Rva >= Image->SizeOfImage)
        return NULL;
    const char *s = (const char *)Image->Base + Rva;
    for (ULONG n = 0; n < Image->SizeOfImage - Rva; n++)
        if (s[n] == '\0')
            return s;
    return NULL;
}

static BOOLEAN LdrpIsPowerOfTwo(ULONG x) { return x && !(x & (x - 1)); }
static ULONG LdrpRoundUp(ULONG x, ULONG a) { return (x + a - 1) & ~(a - 1); }

static char LdrpLower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

BOOLEAN LdrpEqualNamesNoCase(PCSTR A, PCSTR B)
{
    for (;; A++, B++) {
        char a = LdrpLower(*A), b = LdrpLower(*B);
        if (a != b)
            return FALSE;
        if (!a)
            return TRUE;
    }
}

/* ---------------------------------------------------------------- headers */

NTSTATUS RtlImageNtHeaderEx(ULONG Flags, PVOID Base, ULONG Size, PIMAGE_NT_HEADERS32 *OutHeaders)
{
    const IMAGE_DOS_HEADER *dos = Base;
    ULONG signature;
    (void)Flags;
    *OutHeaders = NULL;
    if (!Base || Size < sizeof(*dos) || dos->e_magic != IMAGE_DOS_SIGNATURE)
        return STATUS_INVALID_IMAGE_FORMAT;
    ULONG lfanew = (ULONG)dos->e_lfanew;
    /* the signature and the file header must follow inside the file */
    if (lfanew < sizeof(*dos) || lfanew > Size || Size - lfanew < sizeof(ULONG) + sizeof(IMAGE_FILE_HEADER))
        return STATUS_INVALID_IMAGE_FORMAT;
    memcpy(&signature, (PUCHAR)Base + lfanew, sizeof(signature));
    if (signature != IMAGE_NT_SIGNATURE)
        return STATUS_INVALID_IMAGE_FORMAT;
    *OutHeaders = (PIMAGE_NT_HEADERS32)((PUCHAR)Base + lfanew);
    return STATUS_SUCCESS;
}

/* The optional header's fields the loader checks, from a PE32 or a PE32+ one. */
typedef struct _LDRP_OPTIONAL_HEADER {
    USHORT Magic;
    ULONG Fixed, Size;          /* the part before DataDirectory; the whole structure */
    ULONGLONG ImageBase;
    ULONG SectionAlignment, FileAlignment, SizeOfImage, SizeOfHeaders, AddressOfEntryPoint, NumberOfRvaAndSizes;
    const IMAGE_DATA_DIRECTORY *DataDirectory;
} LDRP_OPTIONAL_HEADER;

#define LDRP_COPY_OPTIONAL(out, oh) do { \
        (out)->ImageBase = (oh)->ImageBase; (out)->SectionAlignment = (oh)->SectionAlignment; \
        (out)->FileAlignment = (oh)->FileAlignment; (out)->SizeOfImage = (oh)->SizeOfImage; \
        (out)->SizeOfHeaders = (oh)->SizeOfHeaders; (out)->AddressOfEntryPoint = (oh)->AddressOfEntryPoint; \
        (out)->NumberOfRvaAndSizes = (oh)->NumberOfRvaAndSizes; (out)->DataDirectory = (oh)->DataDirectory; \
    } while (0)

/* PE32 for I386, PE32+ for AMD64: the machine says which header the file must have. */
static BOOLEAN RtlpReadOptionalHeader(const IMAGE_NT_HEADERS32 *Nt, USHORT Machine, LDRP_OPTIONAL_HEADER *Out)
{
    if (Machine == IMAGE_FILE_MACHINE_AMD64) {
        const IMAGE_OPTIONAL_HEADER64 *oh = &((const IMAGE_NT_HEADERS64 *)Nt)->OptionalHeader;
        Out->Magic = IMAGE_NT_OPTIONAL_HDR64_MAGIC;
        Out->Fixed = offsetof(IMAGE_OPTIONAL_HEADER64, DataDirectory);
        Out->Size = sizeof(IMAGE_OPTIONAL_HEADER64);
        LDRP_COPY_OPTIONAL(Out, oh);
        return oh->Magic == IMAGE_NT_OPTIONAL_HDR64_MAGIC;
    }
    const IMAGE_OPTIONAL_HEADER32 *oh = &Nt->OptionalHeader;
    Out->Magic = IMAGE_NT_OPTIONAL_HDR32_MAGIC;
    Out->Fixed = offsetof(IMAGE_OPTIONAL_HEADER32, DataDirectory);
    Out->Size = sizeof(IMAGE_OPTIONAL_HEADER32);
    LDRP_COPY_OPTIONAL(Out, oh);
    return oh->Magic == IMAGE_NT_OPTIONAL_HDR32_MAGIC;
}

/* The highest address an image of this format may reach: 4 GiB for PE32, the address size for PE32+. */
static ULONGLONG RtlpImageAddressLimit(USHORT Magic)
{
    if (Magic == IMAGE_NT_OPTIONAL_HDR64_MAGIC && sizeof(ULONG_PTR) == 8)
        return ~0ull;
    return 0x100000000ull;
}

/* File header and optional header: machine, sizes, alignments, the header area. */
static NTSTATUS RtlpVerifyOptionalHeader(const IMAGE_NT_HEADERS32 *Nt, ULONG Lfanew, ULONG FileSize, USHORT Machine,
                                         PLDR_IMAGE Image)
{
    const IMAGE_FILE_HEADER *fh = &Nt->FileHeader;
    LDRP_OPTIONAL_HEADER oh;
    if (fh->Machine != Machine || !(fh->Characteristics & IMAGE_FILE_EXECUTABLE_IMAGE))
        return STATUS_INVALID_IMAGE_FORMAT;
    if (fh->NumberOfSections == 0 || fh->NumberOfSections > LDR_MAX_SECTIONS)
        return STATUS_INVALID_IMAGE_FORMAT;
    BOOLEAN magicOk = RtlpReadOptionalHeader(Nt, Machine, &oh);
    if (fh->SizeOfOptionalHeader < oh.Fixed || fh->SizeOfOptionalHeader > oh.Size)
        return STATUS_INVALID_IMAGE_FORMAT;
    /* the optional header and the section table inside the file */
    ULONG sectionTable = Lfanew + sizeof(ULONG) + sizeof(IMAGE_FILE_HEADER) + fh->SizeOfOptionalHeader;
    ULONG headersEnd = sectionTable + fh->NumberOfSections * sizeof(IMAGE_SECTION_HEADER);
    if (headersEnd > FileSize)
        return STATUS_INVALID_IMAGE_FORMAT;
    if (!magicOk || oh.NumberOfRvaAndSizes > IMAGE_NUMBEROF_DIRECTORY_ENTRIES ||
        fh->SizeOfOptionalHeader < oh.Fixed + oh.NumberOfRvaAndSizes * sizeof(IMAGE_DATA_DIRECTORY))
        return STATUS_INVALID_IMAGE_FORMAT;
    /* sections start on page boundaries: each gets its own protection */
    if (!LdrpIsPowerOfTwo(oh.SectionAlignment) || oh.SectionAlignment < PAGE_SIZE ||
        !LdrpIsPowerOfTwo(oh.FileAlignment) || oh.FileAlignment < PE_MIN_FILE_ALIGNMENT || oh.FileAlignment > PE_MAX_FILE_ALIGNMENT ||
        oh.FileAlignment > oh.SectionAlignment)
        return STATUS_INVALID_IMAGE_FORMAT;
    ULONGLONG limit = RtlpImageAddressLimit(oh.Magic);
    if (oh.SizeOfImage == 0 || oh.SizeOfImage > LDR_MAX_IMAGE_SIZE || (oh.ImageBase & 0xFFFF) ||
        oh.ImageBase > limit - oh.SizeOfImage || (limit != ~0ull && oh.ImageBase + oh.SizeOfImage > limit))
        return STATUS_INVALID_IMAGE_FORMAT;
    if (oh.SizeOfHeaders < headersEnd || oh.SizeOfHeaders > FileSize || oh.SizeOfHeaders >= oh.SizeOfImage ||
        oh.AddressOfEntryPoint >= oh.SizeOfImage)
        return STATUS_INVALID_IMAGE_FORMAT;
    Image->Sections = (const IMAGE_SECTION_HEADER *)((const UCHAR *)Nt + (sectionTable - Lfanew));
    Image->NumberOfSections = fh->NumberOfSections;
    Image->Characteristics = fh->Characteristics;
    Image->Magic = oh.Magic;
    Image->ImageBase = (ULONG_PTR)oh.ImageBase;
    Image->SizeOfImage = oh.SizeOfImage;
    Image->SizeOfHeaders = oh.SizeOfHeaders;
    Image->AddressOfEntryPoint = oh.AddressOfEntryPoint;
    Image->NumberOfRvaAndSizes = oh.NumberOfRvaAndSizes;
    memset(Image->DataDirectory, 0, sizeof(Image->DataDirectory));
    memcpy(Image->DataDirectory, oh.DataDirectory, oh.NumberOfRvaAndSizes * sizeof(IMAGE_DATA_DIRECTORY));
    return STATUS_SUCCESS;
}

/* A section's extent in the image: VirtualSize, or SizeOfRawData where a linker left it 0. */
static ULONG RtlpSectionExtent(const IMAGE_SECTION_HEADER *Section)
{
    return Section->Misc.VirtualSize ? Section->Misc.VirtualSize : Section->SizeOfRawData;
}

/* Sections: aligned, ascending, apart, after the headers, inside SizeOfImage and the file. */
static NTSTATUS RtlpVerifySections(PLDR_IMAGE Image, ULONG SectionAlignment)
{
    ULONG next = LdrpRoundUp(Image->SizeOfHeaders, SectionAlignment);
    BOOLEAN entryOk = Image->AddressOfEntryPoint == 0;
    for (ULONG i = 0; i < Image->NumberOfSections; i++) {
        const IMAGE_SECTION_HEADER *s = &Image->Sections[i];
        ULONG extent = RtlpSectionExtent(s);
        if (s->VirtualAddress & (SectionAlignment - 1) || s->VirtualAddress < next)
            return STATUS_INVALID_IMAGE_FORMAT;
        if (extent > Image->SizeOfImage || s->VirtualAddress > Image->SizeOfImage - extent)
            return STATUS_INVALID_IMAGE_FORMAT;   /* also catches VirtualAddress + extent wrapping */
        if (s->SizeOfRawData &&
            (s->PointerToRawData > Image->FileSize || s->SizeOfRawData > Image->FileSize - s->PointerToRawData))
            return STATUS_INVALID_IMAGE_FORMAT;
        if (Image->AddressOfEntryPoint >= s->VirtualAddress &&
            Image->AddressOfEntryPoint - s->VirtualAddress < extent && (s->Characteristics & IMAGE_SCN_MEM_EXECUTE))
            entryOk = TRUE;
        next = LdrpRoundUp(s->VirtualAddress + extent, SectionAlignment);
        if (next < s->VirtualAddress)
            return STATUS_INVALID_IMAGE_FORMAT;
    }
    return entryOk ? STATUS_SUCCESS : STATUS_INVALID_IMAGE_FORMAT;
}

/* Every data directory inside the image; a TLS directory is refused (NT would run its callbacks, we do not). */
static NTSTATUS RtlpVerifyDirectories(const LDR_IMAGE *Image)
{
    for (ULONG i = 0; i < Image->NumberOfRvaAndSizes; i++) {
        const IMAGE_DATA_DIRECTORY *d = &Image->DataDirectory[i];
        if (i == IMAGE_DIRECTORY_ENTRY_SECURITY || (d->VirtualAddress == 0 && d->Size == 0))
            continue;
        if (i == IMAGE_DIRECTORY_ENTRY_TLS)
            return STATUS_INVALID_IMAGE_FORMAT;
        if (d->VirtualAddress == 0 || !LdrpInImage(Image, d->VirtualAddress, d->Size))
            return STATUS_INVALID_IMAGE_FORMAT;
    }
    return STATUS_SUCCESS;
}

NTSTATUS RtlVerifyImageHeaders(const UCHAR *File, ULONG FileSize, USHORT Machine, PLDR_IMAGE Image)
{
    PIMAGE_NT_HEADERS32 nt;
    memset(Image, 0, sizeof(*Image));
    NTSTATUS status = RtlImageNtHeaderEx(0, (PVOID)File, FileSize, &nt);
    if (!NT_SUCCESS(status))
        return status;
    ULONG lfanew = (ULONG)((const UCHAR *)nt - File);
    /* the whole optional header is read below: it must lie in the file even when declared shorter */
    ULONG ntSize = Machine == IMAGE_FILE_MACHINE_AMD64 ? sizeof(IMAGE_NT_HEADERS64) : sizeof(IMAGE_NT_HEADERS32);
    if (FileSize - lfanew < ntSize)
        return STATUS_INVALID_IMAGE_FORMAT;
    Image->File = File;
    Image->FileSize = FileSize;
    status = RtlpVerifyOptionalHeader(nt, lfanew, FileSize, Machine, Image);
    if (NT_SUCCESS(status))
        status = RtlpVerifySections(Image, Machine == IMAGE_FILE_MACHINE_AMD64
                                               ? ((PIMAGE_NT_HEADERS64)nt)->OptionalHeader.SectionAlignment
                                               : nt->OptionalHeader.SectionAlignment);
    if (NT_SUCCESS(status))
        status = RtlpVerifyDirectories(Image);
    return status;
}

VOID RtlCopyImage(const LDR_IMAGE *Image)
{
    memcpy(Image->Base, Image->File, Image->SizeOfHeaders);
    for (ULONG i = 0; i < Image->NumberOfSections; i++) {
        const IMAGE_SECTION_HEADER *s = &Image->Sections[i];
        ULONG extent = RtlpSectionExtent(s);
        ULONG length = s->SizeOfRawData < extent ? s->SizeOfRawData : extent;
        if (length)
            memcpy(Image->Base + s->VirtualAddress, Image->File + s->PointerToRawData, length);
    }
}

PVOID RtlImageDirectoryEntryToData(const LDR_IMAGE *Image, USHORT DirectoryEntry, ULONG MinimumSize, PULONG Size)
{
    if (DirectoryEntry >= Image->NumberOfRvaAndSizes || DirectoryEntry == IMAGE_DIRECTORY_ENTRY_SECURITY)
        return NULL;
    const IMAGE_DATA_DIRECTORY *d = &Image->DataDirectory[DirectoryEntry];
    if (d->VirtualAddress == 0 || d->Size < MinimumSize || !LdrpInImage(Image, d->VirtualAddress, d->Size))
        return NULL;
    if (Size)
        *Size = d->Size;
    return Image->Base + d->VirtualAddress;
}

/* ---------------------------------------------------------------- base relocations */

/* One block's entries; Rva/Size are the block's place in the image, already bounded. */
static NTSTATUS LdrpRelocateBlock(PLDR_IMAGE Image, ULONG Rva, ULONG Size, ULONG PageRva, ULONG_PTR Bias)
{
    /* a PE32 image has HIGHLOW (32-bit) entries, a PE32+ one DIR64 */
    BOOLEAN pe32plus = Image->Magic == IMAGE_NT_OPTIONAL_HDR64_MAGIC;
    for (ULONG k = sizeof(IMAGE_BASE_RELOCATION); k < Size; k += sizeof(USHORT)) {
        USHORT entry = 0;
        LdrpRead16(Image, Rva + k, &entry);
        ULONG type = entry >> 12, target = PageRva + (entry & 0xFFF);
        if (type == IMAGE_REL_BASED_ABSOLUTE)
            continue;   /* padding */
        if (type == IMAGE_REL_BASED_HIGHLOW && !pe32plus) {
            ULONG value = 0;
            if (!LdrpRead32(Image, target, &value))
                return STATUS_INVALID_IMAGE_FORMAT;
            value += (ULONG)Bias;
            memcpy(Image->Base + target, &value, sizeof(value));
        } else if (type == IMAGE_REL_BASED_DIR64 && pe32plus) {
            ULONGLONG value = 0;
            if (!LdrpInImage(Image, target, sizeof(value)))
                return STATUS_INVALID_IMAGE_FORMAT;
            memcpy(&value, Image->Base + target, sizeof(value));
            value += (ULONGLONG)(LONG_PTR)Bias;
            memcpy(Image->Base + target, &value, sizeof(value));
        } else {
            return STATUS_INVALID_IMAGE_FORMAT;
        }
    }
    return STATUS_SUCCESS;
}

NTSTATUS LdrRelocateImageWithBias(PLDR_IMAGE Image, ULONG_PTR Bias)
{
    ULONG size;
    PUCHAR dir = RtlImageDirectoryEntryToData(Image, IMAGE_DIRECTORY_ENTRY_BASERELOC, sizeof(IMAGE_BASE_RELOCATION),
                                              &size);
    if (!dir || (Image->Characteristics & IMAGE_FILE_RELOCS_STRIPPED))
        return Bias ? STATUS_CONFLICTING_ADDRESSES : STATUS_SUCCESS;
    ULONG rva = (ULONG)(dir - Image->Base);
    /* the blocks are checked even at the preferred base: a bad one is a bad image either way */
    for (ULONG offset = 0; size - offset >= sizeof(IMAGE_BASE_RELOCATION);) {
        IMAGE_BASE_RELOCATION block;
        memcpy(&block, dir + offset, sizeof(block));
        if (block.SizeOfBlock < sizeof(block) || block.SizeOfBlock > size - offset || (block.SizeOfBlock & 1) ||
            block.VirtualAddress >= Image->SizeOfImage)
            return STATUS_INVALID_IMAGE_FORMAT;
        NTSTATUS status = LdrpRelocateBlock(Image, rva + offset, block.SizeOfBlock, block.VirtualAddress, Bias);
        if (!NT_SUCCESS(status))
            return status;
        offset += block.SizeOfBlock;
    }
    return STATUS_SUCCESS;
}

/* ---------------------------------------------------------------- exports */

typedef struct _LDRP_EXPORTS {
    IMAGE_EXPORT_DIRECTORY Directory;
    ULONG Rva, Size;              /* the directory's extent: an address inside it is a forwarder */
} LDRP_EXPORTS;

static NTSTATUS LdrpGetExports(const LDR_IMAGE *Dll, LDRP_EXPORTS *Exports)
{
    PUCHAR dir = RtlImageDirectoryEntryToData(Dll, IMAGE_DIRECTORY_ENTRY_EXPORT, sizeof(IMAGE_EXPORT_DIRECTORY),
                                              &Exports->Size);
    if (!dir)
        return STATUS_INVALID_IMAGE_FORMAT;
    Exports->Rva = (ULONG)(dir - Dll->Base);
    memcpy(&Exports->Directory, dir, sizeof(Exports->Directory));
    const IMAGE_EXPORT_DIRECTORY *e = &Exports->Directory;
    if (e->NumberOfFunctions > Dll->SizeOfImage / 4 || e->NumberOfNames > Dll->SizeOfImage / 4 ||
        !LdrpInImage(Dll, e->AddressOfFunctions, e->NumberOfFunctions * 4) ||
        !LdrpInImage(Dll, e->AddressOfNames, e->NumberOfNames * 4) ||
        !LdrpInImage(Dll, e->AddressOfNameOrdinals, e->NumberOfNames * 2))
        return STATUS_INVALID_IMAGE_FORMAT;
    return STATUS_SUCCESS;
}

static PCSTR LdrpExportName(const LDR_IMAGE *Dll, const LDRP_EXPORTS *Exports, ULONG Index)
{
    ULONG rva = 0;
    LdrpRead32(Dll, Exports->Directory.AddressOfNames + Index * 4, &rva);
    return LdrpImageString(Dll, rva);
}

/* Every name valid; sorted (strcmp order) or not, so a lookup can binary-search. */
static NTSTATUS LdrpCheckExportNames(PLDR_IMAGE Dll, const LDRP_EXPORTS *Exports)
{
    PCSTR previous = NULL;
    Dll->ExportsSorted = LDRP_EXPORTS_SORTED;
    for (ULONG i = 0; i < Exports->Directory.NumberOfNames; i++) {
        PCSTR name = LdrpExportName(Dll, Exports, i);
        if (!name) {
            Dll->ExportsSorted = LDRP_EXPORTS_UNKNOWN;
            return STATUS_INVALID_IMAGE_FORMAT;
        }
        if (previous && strcmp(previous, name) >= 0)
            Dll->ExportsSorted = LDRP_EXPORTS_UNSORTED;
        previous = name;
    }
    return STATUS_SUCCESS;
}

/* The function index for Name: a binary search over a sorted table, else a scan. */
static NTSTATUS LdrpNameToIndex(PLDR_IMAGE Dll, const LDRP_EXPORTS *Exports, PCSTR Name, PULONG Index)
{
    ULONG low = 0, high = Exports->Directory.NumberOfNames, found = high;
    USHORT ordinal = 0;
    if (Dll->ExportsSorted == LDRP_EXPORTS_UNKNOWN) {
        NTSTATUS status = LdrpCheckExportNames(Dll, Exports);
        if (!NT_SUCCESS(status))
            return status;
    }
    if (Dll->ExportsSorted == LDRP_EXPORTS_SORTED) {
        while (low < high && found == Exports->Directory.NumberOfNames) {
            ULONG mid = low + (high - low) / 2;
            int c = strcmp(Name, LdrpExportName(Dll, Exports, mid));
            if (c == 0)
                found = mid;
            else if (c < 0)
                high = mid;
            else
                low = mid + 1;
        }
    } else {
        for (ULONG i = 0; i < Exports->Directory.NumberOfNames && found == Exports->Directory.NumberOfNames; i++)
            if (!strcmp(Name, LdrpExportName(Dll, Exports, i)))
                found = i;
    }
    if (found == Exports->Directory.NumberOfNames)
        return STATUS_ENTRYPOINT_NOT_FOUND;
    LdrpRead16(Dll, Exports->Directory.AddressOfNameOrdinals + found * 2, &ordinal);
    *Index = ordinal;
    return STATUS_SUCCESS;
}

/* "MODULE.Name" or "MODULE.#Ordinal" naming Dll itself: the name (or ordinal) it forwards to. */
static NTSTATUS LdrpParseForwarder(const LDR_IMAGE *Dll, PCSTR Forwarder, PCSTR *Name, PULONG Ordinal)
{
    PCSTR dot = Forwarder;
    while (*dot && *dot != '.')
        dot++;
    if (!*dot || dot == Forwarder || !Dll->Name)
        return STATUS_INVALID_IMAGE_FORMAT;
    ULONG n = (ULONG)(dot - Forwarder);
    for (ULONG i = 0; i < n; i++) {
        if (!Dll->Name[i] || LdrpLower(Forwarder[i]) != LdrpLower(Dll->Name[i]))
            return STATUS_DLL_NOT_FOUND;   /* another module: we load none */
    }
    if (Dll->Name[n] != '.' && Dll->Name[n] != '\0')
        return STATUS_DLL_NOT_FOUND;
    *Name = dot + 1;
    *Ordinal = 0;
    if (dot[1] != '#')
        return dot[1] ? STATUS_SUCCESS : STATUS_INVALID_IMAGE_FORMAT;
    *Name = NULL;
    for (PCSTR p = dot + 2; *p; p++) {
        if (*p < '0' || *p > '9' || *Ordinal > 0xFFFF)
            return STATUS_INVALID_IMAGE_FORMAT;
        *Ordinal = *Ordinal * 10 + (ULONG)(*p - '0');
    }
    return STATUS_SUCCESS;
}

NTSTATUS LdrGetProcedureAddress(PLDR_IMAGE Dll, PCSTR Name, ULONG Ordinal, PULONG_PTR Address)
{
    LDRP_EXPORTS exports;
    NTSTATUS status = LdrpGetExports(Dll, &exports);
    for (ULONG depth = 0; NT_SUCCESS(status); depth++) {
        ULONG index = Ordinal - exports.Directory.Base, rva = 0;
        NTSTATUS missing = Name ? STATUS_ENTRYPOINT_NOT_FOUND : STATUS_ORDINAL_NOT_FOUND;
        if (depth > LDR_MAX_FORWARDER_DEPTH)
            return STATUS_INVALID_IMAGE_FORMAT;   /* a forwarder loop */
        if (Name && !NT_SUCCESS(status = LdrpNameToIndex(Dll, &exports, Name, &index)))
            return status;
        if (index >= exports.Directory.NumberOfFunctions)
            return Name ? STATUS_INVALID_IMAGE_FORMAT : STATUS_ORDINAL_NOT_FOUND;
        LdrpRead32(Dll, exports.Directory.AddressOfFunctions + index * 4, &rva);
        if (rva == 0)
            return missing;
        if (rva >= Dll->SizeOfImage)
            return STATUS_INVALID_IMAGE_FORMAT;
        if (rva - exports.Rva >= exports.Size) {
            *Address = Dll->Va + rva;
            return STATUS_SUCCESS;
        }
        PCSTR forwarder = LdrpImageString(Dll, rva);
        status = forwarder ? LdrpParseForwarder(Dll, forwarder, &Name, &Ordinal) : STATUS_INVALID_IMAGE_FORMAT;
    }
    return status;
}

/* ---------------------------------------------------------------- imports */

NTSTATUS LdrpResolveFromDll(PVOID Context, PCSTR Module, PCSTR Name, ULONG Ordinal, PULONG_PTR Address)
{
    PLDR_IMAGE dll = Context;
    if (!dll->Name || !LdrpEqualNamesNoCase(Module, dll->Name))
        return STATUS_DLL_NOT_FOUND;
    return LdrGetProcedureAddress(dll, Name, Ordinal, Address);
}

/* One thunk: by ordinal or by IMAGE_IMPORT_BY_NAME, resolved and written into the IAT (a pointer-sized slot). */
static NTSTATUS LdrpSnapThunk(PLDR_IMAGE Image, PCSTR Module, ULONGLONG Thunk, ULONG IatRva,
                              PLDR_IMPORT_RESOLVER Resolve, PVOID Context, PLDR_IMPORT_FAILURE Failure)
{
    BOOLEAN pe32plus = Image->Magic == IMAGE_NT_OPTIONAL_HDR64_MAGIC;
    PCSTR name = NULL;
    ULONG ordinal = 0;
    ULONG_PTR address = 0;
    if (pe32plus ? IMAGE_SNAP_BY_ORDINAL64(Thunk) : IMAGE_SNAP_BY_ORDINAL32((ULONG)Thunk)) {
        ordinal = (ULONG)(pe32plus ? IMAGE_ORDINAL64(Thunk) : IMAGE_ORDINAL32((ULONG)Thunk));
    } else {
        /* IMAGE_IMPORT_BY_NAME: a USHORT hint, then the name */
        if (Thunk > Image->SizeOfImage - sizeof(USHORT) ||
            !(name = LdrpImageString(Image, (ULONG)Thunk + sizeof(USHORT))))
            return STATUS_INVALID_IMAGE_FORMAT;
    }
    NTSTATUS status = Resolve(Context, Module, name, ordinal, &address);
    if (!NT_SUCCESS(status)) {
        Failure->Module = Module;
        Failure->Name = name;
        Failure->Ordinal = ordinal;
        return status;
    }
    if (pe32plus) {
        ULONGLONG slot = address;
        memcpy(Image->Base + IatRva, &slot, sizeof(slot));
    } else {
        ULONG slot = (ULONG)address;
        memcpy(Image->Base + IatRva, &slot, sizeof(slot));
    }
    return STATUS_SUCCESS;
}

/* One descriptor's thunks: the lookup table (or the IAT itself) until a zero entry. */
static NTSTATUS LdrpSnapDescriptor(PLDR_IMAGE Image, const IMAGE_IMPORT_DESCRIPTOR *Descriptor,
                                   PLDR_IMPORT_RESOLVER Resolve, PVOID Context, PLDR_IMPORT_FAILURE Failure)
{
    PCSTR module = LdrpImageString(Image, Descriptor->Name);
    ULONG lookup = Descriptor->OriginalFirstThunk ? Descriptor->OriginalFirstThunk : Descriptor->FirstThunk;
    ULONG width = Image->Magic == IMAGE_NT_OPTIONAL_HDR64_MAGIC ? 8 : 4;   /* IMAGE_THUNK_DATA64 or 32 */
    /* both tables start inside the image: lookup + i * width below cannot wrap */
    if (!module || lookup >= Image->SizeOfImage || Descriptor->FirstThunk >= Image->SizeOfImage)
        return STATUS_INVALID_IMAGE_FORMAT;
    for (ULONG i = 0;; i++) {
        ULONGLONG thunk = 0;
        ULONG iat = Descriptor->FirstThunk + i * width;
        if (i >= Image->SizeOfImage / width || !LdrpInImage(Image, lookup + i * width, width) ||
            !LdrpInImage(Image, iat, width))
            return STATUS_INVALID_IMAGE_FORMAT;   /* ran off the image before the terminator */
        memcpy(&thunk, Image->Base + lookup + i * width, width);   /* little-endian: the low bytes */
        if (thunk == 0)
            return STATUS_SUCCESS;
        NTSTATUS status = LdrpSnapThunk(Image, module, thunk, iat, Resolve, Context, Failure);
        if (!NT_SUCCESS(status))
            return status;
    }
}

NTSTATUS LdrpWalkImportDescriptor(PLDR_IMAGE Image, PLDR_IMPORT_RESOLVER Resolve, PVOID Context,
                                  PLDR_IMPORT_FAILURE Failure)
{
    ULONG size;
    const IMAGE_DATA_DIRECTORY *d = &Image->DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT];
    memset(Failure, 0, sizeof(*Failure));
    if (Image->NumberOfRvaAndSizes <= IMAGE_DIRECTORY_ENTRY_IMPORT || (d->VirtualAddress == 0 && d->Size == 0))
        return STATUS_SUCCESS;   /* imports nothing */
    PUCHAR dir = RtlImageDirectoryEntryToData(Image, IMAGE_DIRECTORY_ENTRY_IMPORT, 0, &size);
    if (!dir)
        return STATUS_INVALID_IMAGE_FORMAT;
    ULONG rva = (ULONG)(dir - Image->Base);
    for (ULONG i = 0; i < LDRP_MAX_IMPORT_DESCRIPTORS; i++) {
        IMAGE_IMPORT_DESCRIPTOR descriptor;
        if (!LdrpInImage(Image, rva + i * sizeof(descriptor), sizeof(descriptor)))
            return STATUS_INVALID_IMAGE_FORMAT;
        memcpy(&descriptor, Image->Base + rva + i * sizeof(descriptor), sizeof(descriptor));
        if (descriptor.Name == 0 || descriptor.FirstThunk == 0)
            return STATUS_SUCCESS;   /* the terminating descriptor */
        NTSTATUS status = LdrpSnapDescriptor(Image, &descriptor, Resolve, Context, Failure);
        if (!NT_SUCCESS(status))
            return status;
    }
    return STATUS_INVALID_IMAGE_FORMAT;
}
