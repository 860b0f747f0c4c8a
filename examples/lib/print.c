/*
 * examples/lib, ours: vsnprintf, snprintf and printf for the examples, on
 * ntdll's own _vsnprintf (imported through mingw-w64's libntdllcrt.a; the
 * guest's ntdll implements it) with C's contract -- always terminated, the
 * text cut to fit -- and printf's output on the console through
 * NtDisplayString.
 */
#define WIN32_NO_STATUS
#include <windef.h>
#include <winternl.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include "ntnative.h"

int __cdecl _vsnprintf(char *Buffer, size_t Count, const char *Format, va_list ArgList);

int vsnprintf(char *Buffer, size_t Size, const char *Format, va_list Args)
{
    if (!Size)
        return 0;
    int n = _vsnprintf(Buffer, Size, Format, Args);
    if (n < 0 || (size_t)n >= Size) {   /* did not fit (Microsoft's -1, or exactly full and unterminated) */
        Buffer[Size - 1] = '\0';
        return (int)Size - 1;
    }
    return n;
}

int snprintf(char *Buffer, size_t Size, const char *Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    int n = vsnprintf(Buffer, Size, Format, ap);
    va_end(ap);
    return n;
}

int printf(const char *Format, ...)
{
    char text[512];
    WCHAR wide[512];
    va_list ap;
    va_start(ap, Format);
    int n = vsnprintf(text, sizeof(text), Format, ap);
    va_end(ap);
    ULONG len = 0;
    for (; text[len] && len < ARRAYSIZE(wide); len++)
        wide[len] = (UCHAR)text[len];
    UNICODE_STRING s = { (USHORT)(len * sizeof(WCHAR)), (USHORT)sizeof(wide), wide };
    NtDisplayString(&s);
    return n;
}
