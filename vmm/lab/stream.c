/* Output files written as the lab streams them back (see stream.h). */
#define _GNU_SOURCE
#include "stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

void lab_stream_init(struct lab_stream *s)
{
    s->fd = -1;
    s->hold = NULL;
    s->nhold = 0;
}

int lab_stream_open(struct lab_stream *s, const char *path)
{
    lab_stream_init(s);
    s->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666);
    if (s->fd < 0)
        return -1;
    s->hold = malloc(LAB_STREAM_HOLD_MAX);
    if (!s->hold) {
        close(s->fd);
        s->fd = -1;
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

/* a then b in one writev where possible: one system call is not split by a SIGKILL. */
static int write2(int fd, const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
    while (na + nb) {
        struct iovec v[2] = { { (void *)a, na }, { (void *)b, nb } };
        ssize_t w = na ? writev(fd, v, 2) : write(fd, b, nb);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        size_t k = (size_t)w < na ? (size_t)w : na;
        if (k)   /* a may be NULL (nothing held): no arithmetic on it then */
            a += k, na -= k, w -= (ssize_t)k;
        b += w, nb -= (size_t)w;
    }
    return 0;
}

static void hold_add(struct lab_stream *s, const unsigned char *p, size_t n)
{
    memcpy(s->hold + s->nhold, p, n);
    s->nhold += n;
}

int lab_stream_write(struct lab_stream *s, const void *buf, size_t n)
{
    const unsigned char *p = buf;

    while (n) {
        const unsigned char *nl = memrchr(p, '\n', n);
        size_t whole = nl ? (size_t)(nl - p) + 1 : 0;
        if (whole) {
            if (write2(s->fd, s->hold, s->nhold, p, whole) < 0)
                return -1;
            s->nhold = 0;
            p += whole, n -= whole;
            continue;
        }
        size_t room = LAB_STREAM_HOLD_MAX - s->nhold, k = n < room ? n : room;
        hold_add(s, p, k);
        p += k, n -= k;
        if (s->nhold == LAB_STREAM_HOLD_MAX) {      /* no line this long: not a line-oriented file */
            if (write2(s->fd, NULL, 0, s->hold, s->nhold) < 0)
                return -1;
            s->nhold = 0;
        }
    }
    return 0;
}

int lab_stream_finish(struct lab_stream *s)
{
    int rc = s->nhold ? write2(s->fd, NULL, 0, s->hold, s->nhold) : 0;
    int e = errno;

    s->nhold = 0;
    if (close(s->fd) < 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    s->fd = -1;
    free(s->hold);
    s->hold = NULL;
    errno = e;
    return rc;
}

void lab_stream_abandon(struct lab_stream *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    free(s->hold);
    s->hold = NULL;
    s->nhold = 0;
}
