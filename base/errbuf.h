/*
 * The host side's error convention: a failing function writes one line for
 * the user into the caller's buffer (err, errlen) and returns a failure code.
 */
#ifndef NTVISOR_BASE_ERRBUF_H
#define NTVISOR_BASE_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>

/* Formats the message into err (nothing when err is NULL or errlen is 0, always
   NUL-terminated otherwise, truncated to fit) and returns code. */
__attribute__((format(printf, 4, 5)))
int errbuf_fail_code(char *err, size_t errlen, int code, const char *fmt, ...);

/* errbuf_fail_code with -1, the usual failure return: return errbuf_fail(err, errlen, "..."). */
__attribute__((format(printf, 3, 4)))
int errbuf_fail(char *err, size_t errlen, const char *fmt, ...);

#endif
