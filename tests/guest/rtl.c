/*
 * rtl: ntdll's run-time library from ring 3 -- the PEB and TEB at NT's
 * offsets, DbgPrint through INT 2Dh (bad buffers print nothing), the
 * process heap (bad pointers refused), strings, and the C subset.
 * One fact per line ("<fact> <value>"), compared by the end-to-end tests.
 */
#define WIN32_NO_STATUS   /* the STATUS_ codes come from <ntstatus.h>, not <winnt.h> */
#include <windef.h>
#include <winternl.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include "../../examples/lib/ntnative.h"

/* where this kernel commits the process heap (include/nt/layout.h) */
#define MM_PROCESS_HEAP_BASE 0x00140000u
#define MM_PROCESS_HEAP_SIZE 0x00100000u

/* What mingw-w64's user-mode headers leave out (winternl.h names the PEB's and TEB's fields Reserved). */
typedef struct {
    NT_TIB NtTib;                    /* +0x00, Self at +0x18 */
    PVOID EnvironmentPointer;
    CLIENT_ID ClientId;              /* +0x20 */
    PVOID ActiveRpcHandle, ThreadLocalStoragePointer;
    PPEB ProcessEnvironmentBlock;    /* +0x30 */
} TEB_PREFIX;
#define PEB_PROCESS_HEAP(Peb) (((PVOID *)(Peb))[6])   /* +0x18 */
#define HEAP_ZERO_MEMORY           0x00000008
#define HEAP_REALLOC_IN_PLACE_ONLY 0x00000010
NTSYSAPI PVOID NTAPI RtlAllocateHeap(PVOID HeapHandle, ULONG Flags, SIZE_T Size);
NTSYSAPI BOOLEAN NTAPI RtlFreeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress);
NTSYSAPI PVOID NTAPI RtlReAllocateHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress, SIZE_T Size);
NTSYSAPI SIZE_T NTAPI RtlSizeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress);
NTSYSAPI SIZE_T NTAPI RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length);
NTSYSAPI BOOLEAN NTAPI RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                             BOOLEAN CaseInSensitive);
NTSYSAPI ULONG __cdecl DbgPrint(PCSTR Format, ...);
/* ntdll's C routines: mingw-w64's libntdll.a has none; the Makefile links ntdll's own import library */
int __cdecl _snprintf(char *Buffer, size_t Count, const char *Format, ...);
int __cdecl sprintf(char *Buffer, const char *Format, ...);
size_t __cdecl wcslen(const WCHAR *String);

#define KERNEL_ADDRESS        0x80100000u
#define UNMAPPED_USER_ADDRESS 0x30000000u

static const char *YesNo(int Condition)
{
    return Condition ? "yes" : "no";
}

static void PebTeb(void)
{
    TEB_PREFIX *teb;
    __asm__("movl %%fs:0x18, %0" : "=r"(teb));   /* NtCurrentTeb(), without the intrinsic gcc warns about */
    PPEB peb = teb->ProcessEnvironmentBlock;
    printf("teb-self %s\n", YesNo(teb == (TEB_PREFIX *)teb->NtTib.Self));
    printf("peb-is-startup-argument %s\n", YesNo(peb == NtvStartupPeb()));
    printf("process-heap 0x%08x\n", (unsigned)(ULONG_PTR)PEB_PROCESS_HEAP(peb));
    printf("client-id 0x%x 0x%x\n", (unsigned)teb->ClientId.UniqueProcess, (unsigned)teb->ClientId.UniqueThread);
    printf("stack-in-tib %s\n", YesNo((PUCHAR)teb->NtTib.StackLimit < (PUCHAR)&teb &&
                                      (PUCHAR)&teb < (PUCHAR)teb->NtTib.StackBase));
}

static void DebugPrint(ULONG Buffer, ULONG Length)
{
    __asm__ volatile("int $0x2d" :: "a"(1), "c"(Buffer), "d"(Length) : "memory");
}

static void Debug(void)
{
    DbgPrint("DbgPrint %d %s\n", 42, "through INT 2Dh");
    DebugPrint(KERNEL_ADDRESS, 16);
    DebugPrint(UNMAPPED_USER_ADDRESS, 16);
    DebugPrint(0x7FFEFFF8, 0x100);   /* runs past the user range */
    printf("bad-debug-prints-survived yes\n");
}

static void Heap(void)
{
    PVOID heap = PEB_PROCESS_HEAP(NtvStartupPeb());
    PUCHAR a = RtlAllocateHeap(heap, HEAP_ZERO_MEMORY, 100);
    PUCHAR b = RtlAllocateHeap(heap, 0, 50);
    printf("alloc-in-heap %s\n", YesNo(a && b && (ULONG)a >= MM_PROCESS_HEAP_BASE &&
                                        (ULONG)b < MM_PROCESS_HEAP_BASE + MM_PROCESS_HEAP_SIZE));
    printf("alloc-aligned %s\n", YesNo(((ULONG)a & 7) == 0 && ((ULONG)b & 7) == 0));
    printf("alloc-zeroed %s\n", YesNo(RtlCompareMemory(a, (PUCHAR)RtlAllocateHeap(heap, HEAP_ZERO_MEMORY, 100), 100) == 100));
    printf("size %u\n", (unsigned)RtlSizeHeap(heap, 0, a));
    memset(a, 0xAA, 100);
    printf("free-interior %d\n", RtlFreeHeap(heap, 0, a + 8));
    printf("free-outside %d\n", RtlFreeHeap(heap, 0, (PVOID)0x00400000));
    printf("free-other-heap %d\n", RtlFreeHeap((PVOID)0x00400000, 0, a));
    printf("size-bad %d\n", (int)RtlSizeHeap(heap, 0, a + 1));
    printf("free %d\n", RtlFreeHeap(heap, 0, a));
    printf("free-again %d\n", RtlFreeHeap(heap, 0, a));
    printf("free-null %d\n", RtlFreeHeap(heap, 0, NULL));
    PUCHAR c = RtlAllocateHeap(heap, 0, 64);
    printf("freed-block-reused %s\n", YesNo(c == a));
    memset(b, 0x55, 50);
    PUCHAR g = RtlReAllocateHeap(heap, HEAP_ZERO_MEMORY, b, 300);
    printf("realloc-keeps-and-zeroes %s\n", YesNo(g && g[0] == 0x55 && g[49] == 0x55 && g[50] == 0 && g[299] == 0));
    printf("realloc-size %u\n", (unsigned)RtlSizeHeap(heap, 0, g));
    printf("realloc-in-place-only-refused %s\n",
           YesNo(!RtlReAllocateHeap(heap, HEAP_REALLOC_IN_PLACE_ONLY, c, 4096)));
    printf("alloc-too-big %s\n", YesNo(!RtlAllocateHeap(heap, 0, MM_PROCESS_HEAP_SIZE)));
    ULONG blocks = 0;
    while (RtlAllocateHeap(heap, 0, 0x10000))
        blocks++;
    printf("heap-fills-then-refuses %s\n", YesNo(blocks >= 10 && blocks < 16));
}

static void Strings(void)
{
    ANSI_STRING ansi, back;
    UNICODE_STRING wide, other;
    CHAR small[4];
    RtlInitAnsiString(&ansi, "Hello");
    NTSTATUS s = RtlAnsiStringToUnicodeString(&wide, &ansi, TRUE);
    printf("ansi-to-unicode 0x%08x %u\n", (unsigned)s, wide.Length);
    RtlInitUnicodeString(&other, L"hELLO");
    printf("equal-case-insensitive %d\n", RtlEqualUnicodeString(&wide, &other, TRUE));
    printf("equal-case-sensitive %d\n", RtlEqualUnicodeString(&wide, &other, FALSE));
    back.Buffer = small;
    back.MaximumLength = sizeof(small);
    s = RtlUnicodeStringToAnsiString(&back, &wide, FALSE);
    printf("unicode-to-ansi-short 0x%08x %s\n", (unsigned)s, small);
    s = RtlUnicodeStringToAnsiString(&back, &wide, TRUE);
    printf("unicode-to-ansi 0x%08x %s\n", (unsigned)s, back.Buffer);
    RtlFreeAnsiString(&back);
    RtlFreeUnicodeString(&wide);
    printf("freed-string-emptied %s\n", YesNo(!wide.Buffer && !wide.Length));
}

static void Crt(void)
{
    char buf[8];
    int n = _snprintf(buf, sizeof(buf), "%s", "123456789");
    printf("snprintf-truncated %d\n", n);
    n = _snprintf(buf, sizeof(buf), "%d", 1234567);
    printf("snprintf-fits %d %s\n", n, buf);
    char big[32];
    n = sprintf(big, "%s-%04x", "sprintf", 0xbe);
    printf("sprintf %d %s\n", n, big);
    printf("wcslen %u\n", (unsigned)wcslen(L"four"));
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    PebTeb();
    Debug();
    Heap();
    Strings();
    Crt();
    return 0;
}
