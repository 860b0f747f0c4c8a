/* The result stream of the lab: an incremental parser of the framed records
 * the lab's /init sends on its result port (protocol.h), writing output files as they
 * arrive (see result.h). Every byte of it is untrusted. */
#define _GNU_SOURCE
#include "result.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include "io.h"
#include "protocol.h"
#include "stream.h"

enum { R_MAGIC, R_HDR, R_TEXT, R_NAMELEN, R_NAME, R_DATA, R_DONE, R_ERROR };

#define LAB_MAX_JUNK 4096u

struct lab_result {
    const struct lab_file *outs;
    size_t n_outs;
    unsigned char *found;            /* per output: its final FILE record arrived */
    struct lab_stream *st;           /* per output: open once its first record arrived */
    uint64_t *sent;                  /* per output: data bytes received */
    int final;                       /* the record is FILE (the file's end), not PART */
    int state;
    size_t magic_got;
    size_t junk;
    unsigned char hdr[12];
    size_t hdr_got;
    char tag[5];
    uint64_t len;                   /* payload bytes still expected */
    char text[LAB_MAX_TEXT + 1];
    size_t text_got;
    unsigned char nl[4];
    size_t nl_got;
    uint32_t name_len;
    char name[LAB_MAX_NAME + 1];
    size_t name_got;
    size_t cur;                     /* output index of the FILE/PART record */
    int status;
    int started;
    char *failure;
    char error[256];
};

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;

    for (int i = bytes - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

struct lab_result *lab_result_new(const struct lab_file *outputs, size_t n_outputs)
{
    struct lab_result *r = calloc(1, sizeof *r);

    if (!r)
        return NULL;
    size_t n = n_outputs ? n_outputs : 1;
    r->found = calloc(n, 1);
    r->st = calloc(n, sizeof *r->st);
    r->sent = calloc(n, sizeof *r->sent);
    if (!r->found || !r->st || !r->sent) {
        free(r->found);
        free(r->st);
        free(r->sent);
        free(r);
        return NULL;
    }
    for (size_t i = 0; i < n_outputs; i++)
        lab_stream_init(&r->st[i]);
    r->outs = outputs;
    r->n_outs = n_outputs;
    r->status = -1;
    return r;
}

/* Closes the unfinished outputs, each with its whole lines only. */
static void close_output(struct lab_result *r)
{
    for (size_t i = 0; r->st && i < r->n_outs; i++)
        lab_stream_abandon(&r->st[i]);
}

void lab_result_free(struct lab_result *r)
{
    if (!r)
        return;
    close_output(r);
    free(r->found);
    free(r->st);
    free(r->sent);
    free(r->failure);
    free(r);
}

static int r_fail(struct lab_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int r_fail(struct lab_result *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
    close_output(r);
    r->state = R_ERROR;
    return -1;
}

static int r_begin_file(struct lab_result *r)
{
    const char *host;
    size_t i;

    for (i = 0; i < r->n_outs; i++)
        if (r->outs[i].lab_path && strlen(r->outs[i].lab_path) == r->name_len &&
            memcmp(r->outs[i].lab_path, r->name, r->name_len) == 0)
            break;
    if (i == r->n_outs)
        return r_fail(r, "lab result: unrequested output file");
    if (r->found[i])
        return r_fail(r, "lab result: output %s sent twice", r->outs[i].lab_path);
    if (r->len > LAB_MAX_FILE - r->sent[i])
        return r_fail(r, "lab result: output %s too large", r->outs[i].lab_path);
    r->cur = i;
    host = r->outs[i].host_path;
    /* the file as the user named it: a symlink is followed, a device written to, nothing replaced */
    if (r->st[i].fd < 0 && lab_stream_open(&r->st[i], host) < 0)
        return r_fail(r, "output %s: %s", host, strerror(errno));
    return 0;
}

static int r_end_file(struct lab_result *r)
{
    const char *host = r->outs[r->cur].host_path;

    r->state = R_HDR;
    if (!r->final)
        return 0;
    if (lab_stream_finish(&r->st[r->cur]) < 0)
        return r_fail(r, "output %s: %s", host, strerror(errno));
    r->found[r->cur] = 1;
    return 0;
}

static int r_header(struct lab_result *r)
{
    memcpy(r->tag, r->hdr, 4);
    r->tag[4] = '\0';
    r->len = get_le(r->hdr + 4, 8);
    r->hdr_got = 0;
    if (!strcmp(r->tag, "EXIT") || !strcmp(r->tag, "SIGN")) {
        if (r->len != 4)
            return r_fail(r, "lab result: bad %s record length", r->tag);
        if (r->status >= 0)
            return r_fail(r, "lab result: two exit statuses");
    } else if (!strcmp(r->tag, "FAIL")) {
        if (r->len > LAB_MAX_TEXT)
            return r_fail(r, "lab result: failure text too long");
    } else if (!strcmp(r->tag, "FILE") || !strcmp(r->tag, "PART")) {
        r->final = r->tag[0] == 'F';
        if (r->len < 4 || r->len > 4 + (uint64_t)LAB_MAX_NAME + LAB_MAX_FILE)
            return r_fail(r, "lab result: bad file record length");
        r->nl_got = 0;
        r->state = R_NAMELEN;
        return 0;
    } else if (!strcmp(r->tag, "STRT")) {
        if (r->len != 0 || r->started)
            return r_fail(r, "lab result: bad start record");
        r->started = 1;
        r->state = R_HDR;
        return 0;
    } else if (!strcmp(r->tag, "DONE")) {
        if (r->len != 0)
            return r_fail(r, "lab result: bad end record");
        r->state = R_DONE;
        return 0;
    } else {
        return r_fail(r, "lab result: unknown record type");
    }
    r->text_got = 0;
    r->state = R_TEXT;
    return r->len == 0 ? 1 : 0;     /* 1: complete (empty) text record */
}

static int r_text_done(struct lab_result *r)
{
    r->text[r->text_got] = '\0';
    r->state = R_HDR;
    if (!strcmp(r->tag, "FAIL")) {
        /* keep it one line and printable */
        for (size_t i = 0; i < r->text_got; i++)
            if ((unsigned char)r->text[i] < 0x20 || r->text[i] == 0x7f)
                r->text[i] = ' ';
        free(r->failure);
        r->failure = strdup(r->text_got ? r->text : "(no reason given)");
        if (!r->failure)
            return r_fail(r, "out of memory");
        return 0;
    }
    {
        uint64_t v = get_le((const unsigned char *)r->text, 4);
        if (!strcmp(r->tag, "EXIT")) {
            if (v > 255)
                return r_fail(r, "lab result: exit code out of range");
            r->status = (int)v;
        } else {
            if (v < 1 || v > 127)
                return r_fail(r, "lab result: signal number out of range");
            r->status = 128 + (int)v;
        }
    }
    return 0;
}

/* Each state's step takes bytes from p (n > 0 of them): how many it used, or -1 once r failed. */
static long r_magic(struct lab_result *r, const unsigned char *p, size_t n)
{
    (void)n;
    if (*p == (unsigned char)LAB_MAGIC[r->magic_got]) {
        if (++r->magic_got == LAB_MAGIC_LEN)
            r->state = R_HDR;
    } else {
        /* 'N' occurs only first in the magic: a restart is exact */
        r->magic_got = *p == (unsigned char)LAB_MAGIC[0];
        if (++r->junk > LAB_MAX_JUNK)
            return r_fail(r, "lab result: no result header in the channel");
    }
    return 1;
}

static long r_hdr(struct lab_result *r, const unsigned char *p, size_t n)
{
    size_t k = sizeof r->hdr - r->hdr_got;
    if (k > n)
        k = n;
    memcpy(r->hdr + r->hdr_got, p, k);
    r->hdr_got += k;
    if (r->hdr_got == sizeof r->hdr) {
        int h = r_header(r);
        if (h < 0)
            return -1;
        if (h == 1 && r_text_done(r) < 0)
            return -1;
    }
    return (long)k;
}

static long r_textbytes(struct lab_result *r, const unsigned char *p, size_t n)
{
    size_t k = (size_t)r->len;
    if (k > n)
        k = n;
    memcpy(r->text + r->text_got, p, k);
    r->text_got += k;
    r->len -= k;
    if (r->len == 0 && r_text_done(r) < 0)
        return -1;
    return (long)k;
}

static long r_namelen(struct lab_result *r, const unsigned char *p, size_t n)
{
    (void)n;
    r->nl[r->nl_got++] = *p;
    r->len--;
    if (r->nl_got == 4) {
        uint64_t nl = get_le(r->nl, 4);
        if (nl == 0 || nl > LAB_MAX_NAME || nl > r->len)
            return r_fail(r, "lab result: bad output file name length");
        r->name_len = (uint32_t)nl;
        r->name_got = 0;
        r->state = R_NAME;
    }
    return 1;
}

static long r_namebytes(struct lab_result *r, const unsigned char *p, size_t n)
{
    size_t k = r->name_len - r->name_got;
    if (k > n)
        k = n;
    memcpy(r->name + r->name_got, p, k);
    r->name_got += k;
    r->len -= k;
    if (r->name_got == r->name_len) {
        r->name[r->name_len] = '\0';
        if (r_begin_file(r) < 0)
            return -1;
        r->state = R_DATA;
        if (r->len == 0 && r_end_file(r) < 0)
            return -1;
    }
    return (long)k;
}

static long r_data(struct lab_result *r, const unsigned char *p, size_t n)
{
    size_t k = r->len < (uint64_t)n ? (size_t)r->len : n;
    if (lab_stream_write(&r->st[r->cur], p, k) < 0)
        return r_fail(r, "output %s: %s", r->outs[r->cur].host_path, strerror(errno));
    r->sent[r->cur] += k;
    r->len -= k;
    if (r->len == 0 && r_end_file(r) < 0)
        return -1;
    return (long)k;
}

int lab_result_feed(struct lab_result *r, const void *buf, size_t len)
{
    static long (*const step[])(struct lab_result *, const unsigned char *, size_t) = {
        [R_MAGIC] = r_magic, [R_HDR] = r_hdr, [R_TEXT] = r_textbytes,
        [R_NAMELEN] = r_namelen, [R_NAME] = r_namebytes, [R_DATA] = r_data,
    };
    const unsigned char *p = buf;
    const unsigned char *end = p + len;

    while (p < end && r->state != R_DONE && r->state != R_ERROR) {
        long used = step[r->state](r, p, (size_t)(end - p));
        if (used < 0)
            return -1;
        p += used;
    }
    return r->state == R_DONE ? 1 : r->state == R_ERROR ? -1 : 0;
}

int lab_result_done(const struct lab_result *r) { return r->state == R_DONE; }
int lab_result_status(const struct lab_result *r) { return r->status; }
int lab_result_started(const struct lab_result *r) { return r->started; }
const char *lab_result_failure(const struct lab_result *r) { return r->failure; }
const char *lab_result_error(const struct lab_result *r)
{
    if (r->error[0])
        return r->error;
    if (r->state == R_DONE)
        return NULL;
    return r->state == R_MAGIC ? "the lab sent no result" : "the lab's result was cut short";
}
int lab_result_found(const struct lab_result *r, size_t i) { return i < r->n_outs && r->found[i]; }
