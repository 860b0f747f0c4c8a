/* One formatter for every "char *err, size_t errlen" failure. */
#include <stdio.h>
#include "errbuf.h"

static void format_into(char *err, size_t errlen, const char *fmt, va_list ap)
{
    if (err && errlen)
        vsnprintf(err, errlen, fmt, ap);
}

int errbuf_fail_code(char *err, size_t errlen, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_into(err, errlen, fmt, ap);
    va_end(ap);
    return code;
}

int errbuf_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_into(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}
