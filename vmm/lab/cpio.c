/* The per-run initramfs of the lab: a newc (cpio -H newc) writer for one
 * request, appended to the lab's base.cpio (see cpio.h). */
#include "cpio.h"
#include "base/errbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io.h"
#include "protocol.h"

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
    if (lab_write_all(c->fd, p, n) < 0) {
        errbuf_fail(c->err, c->errlen, "writing the lab initramfs: %s", strerror(errno));
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
        errbuf_fail(c->err, c->errlen, "%s: too large for the lab initramfs (max 4 GiB)", name);
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

/* 1 when dir is one of base.cpio's or was emitted already. */
static int cw_known_dir(const struct cpio *c, const char *dir)
{
    static const char *const base_dirs[] = { "bin", "dev", "proc", "sys", "tmp", "ntv", "lib", NULL };

    for (int i = 0; base_dirs[i]; i++)
        if (strcmp(dir, base_dirs[i]) == 0)
            return 1;
    for (size_t i = 0; i < c->ndirs; i++)
        if (strcmp(dir, c->dirs[i]) == 0)
            return 1;
    return 0;
}

/* Emits the parent directories of rel (except those present in base.cpio). */
static int cw_parents(struct cpio *c, const char *rel)
{
    char dir[PATH_MAX];
    const char *s = rel;

    for (;;) {
        const char *slash = strchr(s, '/');
        size_t l;

        if (!slash)
            return 0;
        l = (size_t)(slash - rel);
        memcpy(dir, rel, l);
        dir[l] = '\0';
        s = slash + 1;
        if (cw_known_dir(c, dir))
            continue;
        if (cw_header(c, dir, S_IFDIR | 0755, 0, 0) < 0)
            return -1;
        if (c->ndirs < 16 && l < sizeof c->dirs[0])
            strcpy(c->dirs[c->ndirs++], dir);
    }
}

/* Copies size bytes of fd (the input host_path) into the archive. */
static int cw_copy(struct cpio *c, int fd, const char *host_path, uint64_t size)
{
    char buf[65536];

    for (uint64_t left = size; left;) {
        ssize_t r = read(fd, buf, left < sizeof buf ? (size_t)left : sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            errbuf_fail(c->err, c->errlen, "lab input %s: %s", host_path,
                       r < 0 ? strerror(errno) : "file shrank while copying");
            return -1;
        }
        if (cw_write(c, buf, (size_t)r) < 0)
            return -1;
        left -= (uint64_t)r;
    }
    return 0;
}

/* One input file, under its lab path, with its mode bits. */
static int cw_file(struct cpio *c, const struct lab_file *f)
{
    const char *rel = lab_rel(f->lab_path);
    struct stat st;
    int fd, rc = -1;

    if (!f->host_path || !rel) {
        errbuf_fail(c->err, c->errlen, "bad lab input path '%s' (must be absolute, without . or ..)",
                   f->lab_path ? f->lab_path : "(null)");
        return -1;
    }
    fd = open(f->host_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        errbuf_fail(c->err, c->errlen, "lab input %s: %s", f->host_path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        errbuf_fail(c->err, c->errlen, "lab input %s: not a regular file", f->host_path);
        close(fd);
        return -1;
    }
    if (cw_parents(c, rel) == 0 &&
        cw_header(c, rel, S_IFREG | (st.st_mode & 07777), (uint64_t)st.st_size, (long)st.st_mtime) == 0 &&
        cw_copy(c, fd, f->host_path, (uint64_t)st.st_size) == 0)
        rc = cw_pad(c);
    close(fd);
    return rc;
}

/* A file of NUL-terminated strings: v (NULL-terminated, may be NULL), or, when
 * v is NULL and outs is not, the outputs' lab paths. */
static int cw_list(struct cpio *c, const char *path, char *const *v, const struct lab_file *outs, size_t n_outs)
{
    size_t n = 0, k = 0, count = 0;
    char *buf;
    int rc;

    for (size_t i = 0; v ? v[i] != NULL : i < n_outs; i++, count++)
        n += strlen(v ? v[i] : outs[i].lab_path) + 1;
    buf = malloc(n ? n : 1);
    if (!buf) {
        errbuf_fail(c->err, c->errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        const char *s = v ? v[i] : outs[i].lab_path;
        size_t l = strlen(s) + 1;
        memcpy(buf + k, s, l);
        k += l;
    }
    rc = cw_data(c, path + 1, 0644, buf, n);
    free(buf);
    return rc;
}

/* Every output must name a host file and a clean absolute lab path. */
static int check_outputs(const struct lab_request *req, char *err, size_t errlen)
{
    for (size_t i = 0; i < req->n_outputs; i++) {
        const struct lab_file *o = &req->outputs[i];
        if (!o->host_path || !lab_rel(o->lab_path) || strlen(o->lab_path) > LAB_MAX_NAME) {
            errbuf_fail(err, errlen, "bad lab output path '%s' (must be absolute, without . or ..)",
                       o->lab_path ? o->lab_path : "(null)");
            return -1;
        }
    }
    return 0;
}

int lab_cpio_write_request(int fd, const struct lab_request *req, char *err, size_t errlen)
{
    static char *const none[] = { NULL };
    struct cpio *c = calloc(1, sizeof *c);
    int rc = -1;

    if (!c) {
        errbuf_fail(err, errlen, "out of memory");
        return -1;
    }
    *c = (struct cpio){ .fd = fd, .err = err, .errlen = errlen,
                        .ino = 0x4e540000u };   /* away from base.cpio's inode numbers */
    if (!req->argv || !req->argv[0]) {
        errbuf_fail(err, errlen, "lab: empty command");
        goto out;
    }
    for (size_t i = 0; i < req->n_inputs; i++)
        if (cw_file(c, &req->inputs[i]) < 0)
            goto out;
    if (cw_list(c, LAB_ARGV_PATH, req->argv, NULL, 0) < 0 ||
        cw_list(c, LAB_ENV_PATH, req->env ? req->env : none, NULL, 0) < 0 ||
        check_outputs(req, err, errlen) < 0 || cw_list(c, LAB_OUTPUTS_PATH, NULL, req->outputs, req->n_outputs) < 0 ||
        cw_header(c, "TRAILER!!!", 0, 0, 0) < 0)
        goto out;
    rc = 0;
out:
    free(c);
    return rc;
}

/* Appends the whole file src_path to fd. */
static int copy_base(int dst, const char *src_path, char *err, size_t errlen)
{
    char buf[65536];
    int fd = open(src_path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        errbuf_fail(err, errlen, "%s: %s (run `make lab`)", src_path, strerror(errno));
        return -1;
    }
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            errbuf_fail(err, errlen, "%s: %s", src_path, strerror(errno));
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        if (lab_write_all(dst, buf, (size_t)r) < 0) {
            errbuf_fail(err, errlen, "writing the lab initramfs: %s", strerror(errno));
            close(fd);
            return -1;
        }
    }
    close(fd);
    return 0;
}

int lab_initrd_write(const char *path, const struct lab_request *req, char *err, size_t errlen)
{
    char *base = lab_path_join(req->lab_dir, "base.cpio");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = -1;
    off_t off;

    if (fd < 0 || !base) {
        errbuf_fail(err, errlen, "creating %s: %s", path, strerror(errno));
        goto out;
    }
    if (copy_base(fd, base, err, errlen) < 0)
        goto out;
    off = lseek(fd, 0, SEEK_END);
    if (off & 3) {                  /* the next archive must start 4-aligned */
        static const char zero[4];
        if (lab_write_all(fd, zero, 4 - (size_t)(off & 3)) < 0) {
            errbuf_fail(err, errlen, "writing %s: %s", path, strerror(errno));
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
