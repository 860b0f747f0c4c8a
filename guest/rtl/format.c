/* A small snprintf for the kernel's messages and user programs' output. */
#include "../inc/rtl.h"

typedef struct { char *buf; size_t size, len; } SINK;

static void Put(SINK *s, char c)
{
    if (s->len < s->size)
        s->buf[s->len] = c;
    s->len++;
}

static void PutNumber(SINK *s, unsigned long long v, unsigned base, int upper, int width, int zero,
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
        Put(s, '-');
    if (!left)
        for (; width > len; width--)
            Put(s, zero ? '0' : ' ');
    if (negative && !zero)
        Put(s, '-');
    while (n)
        Put(s, digits[--n]);
    if (left)
        for (; width > len; width--)
            Put(s, ' ');
}

/* Writes at most size characters, with no terminator; returns the whole length. */
int RtlFormatUnterminatedV(char *buf, size_t size, const char *fmt, va_list ap)
{
    SINK s = { buf, size, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            Put(&s, *fmt);
            continue;
        }
        int zero = 0, left = 0, width = 0, longs = 0;
        for (fmt++; *fmt == '0' || *fmt == '-'; fmt++)
            *fmt == '0' ? (zero = 1) : (left = 1);
        for (; *fmt >= '0' && *fmt <= '9'; fmt++)
            width = width * 10 + (*fmt - '0');
        for (; *fmt == 'l'; fmt++)
            longs++;
        switch (*fmt) {
        case 'c':
            Put(&s, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            int len = (int)strlen(str);
            if (!left)
                for (; width > len; width--)
                    Put(&s, ' ');
            while (*str)
                Put(&s, *str++);
            for (; width > len; width--)
                Put(&s, ' ');
            break;
        }
        case 'd': {
            long long v = longs >= 2 ? va_arg(ap, long long) : va_arg(ap, int);
            PutNumber(&s, v < 0 ? -(unsigned long long)v : (unsigned long long)v, 10, 0, width, zero, left, v < 0);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            unsigned long long v = longs >= 2 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
            PutNumber(&s, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, zero, left, 0);
            break;
        }
        case 'p':
            PutNumber(&s, (ULONG_PTR)va_arg(ap, void *), 16, 0, 8, 1, 0, 0);
            break;
        case '%':
            Put(&s, '%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            Put(&s, '%');
            Put(&s, *fmt);
        }
    }
    return (int)s.len;
}

int RtlFormatV(char *buf, size_t size, const char *fmt, va_list ap)
{
    int n = RtlFormatUnterminatedV(buf, size, fmt, ap);
    if (size)
        buf[(size_t)n < size ? (size_t)n : size - 1] = '\0';
    return n;
}

int RtlFormat(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = RtlFormatV(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
