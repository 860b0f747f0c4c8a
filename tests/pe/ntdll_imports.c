/*
 * A native program linked with mingw-w64's own libntdll.a, never run: its
 * import names (the decorations mingw's import library strips) are what
 * tests/test_ntdll_pe.c looks up in each PE ntdll's exports. Prototypes come
 * from mingw's headers where they have them; the rest are declared as NT
 * declares them, so a wrong decoration fails this link.
 */
#include <windef.h>
#include <winternl.h>

#undef RtlMoveMemory
#undef RtlZeroMemory
#undef RtlFillMemory
#undef RtlEqualMemory
NTSTATUS NTAPI NtDisplayString(PUNICODE_STRING String);
NTSTATUS NTAPI ZwDisplayString(PUNICODE_STRING String);
NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus);
NTSTATUS NTAPI ZwClose(HANDLE Handle);
NTSTATUS NTAPI NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                       PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect);
NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                           PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                           PULONG Key);
ULONG __cdecl DbgPrint(PCSTR Format, ...);
VOID NTAPI RtlMoveMemory(PVOID Destination, const VOID *Source, SIZE_T Length);
VOID NTAPI RtlZeroMemory(PVOID Destination, SIZE_T Length);
VOID NTAPI RtlFillMemory(PVOID Destination, SIZE_T Length, UCHAR Fill);
BOOLEAN NTAPI RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
LONG NTAPI RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
VOID NTAPI RtlCopyUnicodeString(PUNICODE_STRING Destination, PCUNICODE_STRING Source);
WCHAR NTAPI RtlUpcaseUnicodeChar(WCHAR SourceCharacter);
PVOID NTAPI RtlReAllocateHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress, SIZE_T Size);
SIZE_T NTAPI RtlSizeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress);

/* Every call is reached only through a volatile flag, so the linker keeps each import. */
static volatile int Never;

static void Strings(void)
{
    UNICODE_STRING u, v;
    ANSI_STRING a;
    STRING s;
    RtlInitUnicodeString(&u, L"x");
    RtlInitAnsiString(&a, "x");
    RtlInitString(&s, "x");
    RtlAnsiStringToUnicodeString(&v, &a, TRUE);
    RtlUnicodeStringToAnsiString(&a, &v, TRUE);
    RtlEqualUnicodeString(&u, &v, TRUE);
    RtlCompareUnicodeString(&u, &v, FALSE);
    RtlCopyUnicodeString(&v, &u);
    RtlUpcaseUnicodeChar(L'x');
    RtlFreeUnicodeString(&v);
    RtlFreeAnsiString(&a);
}

static void Memory(PVOID Heap)
{
    char b[8];
    PVOID p = RtlAllocateHeap(Heap, 0, 8);
    p = RtlReAllocateHeap(Heap, 0, p, 16);
    RtlSizeHeap(Heap, 0, p);
    RtlFreeHeap(Heap, 0, p);
    RtlMoveMemory(b, b + 1, 4);
    RtlZeroMemory(b, sizeof(b));
    RtlFillMemory(b, sizeof(b), 1);
    RtlCompareMemory(b, b, sizeof(b));
}

static void Services(void)
{
    UNICODE_STRING u;
    IO_STATUS_BLOCK io;
    PVOID base = 0;
    SIZE_T size = 0;
    NtDisplayString(&u);
    ZwDisplayString(&u);
    NtClose(0);
    ZwClose(0);
    NtAllocateVirtualMemory((HANDLE)-1, &base, 0, &size, 0, 0);
    NtWriteFile(0, 0, 0, 0, &io, 0, 0, 0, 0);
    NtQuerySystemTime(0);
}

void NTAPI NtProcessStartup(PVOID Peb)
{
    if (Never) {
        Strings();
        Memory(Peb);
        Services();
        DbgPrint("%d\n", 1);
    }
    NtTerminateProcess((HANDLE)-1, 0);
}
