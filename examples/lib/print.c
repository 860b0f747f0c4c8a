/*
 * examples/lib, ours: vsnprintf, snprintf and printf. mingw-w64's libntdll.a
 * imports no C library from ntdll, so the formatting is here and printf's
 * output goes to the console through NtDisplayString.
 */
#define WIN32_NO_STATUS
#include <windef.h>
#include <winternl.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include "ntnative.h"

typedef struct _RTLP_SINK {
    char *Buffer;
    size_t Size, Length;
} RTLP_SINK;

static void RtlpPut(RTLP_SINK *s, char c)
{
    if (s->Length + 1 < s->Size)
        s->Buffer[s->Length] = c;
    s->Length++;
}

static void RtlpPutNumber(RTLP_SINK *s, unsigned long long v, unsigned base, int upper, int width, int zero,
                          int left, int negative)
{
    char digits[24];
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;
    do {
        digits[n++] = set[v % base];
        v /= base;
    } while (v);
    int len = n + negative;
    if (negative && zero)
        RtlpPut(s, '-');
    if (!left)
        for (; width > len; width--)
            RtlpPut(s, zero ? '0' : ' ');
    if (negative && !zero)
        RtlpPut(s, '-');
    while (n)
        RtlpPut(s, digits[--n]);
    if (left)
        for (; width > len; width--)
            RtlpPut(s, ' ');
}

int vsnprintf(char *Buffer, size_t Size, const char *Format, va_list Args)
{
    RTLP_SINK s = { Buffer, Size, 0 };
    for (const char *f = Format; *f; f++) {
        if (*f != '%') {
            RtlpPut(&s, *f);
            continue;
        }
        int zero = 0, left = 0, width = 0, longs = 0;
        for (f++; *f == '0' || *f == '-'; f++)
            *f == '0' ? (zero = 1) : (left = 1);
        for (; *f >= '0' && *f <= '9'; f++)
            width = width * 10 + (*f - '0');
        for (; *f == 'l'; f++)
            longs++;
        switch (*f) {
        case 'c':
            RtlpPut(&s, (char)va_arg(Args, int));
            break;
        case 's': {
            const char *str = va_arg(Args, const char *);
            if (!str)
                str = "(null)";
            int len = (int)strlen(str);
            if (!left)
                for (; width > len; width--)
                    RtlpPut(&s, ' ');
            while (*str)
                RtlpPut(&s, *str++);
            for (; width > len; width--)
                RtlpPut(&s, ' ');
            break;
        }
        case 'd': {
            long long v = longs >= 2 ? va_arg(Args, long long) : va_arg(Args, int);
            RtlpPutNumber(&s, v < 0 ? -(unsigned long long)v : (unsigned long long)v, 10, 0, width, zero, left,
                          v < 0);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            unsigned long long v = longs >= 2 ? va_arg(Args, unsigned long long) : va_arg(Args, unsigned int);
            RtlpPutNumber(&s, v, *f == 'u' ? 10 : 16, *f == 'X', width, zero, left, 0);
            break;
        }
        case 'p':
            RtlpPutNumber(&s, (ULONG_PTR)va_arg(Args, void *), 16, 0, 8, 1, 0, 0);
            break;
        case '%':
            RtlpPut(&s, '%');
            break;
        case '\0':
            f--;
            break;
        default:
            RtlpPut(&s, '%');
            RtlpPut(&s, *f);
        }
    }
    if (Size)
        Buffer[s.Length < Size ? s.Length : Size - 1] = '\0';
    return (int)s.Length;
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
