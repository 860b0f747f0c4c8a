/*
 * The C library routines NT's ntdll and ntoskrnl export beyond
 * guest/rtl/string.c's, for native programs and drivers alike. The printf family is guest/rtl/format.c's
 * subset (%c %s %d %u %x %X %p %%, flags '0' '-', width, 'l'/'ll'), with
 * Microsoft's _vsnprintf result: -1, and no terminator, when it does not fit.
 */
#include "../inc/rtl.h"

size_t wcslen(const WCHAR *String)
{
    size_t n = 0;
    while (String[n])
        n++;
    return n;
}

int _vsnprintf(char *Buffer, size_t Count, const char *Format, va_list ArgList)
{
    int n = RtlFormatUnterminatedV(Buffer, Count, Format, ArgList);
    if ((size_t)n < Count) {
        Buffer[n] = '\0';
        return n;
    }
    return (size_t)n == Count ? n : -1;   /* exactly full: all of it, unterminated */
}

int _snprintf(char *Buffer, size_t Count, const char *Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    int n = _vsnprintf(Buffer, Count, Format, ap);
    va_end(ap);
    return n;
}

/* No bound, as C's: the caller's buffer must hold it all. */
int sprintf(char *Buffer, const char *Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    int n = RtlFormatUnterminatedV(Buffer, (size_t)-1 / 2, Format, ap);
    va_end(ap);
    Buffer[n] = '\0';
    return n;
}
