/* Run-time library shared by the kernel and user-mode programs (freestanding). */
#ifndef GUEST_RTL_H
#define GUEST_RTL_H

#include <stdarg.h>
#include "ntdef.h"

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memmove(void *d, const void *s, size_t n);
int   memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int   strcmp(const char *a, const char *b);
int   strncmp(const char *a, const char *b, size_t n);

/* printf subset: %c %s %d %i %u %x %X %p %%, flags '0' '-', width (*), string precision (.N .*),
   'l'/'ll', NT's %ws %S %hs %Z %wZ.
   Always NUL-terminates. */
int RtlFormatV(char *buf, size_t size, const char *fmt, va_list ap);
/* The same, writing at most size characters and no terminator (for _vsnprintf). */
int RtlFormatUnterminatedV(char *buf, size_t size, const char *fmt, va_list ap);
int RtlFormat(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING Destination, PCWSTR Source);

/* rtl/crt.c: the C routines ntdll and ntoskrnl export besides (Microsoft's _vsnprintf contract) */
size_t wcslen(const WCHAR *String);
int _vsnprintf(char *Buffer, size_t Count, const char *Format, va_list ArgList);
/* no format attribute: they take NT's %wZ and %ws, which gcc's printf checks reject */
int _snprintf(char *Buffer, size_t Count, const char *Format, ...);
int sprintf(char *Buffer, const char *Format, ...);

/* rtl/unicode.c, shared by the kernel and ntdll */
typedef const STRING *PCSTRING, *PCANSI_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;
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
/* Where unicode.c's allocated buffers come from: the kernel's pool (ex/pool.c), ntdll's process heap (ntdll/heap.c). */
PVOID RtlpAllocateStringBuffer(SIZE_T Size);
VOID RtlpFreeStringBuffer(PVOID Buffer);
/* rtl/string.c: the number of leading bytes that match */
SIZE_T NTAPI RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length);
/* ASCII -> UTF-16 into Buffer (capacity in WCHARs); returns the number of WCHARs written. */
ULONG RtlAsciiToUnicode(PWSTR Buffer, ULONG Capacity, const char *Ascii, ULONG Length);

#endif
