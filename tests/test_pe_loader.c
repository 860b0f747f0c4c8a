/*
 * The kernel's PE loader (guest/rtl/image.c), built for the host under
 * ASan/UBSan: a valid image made here (exports, imports, relocations), then
 * every hostile class the kernel must refuse with NT's status -- truncated
 * headers, e_lfanew past the end, section counts, overlapping and
 * out-of-image sections, wrapping RVAs, directories outside the image,
 * unterminated import names, missing exports, forwarder loops, bad
 * relocation blocks, a TLS directory, another machine. Buffers are exactly
 * as large as the file and the image, so a stray read is a sanitizer report.
 * With mingw-w64's tools the build also makes a real DLL and program
 * (tests/pe/) and this test loads the one against the other.
 */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "image.h"

/* ---- a small PE32 image: four sections of 0x200 bytes, one page each */

#define T_BASE  0x00400000u
#define T_IMAGE 0x5000u
#define T_FILE  0x0C00u
#define T_LFANEW 0x80u
enum { S_TEXT, S_RDATA, S_IDATA, S_RELOC, S_COUNT };

static ULONG file_offset(ULONG rva) { return 0x400 + ((rva >> 12) - 1) * 0x200 + (rva & 0xFFF); }
static void put(UCHAR *f, ULONG rva, const void *data, ULONG n) { memcpy(f + file_offset(rva), data, n); }
static void put32(UCHAR *f, ULONG rva, ULONG v) { put(f, rva, &v, 4); }
static void put16(UCHAR *f, ULONG rva, USHORT v) { put(f, rva, &v, 2); }
static void putstr(UCHAR *f, ULONG rva, const char *s) { put(f, rva, s, (ULONG)strlen(s) + 1); }

static PIMAGE_NT_HEADERS32 nt_of(UCHAR *f) { return (PIMAGE_NT_HEADERS32)(f + T_LFANEW); }
static PIMAGE_SECTION_HEADER section_of(UCHAR *f, int i) { return IMAGE_FIRST_SECTION(nt_of(f)) + i; }
static PIMAGE_DATA_DIRECTORY dir_of(UCHAR *f, int i) { return &nt_of(f)->OptionalHeader.DataDirectory[i]; }

static void build_headers(UCHAR *f)
{
    static const char *names[S_COUNT] = { ".text", ".rdata", ".idata", ".reloc" };
    static const ULONG flags[S_COUNT] = { IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_READ,
                                          IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ,
                                          IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_WRITE,
                                          IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ };
    PIMAGE_DOS_HEADER dos = (PIMAGE_DOS_HEADER)f;
    dos->e_magic = IMAGE_DOS_SIGNATURE;
    dos->e_lfanew = T_LFANEW;
    PIMAGE_NT_HEADERS32 nt = nt_of(f);
    nt->Signature = IMAGE_NT_SIGNATURE;
    nt->FileHeader.Machine = IMAGE_FILE_MACHINE_I386;
    nt->FileHeader.NumberOfSections = S_COUNT;
    nt->FileHeader.SizeOfOptionalHeader = sizeof(IMAGE_OPTIONAL_HEADER32);
    nt->FileHeader.Characteristics = IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_32BIT_MACHINE | IMAGE_FILE_DLL;
    PIMAGE_OPTIONAL_HEADER32 oh = &nt->OptionalHeader;
    oh->Magic = IMAGE_NT_OPTIONAL_HDR32_MAGIC;
    oh->AddressOfEntryPoint = 0x1000;
    oh->ImageBase = T_BASE;
    oh->SectionAlignment = 0x1000;
    oh->FileAlignment = 0x200;
    oh->SizeOfImage = T_IMAGE;
    oh->SizeOfHeaders = 0x400;
    oh->NumberOfRvaAndSizes = IMAGE_NUMBEROF_DIRECTORY_ENTRIES;
    for (int i = 0; i < S_COUNT; i++) {
        PIMAGE_SECTION_HEADER s = section_of(f, i);
        memcpy(s->Name, names[i], strlen(names[i]));
        s->Misc.VirtualSize = 0x200;
        s->VirtualAddress = 0x1000 * (ULONG)(i + 1);
        s->SizeOfRawData = 0x200;
        s->PointerToRawData = 0x400 + 0x200 * (ULONG)i;
        s->Characteristics = flags[i];
    }
}

/*
 * Exports (ordinal base 1): NtClose 0x1000, NtDisplayString 0x1010, RtlFwd ->
 * ntdll.NtClose, RtlLoop -> NTDLL.RtlLoop, RtlOrd -> ntdll.#2, RtlOther ->
 * kernel32.Foo, and ordinal 7 (no name) 0x1020.
 */
static void build_exports(UCHAR *f)
{
    static const char *names[] = { "NtClose", "NtDisplayString", "RtlFwd", "RtlLoop", "RtlOrd", "RtlOther" };
    static const USHORT ordinals[] = { 0, 1, 2, 3, 5, 4 };
    static const char *forwarders[] = { "ntdll.NtClose", "NTDLL.RtlLoop", "kernel32.Foo", "ntdll.#2" };
    IMAGE_EXPORT_DIRECTORY e = { .Name = 0x2100, .Base = 1, .NumberOfFunctions = 7, .NumberOfNames = 6,
                                 .AddressOfFunctions = 0x2040, .AddressOfNames = 0x2060,
                                 .AddressOfNameOrdinals = 0x2080 };
    put(f, 0x2000, &e, sizeof(e));
    putstr(f, 0x2100, "ntdll.dll");
    ULONG functions[7] = { 0x1000, 0x1010, 0, 0, 0, 0, 0x1020 };
    for (int i = 0; i < 4; i++) {
        functions[2 + i] = 0x2180 + 0x18 * (ULONG)i;
        putstr(f, functions[2 + i], forwarders[i]);
    }
    put(f, 0x2040, functions, sizeof(functions));
    for (int i = 0; i < 6; i++) {
        put32(f, 0x2060 + 4 * (ULONG)i, 0x2110 + 0x10 * (ULONG)i);
        putstr(f, 0x2110 + 0x10 * (ULONG)i, names[i]);
        put16(f, 0x2080 + 2 * (ULONG)i, ordinals[i]);
    }
    *dir_of(f, IMAGE_DIRECTORY_ENTRY_EXPORT) = (IMAGE_DATA_DIRECTORY){ 0x2000, 0x200 };
}

/* Imports from NTDLL.DLL: NtDisplayString, NtClose, ordinal 7; IAT at 0x3060. */
static void build_imports(UCHAR *f)
{
    IMAGE_IMPORT_DESCRIPTOR d = { .OriginalFirstThunk = 0x3040, .Name = 0x3080, .FirstThunk = 0x3060 };
    put(f, 0x3000, &d, sizeof(d));
    putstr(f, 0x3080, "NTDLL.DLL");
    ULONG thunks[4] = { 0x30A0, 0x30C0, IMAGE_ORDINAL_FLAG32 | 7, 0 };
    put(f, 0x3040, thunks, sizeof(thunks));
    put(f, 0x3060, thunks, sizeof(thunks));
    putstr(f, 0x30A2, "NtDisplayString");
    putstr(f, 0x30C2, "NtClose");
    *dir_of(f, IMAGE_DIRECTORY_ENTRY_IMPORT) = (IMAGE_DATA_DIRECTORY){ 0x3000, 0x28 };
}

/* Two absolute addresses in .text (to .rdata and .idata) and their HIGHLOW entries. */
static void build_relocations(UCHAR *f)
{
    put32(f, 0x1010, T_BASE + 0x2000);
    put32(f, 0x1014, T_BASE + 0x3000);
    put32(f, 0x4000, 0x1000);
    put32(f, 0x4004, 16);
    put16(f, 0x4008, (IMAGE_REL_BASED_HIGHLOW << 12) | 0x010);
    put16(f, 0x400A, (IMAGE_REL_BASED_HIGHLOW << 12) | 0x014);
    put16(f, 0x400C, IMAGE_REL_BASED_ABSOLUTE << 12);
    put16(f, 0x400E, IMAGE_REL_BASED_ABSOLUTE << 12);
    *dir_of(f, IMAGE_DIRECTORY_ENTRY_BASERELOC) = (IMAGE_DATA_DIRECTORY){ 0x4000, 16 };
}

static UCHAR built_file[T_FILE];

/* The valid image, afresh; tests make it hostile in place. */
static UCHAR *build(void)
{
    UCHAR *f = built_file;
    memset(f, 0, T_FILE);
    build_headers(f);
    build_exports(f);
    build_imports(f);
    build_relocations(f);
    return f;
}

/* ---- loading: the file copied into a buffer of exactly its size, mapped into one of SizeOfImage */

typedef struct {
    UCHAR *file;
    LDR_IMAGE image;
} LOADED;

static NTSTATUS load_sized(const UCHAR *f, ULONG size, ULONG va, LOADED *out)
{
    memset(out, 0, sizeof(*out));
    out->file = malloc(size ? size : 1);
    memcpy(out->file, f, size);
    NTSTATUS status = RtlVerifyImageHeaders(out->file, size, IMAGE_FILE_MACHINE_I386, &out->image);
    if (!NT_SUCCESS(status))
        return status;
    out->image.Base = calloc(1, out->image.SizeOfImage);
    out->image.Va = va;
    out->image.Name = "ntdll.dll";
    RtlCopyImage(&out->image);
    return STATUS_SUCCESS;
}

static NTSTATUS load(const UCHAR *f, LOADED *out) { return load_sized(f, T_FILE, T_BASE, out); }

static void unload(LOADED *l)
{
    free(l->image.Base);
    free(l->file);
}

/* Verifies a hostile variant: the status it must give. */
static NTSTATUS verify(UCHAR *f)
{
    LOADED l;
    NTSTATUS status = load(f, &l);
    unload(&l);
    return status;
}

static ULONG mapped32(const LOADED *l, ULONG rva)
{
    ULONG v;
    memcpy(&v, l->image.Base + rva, 4);
    return v;
}

/* ---- the same image as PE32+ (amd64): a 0xF0-byte optional header, 64-bit thunks and DIR64 relocations */

#define T_BASE64 0x0000000140000000ull

static PIMAGE_NT_HEADERS64 nt64_of(UCHAR *f) { return (PIMAGE_NT_HEADERS64)(f + T_LFANEW); }
static void put64(UCHAR *f, ULONG rva, ULONGLONG v) { put(f, rva, &v, 8); }

static UCHAR *build64(void)
{
    UCHAR *f = build();
    /* the section table moves down by the longer optional header: rebuild the headers in place */
    IMAGE_SECTION_HEADER sections[S_COUNT];
    memcpy(sections, section_of(f, 0), sizeof(sections));
    IMAGE_DATA_DIRECTORY dirs[IMAGE_NUMBEROF_DIRECTORY_ENTRIES];
    memcpy(dirs, nt_of(f)->OptionalHeader.DataDirectory, sizeof(dirs));
    memset(f + T_LFANEW, 0, 0x400 - T_LFANEW);
    PIMAGE_NT_HEADERS64 nt = nt64_of(f);
    nt->Signature = IMAGE_NT_SIGNATURE;
    nt->FileHeader.Machine = IMAGE_FILE_MACHINE_AMD64;
    nt->FileHeader.NumberOfSections = S_COUNT;
    nt->FileHeader.SizeOfOptionalHeader = sizeof(IMAGE_OPTIONAL_HEADER64);
    nt->FileHeader.Characteristics = IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_DLL;
    PIMAGE_OPTIONAL_HEADER64 oh = &nt->OptionalHeader;
    oh->Magic = IMAGE_NT_OPTIONAL_HDR64_MAGIC;
    oh->AddressOfEntryPoint = 0x1000;
    oh->ImageBase = T_BASE64;
    oh->SectionAlignment = 0x1000;
    oh->FileAlignment = 0x200;
    oh->SizeOfImage = T_IMAGE;
    oh->SizeOfHeaders = 0x400;
    oh->NumberOfRvaAndSizes = IMAGE_NUMBEROF_DIRECTORY_ENTRIES;
    memcpy(oh->DataDirectory, dirs, sizeof(dirs));
    memcpy((UCHAR *)oh + sizeof(*oh), sections, sizeof(sections));
    /* imports: the same three, in IMAGE_THUNK_DATA64 (lookup table 0x3040, IAT 0x3060 as 8-byte slots) */
    memset(f + file_offset(0x3040), 0, 0x40);
    ULONGLONG thunks[4] = { 0x30A0, 0x30C0, IMAGE_ORDINAL_FLAG64 | 7, 0 };
    put(f, 0x3040, thunks, 0x20);   /* the lookup table ends at 0x3060, where the IAT begins */
    IMAGE_IMPORT_DESCRIPTOR d = { .OriginalFirstThunk = 0x3040, .Name = 0x3080, .FirstThunk = 0x30E0 };
    put(f, 0x3000, &d, sizeof(d));
    put(f, 0x30E0, thunks, sizeof(thunks));
    /* relocations: two 64-bit addresses in .text, DIR64 */
    put64(f, 0x1010, T_BASE64 + 0x2000);
    put64(f, 0x1018, T_BASE64 + 0x3000);
    put16(f, 0x4008, (IMAGE_REL_BASED_DIR64 << 12) | 0x010);
    put16(f, 0x400A, (IMAGE_REL_BASED_DIR64 << 12) | 0x018);
    return f;
}

static NTSTATUS load64(const UCHAR *f, LOADED *out)
{
    memset(out, 0, sizeof(*out));
    out->file = malloc(T_FILE);
    memcpy(out->file, f, T_FILE);
    NTSTATUS status = RtlVerifyImageHeaders(out->file, T_FILE, IMAGE_FILE_MACHINE_AMD64, &out->image);
    if (!NT_SUCCESS(status))
        return status;
    out->image.Base = calloc(1, out->image.SizeOfImage);
    out->image.Va = (ULONG_PTR)T_BASE64;
    RtlCopyImage(&out->image);
    return STATUS_SUCCESS;
}

static ULONGLONG mapped64(const LOADED *l, ULONG rva)
{
    ULONGLONG v;
    memcpy(&v, l->image.Base + rva, 8);
    return v;
}

START_TEST(pe32plus_verifies_for_amd64_only)
{
    LOADED l;
    ck_assert_int_eq(load64(build64(), &l), STATUS_SUCCESS);
    ck_assert_uint_eq(l.image.Magic, IMAGE_NT_OPTIONAL_HDR64_MAGIC);
    ck_assert_uint_eq(l.image.ImageBase, T_BASE64);
    ck_assert_uint_eq(l.image.NumberOfSections, S_COUNT);
    ck_assert_int_eq(memcmp(l.image.Sections[S_RELOC].Name, ".reloc", 6), 0);
    unload(&l);
    /* each machine refuses the other's image, and a header that does not match its machine */
    memset(&l, 0, sizeof(l));
    ck_assert_int_eq(RtlVerifyImageHeaders(build64(), T_FILE, IMAGE_FILE_MACHINE_I386, &l.image),
                     STATUS_INVALID_IMAGE_FORMAT);
    ck_assert_int_eq(RtlVerifyImageHeaders(build(), T_FILE, IMAGE_FILE_MACHINE_AMD64, &l.image),
                     STATUS_INVALID_IMAGE_FORMAT);
    UCHAR *f = build64();
    nt64_of(f)->OptionalHeader.Magic = IMAGE_NT_OPTIONAL_HDR32_MAGIC;
    ck_assert_int_eq(RtlVerifyImageHeaders(f, T_FILE, IMAGE_FILE_MACHINE_AMD64, &l.image), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    nt_of(f)->OptionalHeader.Magic = IMAGE_NT_OPTIONAL_HDR64_MAGIC;
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
}
END_TEST

START_TEST(pe32plus_image_base_limits)
{
    LOADED l;
    UCHAR *f = build64();
    nt64_of(f)->OptionalHeader.ImageBase = 0x000007FF00000000ull;   /* far above 4 GiB: fine for PE32+ */
    ck_assert_int_eq(load64(f, &l), STATUS_SUCCESS);
    ck_assert_uint_eq(l.image.ImageBase, 0x000007FF00000000ull);
    unload(&l);
    f = build64();
    nt64_of(f)->OptionalHeader.ImageBase = 0xFFFFFFFFFFFF0000ull;   /* the image would end at 2^64: wraps */
    nt64_of(f)->OptionalHeader.SizeOfImage = 0x10000;
    ck_assert_int_eq(load64(f, &l), STATUS_INVALID_IMAGE_FORMAT);
    unload(&l);
    f = build64();
    nt64_of(f)->OptionalHeader.ImageBase = T_BASE64 + 0x1000;       /* not 64 KiB-aligned */
    ck_assert_int_eq(load64(f, &l), STATUS_INVALID_IMAGE_FORMAT);
    unload(&l);
    f = build64();
    nt64_of(f)->FileHeader.SizeOfOptionalHeader = sizeof(IMAGE_OPTIONAL_HEADER64) + 8;
    ck_assert_int_eq(load64(f, &l), STATUS_INVALID_IMAGE_FORMAT);
    unload(&l);
}
END_TEST

START_TEST(pe32plus_dir64_relocations)
{
    LOADED l;
    ck_assert_int_eq(load64(build64(), &l), STATUS_SUCCESS);
    ULONG_PTR bias = (ULONG_PTR)(0x000007FEF0000000ull - T_BASE64);
    ck_assert_int_eq(LdrRelocateImageWithBias(&l.image, bias), STATUS_SUCCESS);
    ck_assert_uint_eq(mapped64(&l, 0x1010), 0x000007FEF0000000ull + 0x2000);
    ck_assert_uint_eq(mapped64(&l, 0x1018), 0x000007FEF0000000ull + 0x3000);
    /* and back down, below the preferred base: a negative bias */
    ck_assert_int_eq(LdrRelocateImageWithBias(&l.image, (ULONG_PTR)(0x10000ull - 0x000007FEF0000000ull)),
                     STATUS_SUCCESS);
    ck_assert_uint_eq(mapped64(&l, 0x1010), 0x10000ull + 0x2000);
    unload(&l);
    /* a HIGHLOW entry has no place in a PE32+ image */
    UCHAR *f = build64();
    put16(f, 0x400A, (IMAGE_REL_BASED_HIGHLOW << 12) | 0x018);
    ck_assert_int_eq(load64(f, &l), STATUS_SUCCESS);
    ck_assert_int_eq(LdrRelocateImageWithBias(&l.image, 0x10000), STATUS_INVALID_IMAGE_FORMAT);
    unload(&l);
    /* a DIR64 target must hold all 8 bytes inside the image */
    f = build64();
    put32(f, 0x4000, 0x4000);
    put16(f, 0x4008, (IMAGE_REL_BASED_DIR64 << 12) | 0xFFC);
    put16(f, 0x400A, IMAGE_REL_BASED_ABSOLUTE << 12);
    ck_assert_int_eq(load64(f, &l), STATUS_SUCCESS);
    ck_assert_int_eq(LdrRelocateImageWithBias(&l.image, 0x10000), STATUS_INVALID_IMAGE_FORMAT);
    unload(&l);
}
END_TEST

START_TEST(pe32plus_imports_fill_64_bit_slots)
{
    LOADED dll, prog;
    LDR_IMPORT_FAILURE failure;
    ck_assert_int_eq(load(build(), &dll), STATUS_SUCCESS);
    dll.image.Va = (ULONG_PTR)0x00007FF812340000ull;   /* an exporter above 4 GiB: the slots need 64 bits */
    ck_assert_int_eq(load64(build64(), &prog), STATUS_SUCCESS);
    ck_assert_int_eq(LdrpWalkImportDescriptor(&prog.image, LdrpResolveFromDll, &dll.image, &failure), STATUS_SUCCESS);
    ck_assert_uint_eq(mapped64(&prog, 0x30E0), 0x00007FF812340000ull + 0x1010);   /* NtDisplayString */
    ck_assert_uint_eq(mapped64(&prog, 0x30E8), 0x00007FF812340000ull + 0x1000);   /* NtClose */
    ck_assert_uint_eq(mapped64(&prog, 0x30F0), 0x00007FF812340000ull + 0x1020);   /* ordinal 7 (FLAG64) */
    ck_assert_uint_eq(mapped64(&prog, 0x30F8), 0);
    unload(&prog);
    /* a 32-bit ordinal flag is a name RVA far outside the image in a PE32+ thunk */
    UCHAR *f = build64();
    ULONGLONG bad = IMAGE_ORDINAL_FLAG32 | 7;
    put(f, 0x3050, &bad, 8);
    ck_assert_int_eq(load64(f, &prog), STATUS_SUCCESS);
    ck_assert_int_eq(LdrpWalkImportDescriptor(&prog.image, LdrpResolveFromDll, &dll.image, &failure),
                     STATUS_INVALID_IMAGE_FORMAT);
    unload(&prog);
    unload(&dll);
}
END_TEST

/* ---------------------------------------------------------------- the valid image */

START_TEST(valid_image_verifies_and_maps)
{
    LOADED l;
    ck_assert_int_eq(load(build(), &l), STATUS_SUCCESS);
    ck_assert_uint_eq(l.image.SizeOfImage, T_IMAGE);
    ck_assert_uint_eq(l.image.ImageBase, T_BASE);
    ck_assert_uint_eq(l.image.NumberOfSections, S_COUNT);
    ck_assert_int_eq(memcmp(l.image.Base, l.file, 0x400), 0);
    ck_assert_int_eq(memcmp(l.image.Base + 0x2000, l.file + 0x600, 0x200), 0);
    ck_assert_uint_eq(l.image.Base[0x2200], 0);   /* the rest of the page is zero */
    ULONG size = 0;
    ck_assert_ptr_eq(RtlImageDirectoryEntryToData(&l.image, IMAGE_DIRECTORY_ENTRY_IMPORT, 20, &size),
                     l.image.Base + 0x3000);
    ck_assert_uint_eq(size, 0x28);
    ck_assert_ptr_null(RtlImageDirectoryEntryToData(&l.image, IMAGE_DIRECTORY_ENTRY_TLS, 0, &size));
    ck_assert_ptr_null(RtlImageDirectoryEntryToData(&l.image, 16, 0, &size));
    ck_assert_ptr_null(RtlImageDirectoryEntryToData(&l.image, IMAGE_DIRECTORY_ENTRY_IMPORT, 0x29, &size));
    unload(&l);
}
END_TEST

START_TEST(exports_by_name_ordinal_and_forwarder)
{
    LOADED l;
    ULONG_PTR a = 0;
    ck_assert_int_eq(load_sized(build(), T_FILE, 0x77F50000, &l), STATUS_SUCCESS);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "NtClose", 0, &a), STATUS_SUCCESS);
    ck_assert_uint_eq(a, 0x77F51000);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "NtDisplayString", 0, &a), STATUS_SUCCESS);
    ck_assert_uint_eq(a, 0x77F51010);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, NULL, 7, &a), STATUS_SUCCESS);
    ck_assert_uint_eq(a, 0x77F51020);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, NULL, 2, &a), STATUS_SUCCESS);
    ck_assert_uint_eq(a, 0x77F51010);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "RtlFwd", 0, &a), STATUS_SUCCESS);
    ck_assert_uint_eq(a, 0x77F51000);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "RtlOrd", 0, &a), STATUS_SUCCESS);
    ck_assert_uint_eq(a, 0x77F51010);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "NtOpenFile", 0, &a), STATUS_ENTRYPOINT_NOT_FOUND);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "ntclose", 0, &a), STATUS_ENTRYPOINT_NOT_FOUND);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, NULL, 0, &a), STATUS_ORDINAL_NOT_FOUND);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, NULL, 8, &a), STATUS_ORDINAL_NOT_FOUND);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, NULL, 0xFFFF, &a), STATUS_ORDINAL_NOT_FOUND);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "RtlLoop", 0, &a), STATUS_INVALID_IMAGE_FORMAT);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "RtlOther", 0, &a), STATUS_DLL_NOT_FOUND);
    unload(&l);
}
END_TEST

START_TEST(unsorted_export_names_are_searched_linearly)
{
    UCHAR *f = build();
    /* swap the first two names (and their ordinals): binary search would miss NtClose */
    put32(f, 0x2060, 0x2120);
    put32(f, 0x2064, 0x2110);
    put16(f, 0x2080, 1);
    put16(f, 0x2082, 0);
    LOADED l;
    ULONG_PTR a = 0;
    ck_assert_int_eq(load(f, &l), STATUS_SUCCESS);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "NtClose", 0, &a), STATUS_SUCCESS);
    ck_assert_uint_eq(a, T_BASE + 0x1000);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "RtlOther", 0, &a), STATUS_DLL_NOT_FOUND);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "Zz", 0, &a), STATUS_ENTRYPOINT_NOT_FOUND);
    unload(&l);
}
END_TEST

START_TEST(imports_snap_against_the_dll)
{
    LOADED dll, prog;
    LDR_IMPORT_FAILURE failure;
    ck_assert_int_eq(load_sized(build(), T_FILE, 0x77F50000, &dll), STATUS_SUCCESS);
    ck_assert_int_eq(load(build(), &prog), STATUS_SUCCESS);
    ck_assert_int_eq(LdrpWalkImportDescriptor(&prog.image, LdrpResolveFromDll, &dll.image, &failure),
                     STATUS_SUCCESS);
    ck_assert_uint_eq(mapped32(&prog, 0x3060), 0x77F51010);
    ck_assert_uint_eq(mapped32(&prog, 0x3064), 0x77F51000);
    ck_assert_uint_eq(mapped32(&prog, 0x3068), 0x77F51020);
    ck_assert_uint_eq(mapped32(&prog, 0x306C), 0);
    ck_assert_uint_eq(mapped32(&prog, 0x3040), 0x30A0);   /* the lookup table stays */
    unload(&dll);
    unload(&prog);
}
END_TEST

START_TEST(relocation_adds_the_bias)
{
    LOADED l;
    ck_assert_int_eq(load_sized(build(), T_FILE, 0x00A10000, &l), STATUS_SUCCESS);
    ck_assert_int_eq(LdrRelocateImageWithBias(&l.image, 0x00A10000 - T_BASE), STATUS_SUCCESS);
    ck_assert_uint_eq(mapped32(&l, 0x1010), 0x00A12000);
    ck_assert_uint_eq(mapped32(&l, 0x1014), 0x00A13000);
    /* downwards too (the bias wraps) */
    ck_assert_int_eq(LdrRelocateImageWithBias(&l.image, 0x00010000 - 0x00A10000), STATUS_SUCCESS);
    ck_assert_uint_eq(mapped32(&l, 0x1010), 0x00012000);
    unload(&l);
}
END_TEST

START_TEST(relocation_needs_a_relocation_directory)
{
    UCHAR *f = build();
    *dir_of(f, IMAGE_DIRECTORY_ENTRY_BASERELOC) = (IMAGE_DATA_DIRECTORY){ 0, 0 };
    LOADED l;
    ck_assert_int_eq(load(f, &l), STATUS_SUCCESS);
    ck_assert_int_eq(LdrRelocateImageWithBias(&l.image, 0), STATUS_SUCCESS);
    ck_assert_int_eq(LdrRelocateImageWithBias(&l.image, 0x10000), STATUS_CONFLICTING_ADDRESSES);
    unload(&l);
    f = build();
    nt_of(f)->FileHeader.Characteristics |= IMAGE_FILE_RELOCS_STRIPPED;
    ck_assert_int_eq(load(f, &l), STATUS_SUCCESS);
    ck_assert_int_eq(LdrRelocateImageWithBias(&l.image, 0x10000), STATUS_CONFLICTING_ADDRESSES);
    unload(&l);
}
END_TEST

/* ---------------------------------------------------------------- hostile headers */

START_TEST(truncated_headers)
{
    static const ULONG sizes[] = { 0, 1, 2, 63, 64, T_LFANEW, T_LFANEW + 4, T_LFANEW + 24, T_LFANEW + 100,
                                   T_LFANEW + 247, 0x178 + 40 * S_COUNT - 1, 0x3FF };
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        LOADED l;
        ck_assert_int_eq(load_sized(build(), sizes[i], T_BASE, &l), STATUS_INVALID_IMAGE_FORMAT);
        unload(&l);
    }
    /* the last section's raw data cut short */
    LOADED l;
    ck_assert_int_eq(load_sized(build(), T_FILE - 1, T_BASE, &l), STATUS_INVALID_IMAGE_FORMAT);
    unload(&l);
}
END_TEST

START_TEST(dos_and_pe_signatures)
{
    UCHAR *f = build();
    f[1] = 'X';
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    nt_of(f)->Signature = 0x00004551;
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
}
END_TEST

START_TEST(e_lfanew_out_of_range)
{
    static const LONG values[] = { T_FILE, T_FILE - 4, T_FILE - 23, 0x7FFFFFFF, -1, (LONG)0x80000000, 0, 8 };
    for (unsigned i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        UCHAR *f = build();
        ((PIMAGE_DOS_HEADER)f)->e_lfanew = values[i];
        ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    }
}
END_TEST

START_TEST(wrong_machine_and_magic)
{
    UCHAR *f = build();
    nt_of(f)->FileHeader.Machine = 0x8664;
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    nt_of(f)->OptionalHeader.Magic = 0x20B;
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    nt_of(f)->FileHeader.Characteristics &= ~IMAGE_FILE_EXECUTABLE_IMAGE;
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    /* an i386 image asked for as something else */
    LOADED l;
    memset(&l, 0, sizeof(l));
    ck_assert_int_eq(RtlVerifyImageHeaders(build(), T_FILE, 0x8664, &l.image), STATUS_INVALID_IMAGE_FORMAT);
}
END_TEST

START_TEST(number_of_sections_zero_and_huge)
{
    static const USHORT counts[] = { 0, 97, 0x100, 0xFFFF, 5 };
    for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        UCHAR *f = build();
        nt_of(f)->FileHeader.NumberOfSections = counts[i];   /* 5: the table runs past SizeOfHeaders' data */
        if (counts[i] == 5)
            nt_of(f)->OptionalHeader.SizeOfHeaders = 0x200;
        ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    }
}
END_TEST

START_TEST(optional_header_size_inconsistent)
{
    UCHAR *f = build();
    nt_of(f)->FileHeader.SizeOfOptionalHeader = 0x60;   /* too small for 16 directories */
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    nt_of(f)->FileHeader.SizeOfOptionalHeader = 0x100;
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    nt_of(f)->OptionalHeader.NumberOfRvaAndSizes = 17;
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
}
END_TEST

START_TEST(alignments_and_sizes)
{
    static const struct { ULONG section, file, image, headers, base, entry; } bad[] = {
        { 0x800, 0x200, T_IMAGE, 0x400, T_BASE, 0x1000 },     /* sections below a page */
        { 0x1800, 0x200, T_IMAGE, 0x400, T_BASE, 0x1000 },    /* not a power of two */
        { 0x1000, 0x100, T_IMAGE, 0x400, T_BASE, 0x1000 },
        { 0x1000, 0x300, T_IMAGE, 0x400, T_BASE, 0x1000 },
        { 0x1000, 0x2000, T_IMAGE, 0x400, T_BASE, 0x1000 },   /* file alignment above section alignment */
        { 0x1000, 0x200, 0, 0x400, T_BASE, 0x1000 },
        { 0x1000, 0x200, 0x20000000, 0x400, T_BASE, 0x1000 },
        { 0x1000, 0x200, T_IMAGE, 0x100, T_BASE, 0x1000 },    /* headers end before the section table */
        { 0x1000, 0x200, T_IMAGE, 0x2000, T_BASE, 0x1000 },   /* headers past the file */
        { 0x1000, 0x200, T_IMAGE, 0x400, 0x00401000, 0x1000 },/* base not on 64 KiB */
        { 0x1000, 0x200, 0x20000, 0x400, 0xFFFF0000, 0x1000 },/* base + size wraps */
        { 0x1000, 0x200, T_IMAGE, 0x400, T_BASE, 0x2000 },    /* entry in a data section */
        { 0x1000, 0x200, T_IMAGE, 0x400, T_BASE, T_IMAGE },   /* entry outside the image */
        { 0x1000, 0x200, T_IMAGE, 0x400, T_BASE, 0x0200 },    /* entry in the headers */
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        UCHAR *f = build();
        PIMAGE_OPTIONAL_HEADER32 oh = &nt_of(f)->OptionalHeader;
        oh->SectionAlignment = bad[i].section;
        oh->FileAlignment = bad[i].file;
        oh->SizeOfImage = bad[i].image;
        oh->SizeOfHeaders = bad[i].headers;
        oh->ImageBase = bad[i].base;
        oh->AddressOfEntryPoint = bad[i].entry;
        ck_assert_msg(verify(f) == STATUS_INVALID_IMAGE_FORMAT, "case %u", i);
    }
}
END_TEST

/* ---------------------------------------------------------------- hostile sections */

START_TEST(sections_overlapping_or_out_of_order)
{
    UCHAR *f = build();
    section_of(f, S_RDATA)->VirtualAddress = 0x1000;
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    section_of(f, S_TEXT)->Misc.VirtualSize = 0x1001;   /* runs into .rdata's page */
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    section_of(f, S_IDATA)->VirtualAddress = 0x1000;    /* below the one before */
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    section_of(f, S_TEXT)->VirtualAddress = 0;          /* over the headers */
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    section_of(f, S_TEXT)->VirtualAddress = 0x1100;     /* not aligned */
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
}
END_TEST

START_TEST(sections_outside_the_image_or_file)
{
    UCHAR *f = build();
    section_of(f, S_RELOC)->Misc.VirtualSize = 0x1001;
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    section_of(f, S_RELOC)->VirtualAddress = T_IMAGE;
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    section_of(f, S_RELOC)->PointerToRawData = T_FILE - 0x100;
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    section_of(f, S_RELOC)->PointerToRawData = 0xFFFFFF00;   /* pointer + size wraps */
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    section_of(f, S_RELOC)->SizeOfRawData = 0xFFFFFFF0;
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
}
END_TEST

START_TEST(section_rvas_that_wrap)
{
    UCHAR *f = build();
    section_of(f, S_RELOC)->Misc.VirtualSize = 0xFFFFF000;   /* 0x4000 + size wraps to 0x3000 */
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    section_of(f, S_RELOC)->VirtualAddress = 0xFFFFF000;
    section_of(f, S_RELOC)->Misc.VirtualSize = 0x2000;
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
}
END_TEST

START_TEST(empty_raw_data_is_zero_fill)
{
    UCHAR *f = build();
    section_of(f, S_RELOC)->SizeOfRawData = 0;           /* like .bss */
    section_of(f, S_RELOC)->PointerToRawData = 0;
    *dir_of(f, IMAGE_DIRECTORY_ENTRY_BASERELOC) = (IMAGE_DATA_DIRECTORY){ 0, 0 };
    LOADED l;
    ck_assert_int_eq(load(f, &l), STATUS_SUCCESS);
    ck_assert_uint_eq(mapped32(&l, 0x4000), 0);
    unload(&l);
}
END_TEST

/* ---------------------------------------------------------------- hostile directories */

START_TEST(directories_outside_the_image)
{
    static const IMAGE_DATA_DIRECTORY bad[] = {
        { T_IMAGE, 0x28 }, { T_IMAGE - 0x10, 0x28 }, { 0xFFFFFFF0, 0x20 }, { 0x3000, 0xFFFFF000 }, { 0, 0x28 },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        UCHAR *f = build();
        *dir_of(f, IMAGE_DIRECTORY_ENTRY_IMPORT) = bad[i];
        ck_assert_msg(verify(f) == STATUS_INVALID_IMAGE_FORMAT, "import %u", i);
        f = build();
        *dir_of(f, IMAGE_DIRECTORY_ENTRY_BASERELOC) = bad[i];
        ck_assert_msg(verify(f) == STATUS_INVALID_IMAGE_FORMAT, "reloc %u", i);
        f = build();
        *dir_of(f, IMAGE_DIRECTORY_ENTRY_EXPORT) = bad[i];
        ck_assert_msg(verify(f) == STATUS_INVALID_IMAGE_FORMAT, "export %u", i);
    }
    /* the security directory is a file offset: not checked against the image */
    UCHAR *f = build();
    *dir_of(f, 4) = (IMAGE_DATA_DIRECTORY){ 0x10000, 0x100 };
    ck_assert_int_eq(verify(f), STATUS_SUCCESS);
}
END_TEST

START_TEST(tls_directory_is_refused)
{
    UCHAR *f = build();
    *dir_of(f, IMAGE_DIRECTORY_ENTRY_TLS) = (IMAGE_DATA_DIRECTORY){ 0x2000, sizeof(IMAGE_TLS_DIRECTORY32) };
    ck_assert_int_eq(verify(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    nt_of(f)->OptionalHeader.NumberOfRvaAndSizes = IMAGE_DIRECTORY_ENTRY_TLS;   /* no TLS slot at all: fine */
    *dir_of(f, IMAGE_DIRECTORY_ENTRY_TLS) = (IMAGE_DATA_DIRECTORY){ 0x2000, sizeof(IMAGE_TLS_DIRECTORY32) };
    ck_assert_int_eq(verify(f), STATUS_SUCCESS);
}
END_TEST

/* Loads f as the program and snaps it against the valid image as ntdll. */
static NTSTATUS snap(UCHAR *f, ULONG image_size, LDR_IMPORT_FAILURE *failure)
{
    static UCHAR program[T_FILE];
    LOADED dll, prog;
    memcpy(program, f, T_FILE);   /* build() below rewrites f */
    f = program;
    ck_assert_int_eq(load_sized(build(), T_FILE, 0x77F50000, &dll), STATUS_SUCCESS);
    nt_of(f)->OptionalHeader.SizeOfImage = image_size;
    NTSTATUS status = load(f, &prog);
    if (NT_SUCCESS(status))
        status = LdrpWalkImportDescriptor(&prog.image, LdrpResolveFromDll, &dll.image, failure);
    /* the names point into the image freed below */
    static char module[64], name[64];
    if (!NT_SUCCESS(status) && failure->Module)
        failure->Module = strncpy(module, failure->Module, sizeof(module) - 1);
    if (!NT_SUCCESS(status) && failure->Name)
        failure->Name = strncpy(name, failure->Name, sizeof(name) - 1);
    unload(&dll);
    unload(&prog);
    return status;
}

START_TEST(import_names_must_end_inside_the_image)
{
    LDR_IMPORT_FAILURE failure;
    /* the image ends with the last section (0x4200): a name in its last bytes without a NUL */
    UCHAR *f = build();
    memset(f + file_offset(0x41F0), 'A', 0x10);
    put32(f, 0x3040, 0x41EE);
    ck_assert_int_eq(snap(f, 0x4200, &failure), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    memset(f + file_offset(0x41F0), 'A', 0x10);
    put32(f, 0x3000 + offsetof(IMAGE_IMPORT_DESCRIPTOR, Name), 0x41F0);   /* the module name */
    ck_assert_int_eq(snap(f, 0x4200, &failure), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    put32(f, 0x3040, 0x41FF);   /* the hint itself runs past the end */
    ck_assert_int_eq(snap(f, 0x4200, &failure), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    put32(f, 0x3040, 0x7FFFFFFF);
    ck_assert_int_eq(snap(f, T_IMAGE, &failure), STATUS_INVALID_IMAGE_FORMAT);
}
END_TEST

START_TEST(import_tables_must_end_inside_the_image)
{
    LDR_IMPORT_FAILURE failure;
    /* a lookup table with no terminator before the end of the image */
    UCHAR *f = build();
    put32(f, 0x3000, 0x41F8);
    put32(f, 0x41F8, IMAGE_ORDINAL_FLAG32 | 7);
    put32(f, 0x41FC, IMAGE_ORDINAL_FLAG32 | 7);
    ck_assert_int_eq(snap(f, 0x4200, &failure), STATUS_INVALID_IMAGE_FORMAT);
    /* an IAT at the very end */
    f = build();
    put32(f, 0x3000 + offsetof(IMAGE_IMPORT_DESCRIPTOR, FirstThunk), 0x41FC);
    ck_assert_int_eq(snap(f, 0x4200, &failure), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    put32(f, 0x3000 + offsetof(IMAGE_IMPORT_DESCRIPTOR, FirstThunk), 0xFFFFFFFC);
    ck_assert_int_eq(snap(f, T_IMAGE, &failure), STATUS_INVALID_IMAGE_FORMAT);
    /* descriptors that never end: the directory runs into the last bytes of the image */
    f = build();
    *dir_of(f, IMAGE_DIRECTORY_ENTRY_IMPORT) = (IMAGE_DATA_DIRECTORY){ 0x41F0, 0x10 };
    memset(f + file_offset(0x41F0), 0x11, 0x10);
    ck_assert_int_eq(snap(f, 0x4200, &failure), STATUS_INVALID_IMAGE_FORMAT);
}
END_TEST

START_TEST(import_of_a_name_not_exported)
{
    LDR_IMPORT_FAILURE failure;
    UCHAR *f = build();
    putstr(f, 0x30C2, "NtOpenFile");
    ck_assert_int_eq(snap(f, T_IMAGE, &failure), STATUS_ENTRYPOINT_NOT_FOUND);
    ck_assert_str_eq(failure.Name, "NtOpenFile");
    ck_assert_str_eq(failure.Module, "NTDLL.DLL");
    f = build();
    put32(f, 0x3048, IMAGE_ORDINAL_FLAG32 | 99);
    ck_assert_int_eq(snap(f, T_IMAGE, &failure), STATUS_ORDINAL_NOT_FOUND);
    ck_assert_ptr_null(failure.Name);
    ck_assert_uint_eq(failure.Ordinal, 99);
    f = build();
    putstr(f, 0x3080, "kernel32.dll");
    ck_assert_int_eq(snap(f, T_IMAGE, &failure), STATUS_DLL_NOT_FOUND);
    ck_assert_str_eq(failure.Module, "kernel32.dll");
    f = build();
    putstr(f, 0x30C2, "RtlLoop");   /* a forwarder loop in the DLL */
    ck_assert_int_eq(snap(f, T_IMAGE, &failure), STATUS_INVALID_IMAGE_FORMAT);
}
END_TEST

START_TEST(forwarder_loops_and_bad_forwarders)
{
    static const char *bad[] = { "ntdll", ".NtClose", "ntdll.", "ntdll.#", "ntdll.#12x", "ntdll.#99999999" };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        UCHAR *f = build();
        memset(f + file_offset(0x2180), 0, 0x18);
        putstr(f, 0x2180, bad[i]);   /* RtlFwd's target */
        LOADED l;
        ULONG_PTR a;
        ck_assert_int_eq(load(f, &l), STATUS_SUCCESS);
        NTSTATUS status = LdrGetProcedureAddress(&l.image, "RtlFwd", 0, &a);
        ck_assert_msg(status == STATUS_INVALID_IMAGE_FORMAT || status == STATUS_ORDINAL_NOT_FOUND,
                      "%s: %08x", bad[i], status);
        unload(&l);
    }
    /* a two-step loop: RtlFwd -> RtlLoop's name cycle through each other */
    UCHAR *f = build();
    putstr(f, 0x2180, "ntdll.RtlOrd");
    memset(f + file_offset(0x21C8), 0, 0x18);
    putstr(f, 0x21C8, "ntdll.RtlFwd");   /* RtlOrd's target */
    LOADED l;
    ULONG_PTR a;
    ck_assert_int_eq(load(f, &l), STATUS_SUCCESS);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "RtlFwd", 0, &a), STATUS_INVALID_IMAGE_FORMAT);
    unload(&l);
}
END_TEST

START_TEST(export_tables_outside_the_image)
{
    static const ULONG fields[] = { offsetof(IMAGE_EXPORT_DIRECTORY, AddressOfFunctions),
                                    offsetof(IMAGE_EXPORT_DIRECTORY, AddressOfNames),
                                    offsetof(IMAGE_EXPORT_DIRECTORY, AddressOfNameOrdinals),
                                    offsetof(IMAGE_EXPORT_DIRECTORY, NumberOfFunctions),
                                    offsetof(IMAGE_EXPORT_DIRECTORY, NumberOfNames) };
    for (unsigned i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        UCHAR *f = build();
        put32(f, 0x2000 + fields[i], i < 3 ? T_IMAGE - 2 : 0x40000000);
        LOADED l;
        ULONG_PTR a;
        ck_assert_int_eq(load(f, &l), STATUS_SUCCESS);
        ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "NtClose", 0, &a), STATUS_INVALID_IMAGE_FORMAT);
        unload(&l);
    }
    /* a name RVA off the end, an ordinal beyond the functions, a function RVA outside */
    UCHAR *f = build();
    put32(f, 0x2064, 0xFFFFFFF0);
    LOADED l;
    ULONG_PTR a;
    ck_assert_int_eq(load(f, &l), STATUS_SUCCESS);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "NtClose", 0, &a), STATUS_INVALID_IMAGE_FORMAT);
    unload(&l);
    f = build();
    put16(f, 0x2080, 40);
    put32(f, 0x2044, T_IMAGE + 0x100);
    ck_assert_int_eq(load(f, &l), STATUS_SUCCESS);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "NtClose", 0, &a), STATUS_INVALID_IMAGE_FORMAT);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, NULL, 2, &a), STATUS_INVALID_IMAGE_FORMAT);
    unload(&l);
}
END_TEST

/* ---------------------------------------------------------------- hostile relocations */

static NTSTATUS relocate(UCHAR *f)
{
    LOADED l;
    NTSTATUS status = load(f, &l);
    if (NT_SUCCESS(status))
        status = LdrRelocateImageWithBias(&l.image, 0x10000);
    unload(&l);
    return status;
}

START_TEST(relocation_block_with_a_bad_size)
{
    static const ULONG sizes[] = { 0, 4, 7, 9, 15, 18, 0xFFFFFFF8 };
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        UCHAR *f = build();
        put32(f, 0x4004, sizes[i]);
        ck_assert_msg(relocate(f) == STATUS_INVALID_IMAGE_FORMAT, "size %u", sizes[i]);
    }
}
END_TEST

START_TEST(relocation_targets_outside_the_image)
{
    UCHAR *f = build();
    put32(f, 0x4000, 0x4000);
    put16(f, 0x4008, (IMAGE_REL_BASED_HIGHLOW << 12) | 0xFFE);   /* 0x4FFE: 4 bytes run past the image */
    ck_assert_int_eq(relocate(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    put32(f, 0x4000, T_IMAGE);
    ck_assert_int_eq(relocate(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    put32(f, 0x4000, 0xFFFFF000);   /* page + offset would wrap */
    ck_assert_int_eq(relocate(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    put16(f, 0x4008, (10 << 12) | 0x010);   /* IMAGE_REL_BASED_DIR64: not on i386 */
    ck_assert_int_eq(relocate(f), STATUS_INVALID_IMAGE_FORMAT);
    f = build();
    put32(f, 0x4000, 0x4000);
    put16(f, 0x4008, (IMAGE_REL_BASED_HIGHLOW << 12) | 0xFFC);   /* the last word of the image: fine */
    ck_assert_int_eq(relocate(f), STATUS_SUCCESS);
}
END_TEST

/* ---------------------------------------------------------------- the kernel's tables for drivers */

typedef struct { PCSTR Name; ULONG_PTR Address; } MI_SYSTEM_EXPORT;
typedef struct { PCSTR Name; const MI_SYSTEM_EXPORT *Exports; ULONG Count; } MI_SYSTEM_MODULE;
extern const MI_SYSTEM_MODULE MiSystemModules[];
extern const ULONG MiSystemModuleCount;

START_TEST(system_export_tables_are_sorted)
{
    ck_assert_uint_eq(MiSystemModuleCount, 2);
    for (ULONG m = 0; m < MiSystemModuleCount; m++) {
        ck_assert_uint_gt(MiSystemModules[m].Count, 0);
        for (ULONG i = 1; i < MiSystemModules[m].Count; i++)
            ck_assert_msg(strcmp(MiSystemModules[m].Exports[i - 1].Name, MiSystemModules[m].Exports[i].Name) < 0,
                          "%s: %s before %s", MiSystemModules[m].Name, MiSystemModules[m].Exports[i - 1].Name,
                          MiSystemModules[m].Exports[i].Name);
    }
}
END_TEST

START_TEST(system_exports_by_module_without_case)
{
    ULONG_PTR a;
    for (ULONG m = 0; m < MiSystemModuleCount; m++)
        for (ULONG i = 0; i < MiSystemModules[m].Count; i++)
            ck_assert_int_eq(MmLookupSystemExport(MiSystemModules[m].Name, MiSystemModules[m].Exports[i].Name, &a),
                             STATUS_SUCCESS);
    ck_assert_int_eq(MmLookupSystemExport("NTOSKRNL.EXE", "IoCreateDevice", &a), STATUS_SUCCESS);
    ck_assert_int_eq(MmLookupSystemExport("HAL.dll", "KeGetCurrentIrql", &a), STATUS_SUCCESS);
    ck_assert_int_eq(MmLookupSystemExport("hal.dll", "IoCreateDevice", &a), STATUS_ENTRYPOINT_NOT_FOUND);
    ck_assert_int_eq(MmLookupSystemExport("ntoskrnl.exe", "iocreatedevice", &a), STATUS_ENTRYPOINT_NOT_FOUND);
    ck_assert_int_eq(MmLookupSystemExport("ntoskrnl", "IoCreateDevice", &a), STATUS_DLL_NOT_FOUND);
    ck_assert_int_eq(MmLookupSystemExport("ntdll.dll", "NtClose", &a), STATUS_DLL_NOT_FOUND);
    ck_assert_int_eq(MiResolveSystemImport(NULL, "ntoskrnl.exe", NULL, 5, &a), STATUS_ORDINAL_NOT_FOUND);
    ck_assert_int_eq(MiResolveSystemImport(NULL, "win32k.sys", NULL, 5, &a), STATUS_DLL_NOT_FOUND);
}
END_TEST

/* ---------------------------------------------------------------- mingw-w64's own images */

#ifdef PE_FIXTURE_DIR
static UCHAR *read_fixture(const char *name, ULONG *size)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", PE_FIXTURE_DIR, name);
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "%s", path);
    fseek(fp, 0, SEEK_END);
    *size = (ULONG)ftell(fp);
    rewind(fp);
    UCHAR *data = malloc(*size);
    ck_assert_uint_eq(fread(data, 1, *size, fp), *size);
    fclose(fp);
    return data;
}

START_TEST(mingw_program_snaps_against_mingw_dll)
{
    ULONG dllSize, progSize;
    ULONG_PTR a = 0;
    UCHAR *dllFile = read_fixture("ntdll.dll", &dllSize), *progFile = read_fixture("prog.exe", &progSize);
    LOADED dll, prog;
    LDR_IMPORT_FAILURE failure;
    ck_assert_int_eq(load_sized(dllFile, dllSize, 0x77F50000, &dll), STATUS_SUCCESS);
    ck_assert_int_eq(LdrRelocateImageWithBias(&dll.image, 0x77F50000 - dll.image.ImageBase), STATUS_SUCCESS);
    ck_assert_int_eq(LdrGetProcedureAddress(&dll.image, "NtDisplayString", 0, &a), STATUS_SUCCESS);
    ck_assert_uint_ge(a, 0x77F51000);
    ck_assert_int_eq(load_sized(progFile, progSize, 0x00A00000, &prog), STATUS_SUCCESS);
    ck_assert_uint_eq(prog.image.ImageBase, 0x00400000);
    ck_assert_uint_ne(prog.image.AddressOfEntryPoint, 0);
    ck_assert_int_eq(LdrRelocateImageWithBias(&prog.image, 0x00A00000 - prog.image.ImageBase), STATUS_SUCCESS);
    ck_assert_int_eq(LdrpWalkImportDescriptor(&prog.image, LdrpResolveFromDll, &dll.image, &failure),
                     STATUS_SUCCESS);
    /* the mingw DLL has no NtOpenFile: looked up, it is missing */
    ck_assert_int_eq(LdrGetProcedureAddress(&dll.image, "NtOpenFile", 0, &a), STATUS_ENTRYPOINT_NOT_FOUND);
    unload(&dll);
    unload(&prog);
    free(dllFile);
    free(progFile);
}
END_TEST

START_TEST(mingw_dll_forwarder_and_ordinal)
{
    ULONG size;
    ULONG_PTR a = 0, b = 0, c = 0;
    UCHAR *file = read_fixture("ntdll.dll", &size);
    LOADED l;
    ck_assert_int_eq(load_sized(file, size, 0x77F50000, &l), STATUS_SUCCESS);
    ck_assert_uint_eq(l.image.ImageBase, 0x77F50000);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "NtDisplayString", 0, &a), STATUS_SUCCESS);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "NtvForwarded", 0, &b), STATUS_SUCCESS);
    ck_assert_uint_eq(a, b);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, NULL, 77, &c), STATUS_SUCCESS);
    ck_assert_uint_ne(c, a);
    ck_assert_int_eq(LdrGetProcedureAddress(&l.image, "NtvOrdinalOnly", 0, &c), STATUS_ENTRYPOINT_NOT_FOUND);
    unload(&l);
    free(file);
}
END_TEST

/* Every import a mingw-w64 DDK driver makes (ntvpe.sys) is in the kernel's tables. */
START_TEST(mingw_driver_relocates_and_snaps_against_the_system_exports)
{
    ULONG size;
    UCHAR *file = read_fixture("ntvpe.sys", &size);
    LOADED l;
    LDR_IMPORT_FAILURE failure;
    ck_assert_int_eq(load_sized(file, size, 0xB7F00000, &l), STATUS_SUCCESS);
    ck_assert(l.image.Characteristics & IMAGE_FILE_DLL);
    ck_assert_int_eq(LdrRelocateImageWithBias(&l.image, 0xB7F00000 - l.image.ImageBase), STATUS_SUCCESS);
    ck_assert_int_eq(LdrpWalkImportDescriptor(&l.image, MiResolveSystemImport, NULL, &failure), STATUS_SUCCESS);
    unload(&l);
    free(file);
    file = read_fixture("ntvpe-badimport.sys", &size);
    ck_assert_int_eq(load_sized(file, size, 0xB7F00000, &l), STATUS_SUCCESS);
    ck_assert_int_eq(LdrpWalkImportDescriptor(&l.image, MiResolveSystemImport, NULL, &failure),
                     STATUS_ENTRYPOINT_NOT_FOUND);
    ck_assert_str_eq(failure.Name, "NtvNoSuchRoutine");
    ck_assert_str_eq(failure.Module, "ntoskrnl.exe");
    unload(&l);
    free(file);
}
END_TEST
#endif

static Suite *pe_suite(void)
{
    Suite *s = suite_create("pe_loader");
    TCase *tc = tcase_create("valid");
    tcase_add_test(tc, valid_image_verifies_and_maps);
    tcase_add_test(tc, exports_by_name_ordinal_and_forwarder);
    tcase_add_test(tc, unsorted_export_names_are_searched_linearly);
    tcase_add_test(tc, imports_snap_against_the_dll);
    tcase_add_test(tc, relocation_adds_the_bias);
    tcase_add_test(tc, relocation_needs_a_relocation_directory);
    tcase_add_test(tc, empty_raw_data_is_zero_fill);
    suite_add_tcase(s, tc);

    tc = tcase_create("pe32plus");
    tcase_add_test(tc, pe32plus_verifies_for_amd64_only);
    tcase_add_test(tc, pe32plus_image_base_limits);
    tcase_add_test(tc, pe32plus_dir64_relocations);
    tcase_add_test(tc, pe32plus_imports_fill_64_bit_slots);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_add_test(tc, truncated_headers);
    tcase_add_test(tc, dos_and_pe_signatures);
    tcase_add_test(tc, e_lfanew_out_of_range);
    tcase_add_test(tc, wrong_machine_and_magic);
    tcase_add_test(tc, number_of_sections_zero_and_huge);
    tcase_add_test(tc, optional_header_size_inconsistent);
    tcase_add_test(tc, alignments_and_sizes);
    tcase_add_test(tc, sections_overlapping_or_out_of_order);
    tcase_add_test(tc, sections_outside_the_image_or_file);
    tcase_add_test(tc, section_rvas_that_wrap);
    tcase_add_test(tc, directories_outside_the_image);
    tcase_add_test(tc, tls_directory_is_refused);
    tcase_add_test(tc, import_names_must_end_inside_the_image);
    tcase_add_test(tc, import_tables_must_end_inside_the_image);
    tcase_add_test(tc, import_of_a_name_not_exported);
    tcase_add_test(tc, forwarder_loops_and_bad_forwarders);
    tcase_add_test(tc, export_tables_outside_the_image);
    tcase_add_test(tc, relocation_block_with_a_bad_size);
    tcase_add_test(tc, relocation_targets_outside_the_image);
    suite_add_tcase(s, tc);

    tc = tcase_create("sysexports");
    tcase_add_test(tc, system_export_tables_are_sorted);
    tcase_add_test(tc, system_exports_by_module_without_case);
    suite_add_tcase(s, tc);

#ifdef PE_FIXTURE_DIR
    tc = tcase_create("mingw");
    tcase_add_test(tc, mingw_program_snaps_against_mingw_dll);
    tcase_add_test(tc, mingw_dll_forwarder_and_ordinal);
    tcase_add_test(tc, mingw_driver_relocates_and_snaps_against_the_system_exports);
    suite_add_tcase(s, tc);
#endif
    return s;
}

int main(void)
{
    return check_run(pe_suite());
}
