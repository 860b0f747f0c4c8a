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

/* printf subset: %c %s %d %u %x %X %p %%, flags '0' '-', width, 'l'/'ll'. Always NUL-terminates. */
int RtlFormatV(char *buf, size_t size, const char *fmt, va_list ap);
/* The same, writing at most size characters and no terminator (for _vsnprintf). */
int RtlFormatUnterminatedV(char *buf, size_t size, const char *fmt, va_list ap);
int RtlFormat(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING Destination, PCWSTR Source);
/* ASCII -> UTF-16 into Buffer (capacity in WCHARs); returns the number of WCHARs written. */
ULONG RtlAsciiToUnicode(PWSTR Buffer, ULONG Capacity, const char *Ascii, ULONG Length);

#endif
