/*
 * ntdll's run-time library: the Rtl, Dbg and C routines ntdll.dll exports
 * (the PE ntdll) and libntrt links into ELF programs, under NT's names and
 * calling conventions (Rtl* NTAPI, DbgPrint and the C ones cdecl).
 */
#ifndef NTDLL_NTRTL_H
#define NTDLL_NTRTL_H

#include <stdarg.h>
#include "../inc/ntdef.h"
#include "../inc/rtl.h"
#include "../inc/pebteb.h"

#ifndef STATUS_BUFFER_OVERFLOW
#define STATUS_BUFFER_OVERFLOW NTSTATUS_C(0x80000005)
#endif

typedef struct _STRING {
    USHORT Length;          /* bytes, not counting a terminator */
    USHORT MaximumLength;
    PCHAR  Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING;
typedef const STRING *PCSTRING, *PCANSI_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

/* strings */
VOID NTAPI RtlInitString(PSTRING Destination, PCSTR Source);
VOID NTAPI RtlInitAnsiString(PANSI_STRING Destination, PCSTR Source);
NTSTATUS NTAPI RtlAnsiStringToUnicodeString(PUNICODE_STRING Destination, PCANSI_STRING Source,
                                            BOOLEAN AllocateDestinationString);
NTSTATUS NTAPI RtlUnicodeStringToAnsiString(PANSI_STRING Destination, PCUNICODE_STRING Source,
                                            BOOLEAN AllocateDestinationString);
VOID NTAPI RtlFreeUnicodeString(PUNICODE_STRING UnicodeString);
VOID NTAPI RtlFreeAnsiString(PANSI_STRING AnsiString);
VOID NTAPI RtlCopyUnicodeString(PUNICODE_STRING Destination, PCUNICODE_STRING Source);
WCHAR NTAPI RtlUpcaseUnicodeChar(WCHAR SourceCharacter);
LONG NTAPI RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
BOOLEAN NTAPI RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);

/* memory */
VOID NTAPI RtlCopyMemory(PVOID Destination, const VOID *Source, SIZE_T Length);
VOID NTAPI RtlMoveMemory(PVOID Destination, const VOID *Source, SIZE_T Length);
VOID NTAPI RtlZeroMemory(PVOID Destination, SIZE_T Length);
VOID NTAPI RtlFillMemory(PVOID Destination, SIZE_T Length, UCHAR Fill);
SIZE_T NTAPI RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length);

/* the process heap (Peb->ProcessHeap, committed by the kernel) */
#define HEAP_NO_SERIALIZE          0x00000001
#define HEAP_GENERATE_EXCEPTIONS   0x00000004
#define HEAP_ZERO_MEMORY           0x00000008
#define HEAP_REALLOC_IN_PLACE_ONLY 0x00000010
PVOID NTAPI RtlAllocateHeap(PVOID HeapHandle, ULONG Flags, SIZE_T Size);
BOOLEAN NTAPI RtlFreeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress);
PVOID NTAPI RtlReAllocateHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress, SIZE_T Size);
SIZE_T NTAPI RtlSizeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress);

/* the debugger's console: INT 2Dh, BREAKPOINT_PRINT */
ULONG DbgPrint(PCSTR Format, ...) __attribute__((format(printf, 1, 2)));

/* the C library subset NT's ntdll exports */
size_t wcslen(const WCHAR *String);
int _vsnprintf(char *Buffer, size_t Count, const char *Format, va_list ArgList);
int _snprintf(char *Buffer, size_t Count, const char *Format, ...) __attribute__((format(printf, 3, 4)));
int sprintf(char *Buffer, const char *Format, ...) __attribute__((format(printf, 2, 3)));

/* the current thread's TEB and its process's PEB, through FS as NT has them */
static inline PTEB NtCurrentTeb(void)
{
    PTEB teb;
    __asm__("movl %%fs:0x18, %0" : "=r"(teb));
    return teb;
}

#endif
