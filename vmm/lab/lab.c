/* Host side of the SVM lab: boots the lab VM under qemu-system-x86_64 with
 * a per-run initramfs, streams the command's stdout/stderr, forwards
 * SIGINT/SIGTERM, and parses the framed result (see lab.h). */
#define _GNU_SOURCE
#include "lab.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LAB_DEFAULT_MIB   512u
#define LAB_CONSOLE_TAIL  30
#define LAB_APPEND "console=ttyS0 quiet panic=-1 mitigations=off rdinit=/init"

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                struct pollfd pf = { fd, POLLOUT, 0 };
                poll(&pf, 1, 100);
                continue;
            }
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);

    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int is_regular(const char *dir, const char *name)
{
    char *p = path_join(dir, name);
    struct stat st;
    int ok = p && stat(p, &st) == 0 && S_ISREG(st.st_mode);

    free(p);
    return ok;
}

int lab_is_built(const char *lab_dir)
{
    return lab_dir && *lab_dir && is_regular(lab_dir, ".stamp") &&
           is_regular(lab_dir, "vmlinux") && is_regular(lab_dir, "base.cpio");
}

/* ======================= newc cpio writer ============================= */

struct cpio {
    int fd;
    unsigned ino;
    char *err;
    size_t errlen;
    uint64_t off;
    char dirs[16][256];             /* directories already emitted */
    size_t ndirs;
};

static int cw_write(struct cpio *c, const void *p, size_t n)
{
    if (write_all(c->fd, p, n) < 0) {
        seterr(c->err, c->errlen, "writing the lab initramfs: %s", strerror(errno));
        return -1;
    }
    c->off += n;
    return 0;
}

static int cw_pad(struct cpio *c)
{
    static const char zero[4];
    size_t pad = (4 - (c->off & 3)) & 3;

    return pad ? cw_write(c, zero, pad) : 0;
}

static int cw_header(struct cpio *c, const char *name, unsigned mode, uint64_t size, long mtime)
{
    char hdr[111];
    size_t nlen = strlen(name) + 1;

    if (size > 0xffffffffull) {
        seterr(c->err, c->errlen, "%s: too large for the lab initramfs (max 4 GiB)", name);
        return -1;
    }
    snprintf(hdr, sizeof hdr, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
             ++c->ino, mode, 0u, 0u, (mode & S_IFMT) == S_IFDIR ? 2u : 1u,
             (unsigned)(mtime < 0 ? 0 : (unsigned long)mtime & 0xffffffffu), (unsigned)size,
             0u, 0u, 0u, 0u, (unsigned)nlen, 0u);
    if (cw_write(c, hdr, 110) < 0 || cw_write(c, name, nlen) < 0)
        return -1;
    return cw_pad(c);
}

static int cw_data(struct cpio *c, const char *name, unsigned mode, const void *data, size_t size)
{
    if (cw_header(c, name, S_IFREG | (mode & 07777), size, 0) < 0)
        return -1;
    if (size && cw_write(c, data, size) < 0)
        return -1;
    return cw_pad(c);
}

/* Checks an absolute lab path and returns it without the leading slashes,
 * or NULL if it is unacceptable. */
static const char *lab_rel(const char *p)
{
    const char *s;

    if (!p || p[0] != '/')
        return NULL;
    while (*p == '/')
        p++;
    if (!*p || strlen(p) >= PATH_MAX)
        return NULL;
    for (s = p; *s;) {
        size_t l = strcspn(s, "/");
        if (l == 0 || (l == 1 && s[0] == '.') || (l == 2 && s[0] == '.' && s[1] == '.'))
            return NULL;            /* empty, "." or ".." component */
        s += l;
        if (*s == '/') {
            s++;
            if (!*s)
                return NULL;        /* trailing slash */
        }
    }
    return p;
}

/* Emits the parent directories of rel (except those present in base.cpio). */
static int cw_parents(struct cpio *c, const char *rel)
{
    static const char *const base_dirs[] = { "bin", "dev", "proc", "sys", "tmp", "ntv", "lib", NULL };
    char dir[PATH_MAX];
    const char *s = rel;

    for (;;) {
        const char *slash = strchr(s, '/');
        size_t l;
        int known = 0;

        if (!slash)
            return 0;
        l = (size_t)(slash - rel);
        memcpy(dir, rel, l);
        dir[l] = '\0';
        s = slash + 1;
        for (int i = 0; base_dirs[i]; i++)
            known |= strcmp(dir, base_dirs[i]) == 0;
        for (size_t i = 0; i < c->ndirs && !known; i++)
            known |= strcmp(dir, c->dirs[i]) == 0;
        if (known)
            continue;
        if (cw_header(c, dir, S_IFDIR | 0755, 0, 0) < 0)
            return -1;
        if (c->ndirs < 16 && l < sizeof c->dirs[0])
            strcpy(c->dirs[c->ndirs++], dir);
    }
}

static int cw_file(struct cpio *c, const struct lab_file *f)
{
    const char *rel = lab_rel(f->lab_path);
    struct stat st;
    char buf[65536];
    uint64_t left;
    int fd;

    if (!f->host_path || !rel) {
        seterr(c->err, c->errlen, "bad lab input path '%s' (must be absolute, without . or ..)",
               f->lab_path ? f->lab_path : "(null)");
        return -1;
    }
    fd = open(f->host_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        seterr(c->err, c->errlen, "lab input %s: %s", f->host_path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        seterr(c->err, c->errlen, "lab input %s: not a regular file", f->host_path);
        close(fd);
        return -1;
    }
    if (cw_parents(c, rel) < 0 ||
        cw_header(c, rel, S_IFREG | (st.st_mode & 07777), (uint64_t)st.st_size, (long)st.st_mtime) < 0)
        goto fail;
    for (left = (uint64_t)st.st_size; left;) {
        ssize_t r = read(fd, buf, left < sizeof buf ? (size_t)left : sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            seterr(c->err, c->errlen, "lab input %s: %s", f->host_path,
                   r < 0 ? strerror(errno) : "file shrank while copying");
            goto fail;
        }
        if (cw_write(c, buf, (size_t)r) < 0)
            goto fail;
        left -= (uint64_t)r;
    }
    close(fd);
    return cw_pad(c);
fail:
    close(fd);
    return -1;
}

/* Concatenates NULL-terminated (or counted) strings, each with its NUL. */
static char *nul_list(char *const *v, size_t *len)
{
    size_t n = 0, k = 0;
    char *buf;

    for (size_t i = 0; v && v[i]; i++)
        n += strlen(v[i]) + 1;
    buf = malloc(n ? n : 1);
    if (!buf)
        return NULL;
    for (size_t i = 0; v && v[i]; i++) {
        size_t l = strlen(v[i]) + 1;
        memcpy(buf + k, v[i], l);
        k += l;
    }
    *len = n;
    return buf;
}

int lab_cpio_write_request(int fd, const struct lab_request *req, char *err, size_t errlen)
{
    struct cpio *c = calloc(1, sizeof *c);
    char *buf = NULL;
    size_t len = 0;
    int rc = -1;

    if (!c) {
        seterr(err, errlen, "out of memory");
        return -1;
    }
    c->fd = fd;
    c->err = err;
    c->errlen = errlen;
    c->ino = 0x4e540000u;           /* away from base.cpio's inode numbers */
    if (!req->argv || !req->argv[0]) {
        seterr(err, errlen, "lab: empty command");
        goto out;
    }
    for (size_t i = 0; i < req->n_inputs; i++)
        if (cw_file(c, &req->inputs[i]) < 0)
            goto out;

    if (!(buf = nul_list(req->argv, &len)) || cw_data(c, LAB_ARGV_PATH + 1, 0644, buf, len) < 0)
        goto oom_or_out;
    free(buf);
    if (!(buf = nul_list(req->env, &len)) || cw_data(c, LAB_ENV_PATH + 1, 0644, buf, len) < 0)
        goto oom_or_out;
    free(buf);
    buf = NULL;
    {
        size_t n = 0, k = 0;
        for (size_t i = 0; i < req->n_outputs; i++) {
            if (!req->outputs[i].host_path || !lab_rel(req->outputs[i].lab_path) ||
                strlen(req->outputs[i].lab_path) > LAB_MAX_NAME) {
                seterr(err, errlen, "bad lab output path '%s' (must be absolute, without . or ..)",
                       req->outputs[i].lab_path ? req->outputs[i].lab_path : "(null)");
                goto out;
            }
            n += strlen(req->outputs[i].lab_path) + 1;
        }
        if (!(buf = malloc(n ? n : 1)))
            goto oom_or_out;
        for (size_t i = 0; i < req->n_outputs; i++) {
            size_t l = strlen(req->outputs[i].lab_path) + 1;
            memcpy(buf + k, req->outputs[i].lab_path, l);
            k += l;
        }
        if (cw_data(c, LAB_OUTPUTS_PATH + 1, 0644, buf, n) < 0)
            goto out;
    }
    if (cw_header(c, "TRAILER!!!", 0, 0, 0) < 0)
        goto out;
    rc = 0;
    goto out;
oom_or_out:
    if (!buf)
        seterr(err, errlen, "out of memory");
out:
    free(buf);
    free(c);
    return rc;
}

/* ======================= result parser ================================ */

enum { R_MAGIC, R_HDR, R_TEXT, R_NAMELEN, R_NAME, R_DATA, R_DONE, R_ERROR };

#define LAB_MAX_JUNK 4096u

struct lab_result {
    const struct lab_file *outs;
    size_t n_outs;
    unsigned char *found;
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
    size_t cur;                     /* output index of the FILE record */
    int fd;
    char *tmp;
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
    r->found = calloc(n_outputs ? n_outputs : 1, 1);
    if (!r->found) {
        free(r);
        return NULL;
    }
    r->outs = outputs;
    r->n_outs = n_outputs;
    r->fd = -1;
    r->status = -1;
    return r;
}

static void drop_tmp(struct lab_result *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    if (r->tmp) {
        unlink(r->tmp);
        free(r->tmp);
        r->tmp = NULL;
    }
}

void lab_result_free(struct lab_result *r)
{
    if (!r)
        return;
    drop_tmp(r);
    free(r->found);
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
    drop_tmp(r);
    r->state = R_ERROR;
    return -1;
}

static int r_begin_file(struct lab_result *r)
{
    const char *host;
    mode_t um;
    size_t i;

    for (i = 0; i < r->n_outs; i++)
        if (r->outs[i].lab_path && strlen(r->outs[i].lab_path) == r->name_len &&
            memcmp(r->outs[i].lab_path, r->name, r->name_len) == 0)
            break;
    if (i == r->n_outs)
        return r_fail(r, "lab result: unrequested output file");
    if (r->found[i])
        return r_fail(r, "lab result: output %s sent twice", r->outs[i].lab_path);
    r->cur = i;
    host = r->outs[i].host_path;
    r->tmp = malloc(strlen(host) + 16);
    if (!r->tmp)
        return r_fail(r, "out of memory");
    sprintf(r->tmp, "%s.labtmp.XXXXXX", host);
    r->fd = mkostemp(r->tmp, O_CLOEXEC);
    if (r->fd < 0) {
        int e = errno;
        free(r->tmp);
        r->tmp = NULL;
        return r_fail(r, "output %s: %s", host, strerror(e));
    }
    um = umask(0);
    umask(um);
    fchmod(r->fd, 0666 & ~um);
    return 0;
}

static int r_end_file(struct lab_result *r)
{
    const char *host = r->outs[r->cur].host_path;

    if (close(r->fd) < 0) {
        r->fd = -1;
        return r_fail(r, "output %s: %s", host, strerror(errno));
    }
    r->fd = -1;
    if (rename(r->tmp, host) < 0)
        return r_fail(r, "output %s: %s", host, strerror(errno));
    free(r->tmp);
    r->tmp = NULL;
    r->found[r->cur] = 1;
    r->state = R_HDR;
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
    } else if (!strcmp(r->tag, "FILE")) {
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

int lab_result_feed(struct lab_result *r, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    const unsigned char *end = p + len;

    while (p < end) {
        switch (r->state) {
        case R_DONE:
            return 1;
        case R_ERROR:
            return -1;
        case R_MAGIC: {
            unsigned char b = *p++;
            if (b == (unsigned char)LAB_MAGIC[r->magic_got]) {
                if (++r->magic_got == LAB_MAGIC_LEN)
                    r->state = R_HDR;
            } else {
                /* 'N' occurs only first in the magic: a restart is exact */
                r->magic_got = b == (unsigned char)LAB_MAGIC[0];
                if (++r->junk > LAB_MAX_JUNK)
                    return r_fail(r, "lab result: no result header in the channel");
            }
            break;
        }
        case R_HDR: {
            size_t k = sizeof r->hdr - r->hdr_got;
            if (k > (size_t)(end - p))
                k = (size_t)(end - p);
            memcpy(r->hdr + r->hdr_got, p, k);
            r->hdr_got += k;
            p += k;
            if (r->hdr_got == sizeof r->hdr) {
                int h = r_header(r);
                if (h < 0)
                    return -1;
                if (h == 1 && r_text_done(r) < 0)
                    return -1;
            }
            break;
        }
        case R_TEXT: {
            size_t k = (size_t)r->len;
            if (k > (size_t)(end - p))
                k = (size_t)(end - p);
            memcpy(r->text + r->text_got, p, k);
            r->text_got += k;
            r->len -= k;
            p += k;
            if (r->len == 0 && r_text_done(r) < 0)
                return -1;
            break;
        }
        case R_NAMELEN:
            r->nl[r->nl_got++] = *p++;
            r->len--;
            if (r->nl_got == 4) {
                uint64_t nl = get_le(r->nl, 4);
                if (nl == 0 || nl > LAB_MAX_NAME || nl > r->len)
                    return r_fail(r, "lab result: bad output file name length");
                r->name_len = (uint32_t)nl;
                r->name_got = 0;
                r->state = R_NAME;
            }
            break;
        case R_NAME: {
            size_t k = r->name_len - r->name_got;
            if (k > (size_t)(end - p))
                k = (size_t)(end - p);
            memcpy(r->name + r->name_got, p, k);
            r->name_got += k;
            r->len -= k;
            p += k;
            if (r->name_got == r->name_len) {
                r->name[r->name_len] = '\0';
                if (r_begin_file(r) < 0)
                    return -1;
                r->state = R_DATA;
                if (r->len == 0 && r_end_file(r) < 0)
                    return -1;
            }
            break;
        }
        case R_DATA: {
            size_t k = r->len < (uint64_t)(end - p) ? (size_t)r->len : (size_t)(end - p);
            if (write_all(r->fd, p, k) < 0)
                return r_fail(r, "output %s: %s", r->outs[r->cur].host_path, strerror(errno));
            r->len -= k;
            p += k;
            if (r->len == 0 && r_end_file(r) < 0)
                return -1;
            break;
        }
        }
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

/* ======================= running QEMU ================================= */

/* One lab_run at a time per process: the signal handlers use this. */
static int sig_pipe_w = -1;

static void on_signal(int sig)
{
    int e = errno;
    char b = sig == SIGINT ? LAB_SIG_INT : LAB_SIG_TERM;

    if (sig_pipe_w >= 0 && write(sig_pipe_w, &b, 1) < 0) {
        /* nothing to do */
    }
    errno = e;
}

static double now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Prints the last lines of the lab console (and QEMU's own messages). */
static void show_tail(const char *path, const char *title, int lines)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char *buf;
    off_t size;
    size_t n = 0, start;
    int seen = 0;

    if (fd < 0)
        return;
    size = lseek(fd, 0, SEEK_END);
    if (size <= 0) {
        close(fd);
        return;
    }
    if (size > 65536) {
        lseek(fd, size - 65536, SEEK_SET);
        size = 65536;
    } else {
        lseek(fd, 0, SEEK_SET);
    }
    buf = malloc((size_t)size + 1);
    if (!buf) {
        close(fd);
        return;
    }
    while (n < (size_t)size) {
        ssize_t r = read(fd, buf + n, (size_t)size - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    {
        size_t k = 0;                   /* drop \r */
        for (size_t i = 0; i < n; i++)
            if (buf[i] != '\r')
                buf[k++] = buf[i];
        n = k;
    }
    start = n;
    if (start && buf[start - 1] == '\n')
        start--;
    while (start > 0) {
        if (buf[start - 1] == '\n' && ++seen >= lines)
            break;
        start--;
    }
    dprintf(2, "---- %s (last %d lines) ----\n", title, lines);
    write_all(2, buf + start, n - start);
    if (n && buf[n - 1] != '\n')
        write_all(2, "\n", 1);
    dprintf(2, "---- end of %s ----\n", title);
    free(buf);
}

/* First line of QEMU's own stderr, for the one-line error. */
static void first_line(const char *path, char *out, size_t outlen)
{
    FILE *f = fopen(path, "re");

    out[0] = '\0';
    if (!f)
        return;
    if (fgets(out, (int)outlen, f))
        out[strcspn(out, "\r\n")] = '\0';
    fclose(f);
}

static int copy_fd(int dst, const char *src_path, char *err, size_t errlen)
{
    char buf[65536];
    int fd = open(src_path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        seterr(err, errlen, "%s: %s (run `make lab`)", src_path, strerror(errno));
        return -1;
    }
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            seterr(err, errlen, "%s: %s", src_path, strerror(errno));
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        if (write_all(dst, buf, (size_t)r) < 0) {
            seterr(err, errlen, "writing the lab initramfs: %s", strerror(errno));
            close(fd);
            return -1;
        }
    }
    close(fd);
    return 0;
}

struct run {
    char dir[PATH_MAX - 64];
    char cpio[PATH_MAX], console[PATH_MAX], qlog[PATH_MAX];
};

static void cleanup_dir(struct run *rn)
{
    unlink(rn->cpio);
    unlink(rn->console);
    unlink(rn->qlog);
    rmdir(rn->dir);
}

static int make_initrd(struct run *rn, const struct lab_request *req, char *err, size_t errlen)
{
    char *base = path_join(req->lab_dir, "base.cpio");
    int fd = open(rn->cpio, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = -1;
    off_t off;

    if (fd < 0 || !base) {
        seterr(err, errlen, "creating %s: %s", rn->cpio, strerror(errno));
        goto out;
    }
    if (copy_fd(fd, base, err, errlen) < 0)
        goto out;
    off = lseek(fd, 0, SEEK_END);
    if (off & 3) {                  /* the next archive must start 4-aligned */
        static const char zero[4];
        if (write_all(fd, zero, 4 - (size_t)(off & 3)) < 0) {
            seterr(err, errlen, "writing %s: %s", rn->cpio, strerror(errno));
            goto out;
        }
    }
    rc = lab_cpio_write_request(fd, req, err, errlen);
out:
    if (fd >= 0)
        close(fd);
    free(base);
    return rc;
}

int lab_run(const struct lab_request *req, int *status, char *err, size_t errlen)
{
    struct run rn;
    const char *tmpdir = getenv("TMPDIR");
    const char *qemu = req->qemu ? req->qemu : "qemu-system-x86_64";
    int sv[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
    int sigp[2] = { -1, -1 }, errp[2] = { -1, -1 };
    struct sigaction sa, old_int, old_term;
    struct lab_result *res = NULL;
    int handlers = 0, rc = -1, nsig = 0, killed = 0, timed_out = 0, rejected = 0, wst = 0;
    int open_s[3] = { 1, 1, 1 };
    char pending[16];               /* signal bytes held until the command started */
    size_t npending = 0;
    pid_t pid = -1;
    double deadline = 0, done_at = 0;
    char reason[512] = "";

    if (status)
        *status = -1;
    if (err && errlen)
        err[0] = '\0';
    if (!req || !req->argv || !req->argv[0]) {
        seterr(err, errlen, "lab: no command given");
        return -1;
    }
    if (!lab_is_built(req->lab_dir)) {
        seterr(err, errlen, "the SVM lab is not built in %s: run `make lab` first",
               req->lab_dir ? req->lab_dir : "(no lab directory)");
        return -1;
    }
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    if ((size_t)snprintf(rn.dir, sizeof rn.dir, "%s/ntvisor-lab.XXXXXX", tmpdir) >= sizeof rn.dir - 32 ||
        !mkdtemp(rn.dir)) {
        seterr(err, errlen, "cannot create a temporary directory in %s: %s", tmpdir, strerror(errno));
        return -1;
    }
    snprintf(rn.cpio, sizeof rn.cpio, "%s/run.cpio", rn.dir);
    snprintf(rn.console, sizeof rn.console, "%s/console.log", rn.dir);
    snprintf(rn.qlog, sizeof rn.qlog, "%s/qemu.log", rn.dir);

    if (make_initrd(&rn, req, err, errlen) < 0)
        goto out;
    res = lab_result_new(req->outputs, req->n_outputs);
    if (!res) {
        seterr(err, errlen, "out of memory");
        goto out;
    }
    for (int i = 0; i < 3; i++)
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv[i]) < 0) {
            seterr(err, errlen, "socketpair: %s", strerror(errno));
            goto out;
        }
    if (pipe2(sigp, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
        seterr(err, errlen, "pipe: %s", strerror(errno));
        goto out;
    }

    {
        char mem[32], kernel[PATH_MAX], initrd[PATH_MAX + 16], c0[PATH_MAX + 64], cs[3][64];
        char *args[48];
        int a = 0;

        snprintf(mem, sizeof mem, "%u", req->memory_mib ? req->memory_mib : LAB_DEFAULT_MIB);
        snprintf(kernel, sizeof kernel, "%s/vmlinux", req->lab_dir);
        snprintf(initrd, sizeof initrd, "%s", rn.cpio);
        snprintf(c0, sizeof c0, "file,id=c0,path=%s", rn.console);
        for (int i = 0; i < 3; i++)
            snprintf(cs[i], sizeof cs[i], "socket,id=c%d,fd=%d", i + 1, sv[i][1]);
        args[a++] = (char *)qemu;
        args[a++] = "-accel"; args[a++] = "tcg";
        args[a++] = "-cpu"; args[a++] = "max";
        args[a++] = "-m"; args[a++] = mem;
        args[a++] = "-smp"; args[a++] = "1";
        args[a++] = "-nodefaults";
        args[a++] = "-no-user-config";
        args[a++] = "-display"; args[a++] = "none";
        args[a++] = "-monitor"; args[a++] = "none";
        args[a++] = "-no-reboot";
        args[a++] = "-nic"; args[a++] = "none";
        args[a++] = "-kernel"; args[a++] = kernel;
        args[a++] = "-initrd"; args[a++] = initrd;
        args[a++] = "-append"; args[a++] = LAB_APPEND;
        args[a++] = "-chardev"; args[a++] = c0;
        args[a++] = "-serial"; args[a++] = "chardev:c0";
        for (int i = 0; i < 3; i++) {
            static char *const ser[3] = { "chardev:c1", "chardev:c2", "chardev:c3" };
            args[a++] = "-chardev"; args[a++] = cs[i];
            args[a++] = "-serial"; args[a++] = ser[i];
        }
        args[a] = NULL;

        fflush(NULL);
        pid = fork();
        if (pid < 0) {
            seterr(err, errlen, "fork: %s", strerror(errno));
            goto out;
        }
        if (pid == 0) {
            int e, nul, log;
            sigset_t none;

            setpgid(0, 0);          /* a terminal's ^C goes to us, not to QEMU */
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, NULL);
            signal(SIGPIPE, SIG_DFL);
            nul = open("/dev/null", O_RDONLY);
            log = open(rn.qlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (nul >= 0)
                dup2(nul, 0);
            if (log >= 0) {
                dup2(log, 1);
                dup2(log, 2);
            }
            for (int i = 0; i < 3; i++)
                fcntl(sv[i][1], F_SETFD, 0);
            execvp(qemu, args);
            e = errno;
            if (write(errp[1], &e, sizeof e) < 0)
                _exit(127);
            _exit(127);
        }
    }
    close(errp[1]);
    errp[1] = -1;
    for (int i = 0; i < 3; i++) {
        close(sv[i][1]);
        sv[i][1] = -1;
    }
    {
        int e = 0;
        ssize_t r;
        while ((r = read(errp[0], &e, sizeof e)) < 0 && errno == EINTR)
            ;
        if (r == (ssize_t)sizeof e) {
            seterr(err, errlen, "cannot run %s: %s%s", qemu, strerror(e),
                   e == ENOENT ? " (install qemu-system-x86, see scripts/install-deps.sh)" : "");
            waitpid(pid, NULL, 0);
            pid = -1;
            goto out;
        }
    }

    sig_pipe_w = sigp[1];
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    handlers = 1;
    if (req->timeout_sec)
        deadline = now_sec() + req->timeout_sec;

    while (open_s[0] || open_s[1] || open_s[2]) {
        struct pollfd p[4];
        int timeout = -1;
        char buf[65536];

        for (int i = 0; i < 3; i++) {
            p[i].fd = open_s[i] ? sv[i][0] : -1;
            p[i].events = POLLIN;
            p[i].revents = 0;
        }
        p[3].fd = sigp[0];
        p[3].events = POLLIN;
        p[3].revents = 0;
        if (deadline || done_at) {
            double t = now_sec();
            double lim = deadline ? deadline : t + 1e9;
            if (done_at && done_at + 30 < lim)
                lim = done_at + 30;  /* result complete: QEMU should power off soon */
            if (t >= lim) {
                if (!done_at || !lab_result_done(res))
                    timed_out = 1;
                kill(pid, SIGKILL);
                killed = 1;
                deadline = done_at = 0;
                continue;
            }
            timeout = (int)((lim - t) * 1000) + 1;
        }
        if (poll(p, 4, timeout) < 0) {
            if (errno == EINTR)
                continue;
            seterr(err, errlen, "poll: %s", strerror(errno));
            kill(pid, SIGKILL);
            killed = 1;
            break;
        }
        for (int i = 0; i < 3; i++) {
            ssize_t n;
            if (!open_s[i] || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            n = read(sv[i][0], buf, sizeof buf);
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n <= 0) {
                open_s[i] = 0;
                continue;
            }
            if (i < 2) {
                write_all(i + 1, buf, (size_t)n);   /* the command's stdout/stderr */
            } else {
                int f = lab_result_feed(res, buf, (size_t)n);
                if (f < 0 && !killed) {
                    kill(pid, SIGKILL);             /* garbage: stop the VM */
                    killed = 1;
                    rejected = 1;
                } else if (f == 1 && !done_at) {
                    done_at = now_sec();
                }
                if (npending && lab_result_started(res)) {
                    send(sv[2][0], pending, npending, MSG_NOSIGNAL);
                    npending = 0;
                }
            }
        }
        if (p[3].revents & POLLIN) {
            char b[16];
            ssize_t n = read(sigp[0], b, sizeof b);
            for (ssize_t i = 0; i < n; i++) {
                if (++nsig >= 3 && !killed) {
                    snprintf(reason, sizeof reason, "interrupted");
                    kill(pid, SIGKILL);
                    killed = 1;
                } else if (open_s[2] && lab_result_started(res)) {
                    send(sv[2][0], &b[i], 1, MSG_NOSIGNAL);
                } else if (npending < sizeof pending) {
                    pending[npending++] = b[i];
                }
            }
        }
    }
    while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
        ;
    pid = -1;

    if (lab_result_failure(res)) {
        seterr(err, errlen, "lab failure: %s", lab_result_failure(res));
    } else if (lab_result_done(res) && lab_result_status(res) >= 0) {
        if (status)
            *status = lab_result_status(res);
        rc = 0;
    } else if (lab_result_done(res)) {
        seterr(err, errlen, "lab failure: the result had no exit status");
    } else {
        char q[256];
        first_line(rn.qlog, q, sizeof q);
        if (reason[0])
            seterr(err, errlen, "lab failure: %s", reason);
        else if (rejected)
            seterr(err, errlen, "lab failure: %s", lab_result_error(res));
        else if (timed_out)
            seterr(err, errlen, "lab failure: no result within %u s (VM killed)", req->timeout_sec);
        else if (q[0])
            seterr(err, errlen, "lab failure: %s", q);
        else if (WIFSIGNALED(wst))
            seterr(err, errlen, "lab failure: QEMU killed by signal %d: %s", WTERMSIG(wst),
                   lab_result_error(res));
        else
            seterr(err, errlen, "lab failure: the VM stopped (QEMU exit status %d): %s",
                   WEXITSTATUS(wst), lab_result_error(res));
    }
    if (rc != 0) {
        show_tail(rn.console, "lab console", LAB_CONSOLE_TAIL);
        show_tail(rn.qlog, "qemu messages", 10);
    }
    if (req->output_found)
        for (size_t i = 0; i < req->n_outputs; i++)
            req->output_found[i] = (unsigned char)lab_result_found(res, i);

out:
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    if (handlers) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        sig_pipe_w = -1;
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++)
            if (sv[i][j] >= 0)
                close(sv[i][j]);
    for (int j = 0; j < 2; j++) {
        if (sigp[j] >= 0)
            close(sigp[j]);
        if (errp[j] >= 0)
            close(errp[j]);
    }
    if (rc != 0 && req->output_found)
        for (size_t i = 0; i < req->n_outputs; i++)
            req->output_found[i] = res ? (unsigned char)lab_result_found(res, i) : 0;
    lab_result_free(res);
    cleanup_dir(&rn);
    return rc;
}
