/* The C string and memory primitives the compiler and the kernel expect. */
#include "../inc/rtl.h"

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if (dp < sp)
        return memcpy(d, s, n);
    while (n--)
        dp[n] = sp[n];
    return d;
}

void *memset(void *d, int c, size_t n)
{
    unsigned char *dp = d;
    while (n--)
        *dp++ = (unsigned char)c;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *ap = a, *bp = b;
    for (; n; n--, ap++, bp++)
        if (*ap != *bp)
            return *ap - *bp;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            break;
    }
    return 0;
}

int strcmp(const char *a, const char *b)
{
    return strncmp(a, b, (size_t)-1);
}

VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING Destination, PCWSTR Source)
{
    ULONG n = 0;
    if (Source)
        while (Source[n] && n < 0x7FFE)
            n++;
    Destination->Length = (USHORT)(n * sizeof(WCHAR));
    Destination->MaximumLength = Source ? (USHORT)(Destination->Length + sizeof(WCHAR)) : 0;
    Destination->Buffer = (PWSTR)Source;
}

ULONG RtlAsciiToUnicode(PWSTR Buffer, ULONG Capacity, const char *Ascii, ULONG Length)
{
    ULONG n = 0;
    for (; n < Length && n < Capacity; n++)
        Buffer[n] = (UCHAR)Ascii[n];
    return n;
}

/* The number of leading bytes that match. */
SIZE_T NTAPI RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length)
{
    const UCHAR *a = Source1, *b = Source2;
    SIZE_T n = 0;
    while (n < Length && a[n] == b[n])
        n++;
    return n;
}
