/*
 * The C run-time routines ntoskrnl exports to drivers beside those of
 * rtl/string.c (kernel only), on the kernel's printf subset (rtl/format.c).
 * _snprintf and _vsnprintf keep msvcrt's contract in what a caller checks:
 * -1 when the text does not fit. Unlike msvcrt they always terminate the
 * buffer, so a text of exactly Count characters is cut by one and is -1 too.
 */
#include "../inc/rtl.h"

#define CRT_UNBOUNDED 0x7FFFFFFF   /* sprintf: the caller promised the room */

size_t wcslen(const WCHAR *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int _vsnprintf(char *Buffer, size_t Count, const char *Format, va_list ArgList)
{
    int n = RtlFormatV(Buffer, Count, Format, ArgList);
    return (size_t)n < Count ? n : -1;
}

int _snprintf(char *Buffer, size_t Count, const char *Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    int n = _vsnprintf(Buffer, Count, Format, ap);
    va_end(ap);
    return n;
}

int sprintf(char *Buffer, const char *Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    int n = RtlFormatV(Buffer, CRT_UNBOUNDED, Format, ap);
    va_end(ap);
    return n;
}
