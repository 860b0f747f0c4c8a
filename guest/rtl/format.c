/*
 * A small snprintf for the kernel's messages and user programs' output:
 * %c %s %d %i %u %x %X %p %%, flags '0' '-', width (or *), a string's
 * precision (.N or .*), 'l'/'ll', and NT's
 * string forms %ls %ws %S (wide), %hs (narrow), %Z (ANSI_STRING *) and
 * %wZ (UNICODE_STRING *) that drivers pass DbgPrint.
 */
#include "../inc/rtl.h"

/* 'll', and 'l' where long is 64-bit (x86_64 builds): ULONG_PTR is an unsigned long there */
#define KI_FORMAT_64(longs) ((longs) >= 2 || ((longs) == 1 && sizeof(long) == 8))

typedef struct { char *buf; size_t size, len; } SINK;

static void Put(SINK *s, char c)
{
    if (s->len < s->size)   /* the terminator, if any, is RtlFormatV's business */
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

/* Len characters of a narrow or a wide string, padded to Width; a wide character above 0x7F shows as '?'. */
static void PutString(SINK *s, const char *narrow, const WCHAR *wide, int len, int width, int left)
{
    if (!left)
        for (; width > len; width--)
            Put(s, ' ');
    for (int i = 0; i < len; i++)
        Put(s, narrow ? narrow[i] : wide[i] < 0x80 ? (char)wide[i] : '?');
    for (; width > len; width--)
        Put(s, ' ');
}

/* %s %ls %ws %S (NUL-terminated) and %Z %wZ (ANSI_STRING, UNICODE_STRING), as NT's DbgPrint takes them. */
static void PutStringArgument(SINK *s, char conversion, int wide, va_list *ap, int width, int precision, int left)
{
    const char *narrow = NULL;
    const WCHAR *chars = NULL;
    int len = 0;
    if (conversion == 'Z') {
        const UNICODE_STRING *u = va_arg(*ap, const UNICODE_STRING *);   /* ANSI_STRING has its layout */
        if (u && u->Buffer) {
            len = wide ? u->Length / sizeof(WCHAR) : u->Length;
            if (wide)
                chars = u->Buffer;
            else
                narrow = (const char *)u->Buffer;
        }
    } else if (wide) {
        chars = va_arg(*ap, const WCHAR *);
        while (chars && chars[len] && (precision < 0 || len < precision))
            len++;
    } else {
        narrow = va_arg(*ap, const char *);
        while (narrow && narrow[len] && (precision < 0 || len < precision))
            len++;
    }
    if (precision >= 0 && len > precision)
        len = precision;
    if (!narrow && !chars) {
        narrow = "(null)";
        len = 6;
    }
    PutString(s, narrow, chars, len, width, left);
}

/* Writes at most size characters, with no terminator; returns the whole length. */
int RtlFormatUnterminatedV(char *buf, size_t size, const char *fmt, va_list args)
{
    SINK s = { buf, size, 0 };
    va_list ap;   /* a copy: on x86_64 a va_list parameter is a pointer, &args not a va_list * */
    va_copy(ap, args);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            Put(&s, *fmt);
            continue;
        }
        int zero = 0, left = 0, width = 0, longs = 0;
        for (fmt++; *fmt == '0' || *fmt == '-'; fmt++)
            *fmt == '0' ? (zero = 1) : (left = 1);
        if (*fmt == '*') {
            width = va_arg(ap, int);
            fmt++;
        }
        for (; *fmt >= '0' && *fmt <= '9'; fmt++)
            width = width * 10 + (*fmt - '0');
        int precision = -1;   /* strings only: at most this many characters */
        if (*fmt == '.') {
            precision = 0;
            if (*++fmt == '*') {
                precision = va_arg(ap, int);
                fmt++;
            }
            for (; *fmt >= '0' && *fmt <= '9'; fmt++)
                precision = precision * 10 + (*fmt - '0');
        }
        for (; *fmt == 'l'; fmt++)
            longs++;
        int wide = longs > 0, narrow = 0;   /* %ls %ws wide, %hs narrow */
        if (*fmt == 'w') {
            wide = 1;
            fmt++;
        } else if (*fmt == 'h') {
            narrow = 1;
            fmt++;
        }
        switch (*fmt) {
        case 'c':
            Put(&s, (char)va_arg(ap, int));
            break;
        case 's':
        case 'S':
        case 'Z':
            PutStringArgument(&s, *fmt, *fmt == 'S' ? !narrow : wide, &ap, width, precision, left);
            break;
        case 'i':
        case 'd': {
            long long v = KI_FORMAT_64(longs) ? va_arg(ap, long long) : va_arg(ap, int);
            PutNumber(&s, v < 0 ? -(unsigned long long)v : (unsigned long long)v, 10, 0, width, zero, left, v < 0);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            unsigned long long v = KI_FORMAT_64(longs) ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
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
    va_end(ap);
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
