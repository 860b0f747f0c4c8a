/*
 * Reading a libFuzzer input as fields: each read takes bytes from the front,
 * and an exhausted input reads as zeros, so every input is a valid one.
 */
#ifndef NTVISOR_FUZZ_INPUT_H
#define NTVISOR_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fz {
    const uint8_t *p;
    size_t n;
};

static inline uint8_t fz_u8(struct fz *f)
{
    if (!f->n)
        return 0;
    f->n--;
    return *f->p++;
}

static inline uint16_t fz_u16(struct fz *f)
{
    uint16_t lo = fz_u8(f);
    return (uint16_t)(lo | fz_u8(f) << 8);
}

static inline uint32_t fz_u32(struct fz *f)
{
    uint32_t lo = fz_u16(f);
    return lo | (uint32_t)fz_u16(f) << 16;
}

/* Up to len bytes into out; the rest of out is zeroed. */
static inline void fz_bytes(struct fz *f, void *out, size_t len)
{
    size_t n = len < f->n ? len : f->n;
    memcpy(out, f->p, n);
    memset((uint8_t *)out + n, 0, len - n);
    f->p += n;
    f->n -= n;
}

/* A string up to the next NUL (or the end), at most max bytes, NUL-terminated into out[max+1]. */
static inline char *fz_str(struct fz *f, char *out, size_t max)
{
    size_t i = 0;
    while (f->n && *f->p && i < max)
        out[i++] = (char)fz_u8(f);
    out[i] = '\0';
    if (f->n && !*f->p)
        fz_u8(f);
    return out;
}

#endif
