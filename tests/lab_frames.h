/*
 * For the lab's tests (test_lab.c, test_lab_stream.c): a result stream built
 * byte by byte as the lab's guest side writes it (vmm/lab/protocol.h: a tag,
 * a 64-bit little-endian length, the payload), and a scratch directory.
 */
#ifndef NTVISOR_TEST_LAB_FRAMES_H
#define NTVISOR_TEST_LAB_FRAMES_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct frame { unsigned char b[1 << 16]; size_t n; };

static inline void frame_raw(struct frame *f, const void *p, size_t n)
{
    ck_assert_uint_le(f->n + n, sizeof f->b);
    memcpy(f->b + f->n, p, n);
    f->n += n;
}

static inline void frame_le(struct frame *f, uint64_t v, int bytes)
{
    unsigned char b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    frame_raw(f, b, (size_t)bytes);
}

/* A record whose length field says len, whatever n bytes of payload follow (a hostile one lies). */
static inline void frame_rec(struct frame *f, const char *tag, uint64_t len, const void *p, size_t n)
{
    frame_raw(f, tag, 4);
    frame_le(f, len, 8);
    if (n)
        frame_raw(f, p, n);
}

static inline void frame_u32rec(struct frame *f, const char *tag, uint32_t v)
{
    unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 24) };
    frame_rec(f, tag, 4, b, 4);
}

/* A FILE or PART record: the lab path's length, the path, the bytes. */
static inline void frame_named(struct frame *f, const char *tag, const char *name, const void *data, size_t n)
{
    size_t nl = strlen(name);
    frame_raw(f, tag, 4);
    frame_le(f, 4 + nl + n, 8);
    frame_le(f, nl, 4);
    frame_raw(f, name, nl);
    frame_raw(f, data, n);
}

/* A new directory $TMPDIR/<prefix>.XXXXXX into dir. */
static inline void scratch_make(char *dir, size_t len, const char *prefix)
{
    snprintf(dir, len, "%s/%s.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", prefix);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Removes dir and all below it; dir becomes "". */
static inline void scratch_remove(char *dir)
{
    char cmd[600];
    if (!dir[0])
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    dir[0] = '\0';
}

/* dir/name, in one of eight buffers used in turn. */
static inline char *scratch_path(const char *dir, const char *name)
{
    static char buf[8][512];
    static int k;
    char *p = buf[k++ & 7];
    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

#endif
