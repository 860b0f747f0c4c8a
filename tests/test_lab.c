/* Check suite for the SVM lab (vmm/lab/): unit tests of the cpio writer and the result
 * parser (hostile input), and tests that boot the real SVM lab.
 * The lab directory comes from $NTVISOR_LAB_DIR (set by `make test-lab`);
 * without it the boot tests fail with a hint. */
#define _GNU_SOURCE
#include <check.h>
#include "check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab_frames.h"
#include "vmm/lab/cpio.h"
#include "vmm/lab/lab.h"
#include "vmm/lab/protocol.h"
#include "vmm/lab/result.h"

/* ---------------------------------------------------------------- helpers */

static char tmpdir[256];

static void make_tmpdir(void) { scratch_make(tmpdir, sizeof tmpdir, "test_lab"); }
static void rm_tmpdir(void) { scratch_remove(tmpdir); }
static char *tpath(const char *name) { return scratch_path(tmpdir, name); }

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    ck_assert_int_eq(fchmod(fd, mode), 0);
    close(fd);
}

/* Reads a whole file; returns NULL if absent. */
static char *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    char *buf;
    size_t cap = 1 << 16, n = 0;
    ssize_t r;

    if (fd < 0)
        return NULL;
    buf = malloc(cap);
    while ((r = read(fd, buf + n, cap - n)) > 0) {
        n += (size_t)r;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    close(fd);
    *len = n;
    return buf;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static size_t count_tmp_leftovers(void)
{
    char cmd[512];
    FILE *f;
    size_t n = 0;
    char line[1024];

    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c labtmp", tmpdir);
    f = popen(cmd, "r");
    if (f && fgets(line, sizeof line, f))
        n = strtoul(line, NULL, 10);
    if (f)
        pclose(f);
    return n;
}

/* ------------------------------------------------------ cpio writer tests */

struct entry { char name[256]; unsigned mode; size_t size; const unsigned char *data; };

static unsigned hex8(const unsigned char *p)
{
    char b[9];
    memcpy(b, p, 8);
    b[8] = 0;
    return (unsigned)strtoul(b, NULL, 16);
}

/* Minimal newc reader; checks magic and 4-byte alignment. */
static size_t parse_newc(const unsigned char *a, size_t len, struct entry *e, size_t max)
{
    size_t off = 0, n = 0;

    for (;;) {
        unsigned namesize, size;
        ck_assert_uint_eq(off % 4, 0);
        ck_assert_uint_le(off + 110, len);
        ck_assert(memcmp(a + off, "070701", 6) == 0);
        e[n].mode = hex8(a + off + 14);
        size = hex8(a + off + 54);
        namesize = hex8(a + off + 94);
        ck_assert_uint_lt(namesize, sizeof e[n].name);
        memcpy(e[n].name, a + off + 110, namesize);
        ck_assert_int_eq(e[n].name[namesize - 1], 0);
        off = (off + 110 + namesize + 3) & ~(size_t)3;
        e[n].size = size;
        e[n].data = a + off;
        off = (off + size + 3) & ~(size_t)3;
        ck_assert_uint_le(off, len);
        if (!strcmp(e[n].name, "TRAILER!!!")) {
            ck_assert_uint_eq(off, len);
            return n;
        }
        ck_assert_uint_lt(++n, max);
    }
}

static const struct entry *find_entry(const struct entry *e, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(e[i].name, name))
            return &e[i];
    return NULL;
}

START_TEST(cpio_request_layout)
{
    char *argv[] = { "/bin/busybox", "a b", "", "'\"", NULL };
    char *env[] = { "FOO=bar baz", NULL };
    struct lab_file in[2], out[1];
    struct lab_request req = { 0 };
    struct entry e[32];
    char err[256];
    unsigned char *arch;
    size_t len, n;
    const struct entry *x;
    int fd;

    make_tmpdir();
    write_file(tpath("tool"), "#!/bin/sh\necho hi\n", 18, 0751);
    write_file(tpath("odd"), "abcde", 5, 0600);
    in[0] = (struct lab_file){ tpath("tool"), "/ntv/in/deep/tool" };
    in[1] = (struct lab_file){ tpath("odd"), "/tmp/odd" };
    out[0] = (struct lab_file){ tpath("o"), "/ntv/work/o.bin" };
    req.argv = argv;
    req.env = env;
    req.inputs = in;
    req.n_inputs = 2;
    req.outputs = out;
    req.n_outputs = 1;
    fd = open(tpath("req.cpio"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_eq(lab_cpio_write_request(fd, &req, err, sizeof err), 0);
    close(fd);
    arch = (unsigned char *)read_file(tpath("req.cpio"), &len);
    ck_assert_ptr_nonnull(arch);
    ck_assert_uint_eq(len % 4, 0);
    n = parse_newc(arch, len, e, 32);

    x = find_entry(e, n, "ntv/in");
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(x->mode, S_IFDIR | 0755);
    ck_assert_ptr_nonnull(find_entry(e, n, "ntv/in/deep"));
    ck_assert_ptr_null(find_entry(e, n, "ntv"));    /* base dirs keep their modes */
    ck_assert_ptr_null(find_entry(e, n, "tmp"));
    x = find_entry(e, n, "ntv/in/deep/tool");
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(x->mode, S_IFREG | 0751);
    ck_assert_uint_eq(x->size, 18);
    ck_assert(memcmp(x->data, "#!/bin/sh\necho hi\n", 18) == 0);
    x = find_entry(e, n, "tmp/odd");
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(x->size, 5);
    ck_assert(memcmp(x->data, "abcde", 5) == 0);
    x = find_entry(e, n, "ntv/argv");
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(x->size, 13 + 4 + 1 + 3);
    ck_assert(memcmp(x->data, "/bin/busybox\0a b\0\0'\"\0", 21) == 0);
    x = find_entry(e, n, "ntv/env");
    ck_assert_ptr_nonnull(x);
    ck_assert(x->size == 12 && memcmp(x->data, "FOO=bar baz\0", 12) == 0);
    x = find_entry(e, n, "ntv/outputs");
    ck_assert_ptr_nonnull(x);
    ck_assert(x->size == 16 && memcmp(x->data, "/ntv/work/o.bin\0", 16) == 0);
    free(arch);

    /* GNU cpio agrees (independent reader). */
    {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "cd '%s' && mkdir x && cd x && cpio -id --quiet < ../req.cpio "
                 "&& test -x ntv/in/deep/tool && cmp -s ntv/in/deep/tool ../tool", tmpdir);
        ck_assert_int_eq(system(cmd), 0);
    }
    rm_tmpdir();
}
END_TEST

START_TEST(cpio_rejects_bad_paths)
{
    static const char *bad[] = { "relative", "/a/../b", "/a/./b", "/", "//", "/a/", "/..", NULL };
    char *argv[] = { "/bin/true", NULL };
    char err[256];
    int fd;

    make_tmpdir();
    write_file(tpath("f"), "x", 1, 0644);
    fd = open(tpath("c"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    for (int i = 0; bad[i]; i++) {
        struct lab_file f = { tpath("f"), bad[i] };
        struct lab_request in = { .argv = argv, .inputs = &f, .n_inputs = 1 };
        struct lab_request out = { .argv = argv, .outputs = &f, .n_outputs = 1 };
        err[0] = 0;
        ck_assert_int_eq(lab_cpio_write_request(fd, &in, err, sizeof err), -1);
        ck_assert_msg(strstr(err, "bad lab input path"), "%s: %s", bad[i], err);
        ck_assert_int_eq(lab_cpio_write_request(fd, &out, err, sizeof err), -1);
        ck_assert_msg(strstr(err, "bad lab output path"), "%s: %s", bad[i], err);
    }
    {   /* missing input file, empty argv */
        struct lab_file f = { tpath("nope"), "/ntv/nope" };
        struct lab_request r = { .argv = argv, .inputs = &f, .n_inputs = 1 };
        char *none[] = { NULL };
        struct lab_request r2 = { .argv = none };
        ck_assert_int_eq(lab_cpio_write_request(fd, &r, err, sizeof err), -1);
        ck_assert_ptr_nonnull(strstr(err, "nope"));
        ck_assert_int_eq(lab_cpio_write_request(fd, &r2, err, sizeof err), -1);
    }
    close(fd);
    rm_tmpdir();
}
END_TEST

/* ---------------------------------------------------- result parser tests */

static struct lab_file pouts[2];

static void parser_setup(void)
{
    make_tmpdir();
    pouts[0] = (struct lab_file){ strdup(tpath("out0")), "/ntv/work/a" };
    pouts[1] = (struct lab_file){ strdup(tpath("out1")), "/ntv/work/b" };
}

static void parser_teardown(void)
{
    free((char *)pouts[0].host_path);
    free((char *)pouts[1].host_path);
    rm_tmpdir();
}

static void good_frame(struct frame *f)
{
    unsigned char bin[300];

    for (size_t i = 0; i < sizeof bin; i++)
        bin[i] = (unsigned char)i;
    f->n = 0;
    frame_raw(f, LAB_MAGIC, LAB_MAGIC_LEN);
    frame_rec(f, "STRT", 0, NULL, 0);
    frame_u32rec(f, "EXIT", 7);
    frame_named(f, "FILE", "/ntv/work/a", bin, sizeof bin);
    frame_rec(f, "DONE", 0, NULL, 0);
}

START_TEST(parser_good_bytewise)
{
    static struct frame f;
    struct lab_result *r = lab_result_new(pouts, 2);
    int rc = 0;
    size_t len;
    unsigned char *got;

    good_frame(&f);
    for (size_t i = 0; i < f.n && rc == 0; i++)
        rc = lab_result_feed(r, f.b + i, 1);
    ck_assert_int_eq(rc, 1);
    ck_assert_int_eq(lab_result_done(r), 1);
    ck_assert_int_eq(lab_result_status(r), 7);
    ck_assert_int_eq(lab_result_started(r), 1);
    ck_assert_ptr_null(lab_result_failure(r));
    ck_assert_int_eq(lab_result_found(r, 0), 1);
    ck_assert_int_eq(lab_result_found(r, 1), 0);
    ck_assert_int_eq(lab_result_feed(r, "garbage", 7), 1);     /* ignored after DONE */
    lab_result_free(r);
    got = (unsigned char *)read_file(pouts[0].host_path, &len);
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(len, 300);
    for (size_t i = 0; i < len; i++)
        ck_assert_uint_eq(got[i], (unsigned char)i);
    free(got);
    ck_assert(!exists(pouts[1].host_path));
    ck_assert_uint_eq(count_tmp_leftovers(), 0);
}
END_TEST

/* An output is written into the file the user named: through a symlink (which stays one), into a
   device as it is (never replaced by a renamed copy); a write error is the run's error. */
START_TEST(parser_writes_outputs_in_place)
{
    static struct frame f;
    char target[600], link[600];
    snprintf(target, sizeof target, "%s", tpath("target"));
    snprintf(link, sizeof link, "%s", tpath("link"));
    write_file(target, "keep", 4, 0644);
    ck_assert_int_eq(symlink(target, link), 0);
    struct lab_file outs[1] = { { link, "/ntv/work/a" } };
    struct lab_result *r = lab_result_new(outs, 1);
    good_frame(&f);
    ck_assert_int_eq(lab_result_feed(r, f.b, f.n), 1);
    lab_result_free(r);
    struct stat st;
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    size_t len;
    char *got = read_file(target, &len);
    ck_assert_uint_eq(len, 300);
    free(got);

    /* /dev/full: every write fails with ENOSPC, and the device is still a device */
    struct lab_file full[1] = { { "/dev/full", "/ntv/work/a" } };
    r = lab_result_new(full, 1);
    ck_assert_int_eq(lab_result_feed(r, f.b, f.n), -1);
    ck_assert_ptr_nonnull(strstr(lab_result_error(r), "output /dev/full: No space left on device"));
    lab_result_free(r);
    ck_assert_int_eq(stat("/dev/full", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
}
END_TEST

START_TEST(parser_truncated_everywhere)
{
    static struct frame f;

    good_frame(&f);
    for (size_t cut = 0; cut < f.n; cut++) {
        struct lab_result *r = lab_result_new(pouts, 2);
        ck_assert_int_eq(lab_result_feed(r, f.b, cut), 0);
        ck_assert_int_eq(lab_result_done(r), 0);
        ck_assert_ptr_nonnull(lab_result_error(r));
        lab_result_free(r);
        ck_assert_uint_eq(count_tmp_leftovers(), 0);
        if (exists(pouts[0].host_path)) {    /* written in place as it arrives: a prefix of the data */
            size_t len;
            unsigned char *got = (unsigned char *)read_file(pouts[0].host_path, &len);
            ck_assert_uint_le(len, 300);
            for (size_t i = 0; i < len; i++)
                ck_assert_uint_eq(got[i], (unsigned char)i);
            free(got);
        }
        unlink(pouts[0].host_path);
    }
}
END_TEST

static void expect_error(struct frame *f, const char *what)
{
    struct lab_result *r = lab_result_new(pouts, 2);
    ck_assert_msg(lab_result_feed(r, f->b, f->n) == -1, "accepted: %s", what);
    ck_assert_int_eq(lab_result_done(r), 0);
    ck_assert_ptr_nonnull(lab_result_error(r));
    /* and it stays failed */
    ck_assert_int_eq(lab_result_feed(r, "x", 1), -1);
    lab_result_free(r);
    ck_assert_msg(!exists(pouts[0].host_path) && !exists(pouts[1].host_path), "file written: %s", what);
    ck_assert_uint_eq(count_tmp_leftovers(), 0);
}

START_TEST(parser_hostile)
{
    static struct frame f;

#define START() (f.n = 0, frame_raw(&f, LAB_MAGIC, LAB_MAGIC_LEN))
    START();
    frame_named(&f, "FILE", "/etc/passwd", "x", 1);
    expect_error(&f, "unrequested name");

    START();
    frame_named(&f, "FILE", "/ntv/work/a/../a", "x", 1);
    expect_error(&f, "name with ..");

    START();
    frame_named(&f, "FILE", "/ntv/work/ab", "x", 1);
    expect_error(&f, "name with requested prefix");

    START();
    frame_named(&f, "FILE", "/ntv/work/", "x", 1);
    expect_error(&f, "name that is a prefix");

    START();
    frame_raw(&f, "FILE", 4);
    frame_le(&f, UINT64_MAX, 8);
    frame_le(&f, 11, 4);
    frame_raw(&f, "/ntv/work/a", 11);
    expect_error(&f, "huge file record");

    START();
    frame_raw(&f, "FILE", 4);
    frame_le(&f, 100, 8);
    frame_le(&f, 0xffffffffu, 4);
    expect_error(&f, "huge name length");

    START();
    frame_raw(&f, "FILE", 4);
    frame_le(&f, 10, 8);
    frame_le(&f, 11, 4);
    expect_error(&f, "name longer than record");

    START();
    frame_raw(&f, "FILE", 4);
    frame_le(&f, 2, 8);
    expect_error(&f, "file record shorter than name length");

    START();
    frame_rec(&f, "FAIL", 1u << 30, NULL, 0);
    expect_error(&f, "huge failure text");

    START();
    frame_rec(&f, "EXIT", 8, "\0\0\0\0\0\0\0\0", 8);
    expect_error(&f, "bad exit length");

    START();
    frame_u32rec(&f, "EXIT", 256);
    expect_error(&f, "exit code 256");

    START();
    frame_u32rec(&f, "SIGN", 0);
    expect_error(&f, "signal 0");

    START();
    frame_u32rec(&f, "EXIT", 0);
    frame_u32rec(&f, "SIGN", 9);
    expect_error(&f, "two statuses");

    START();
    frame_rec(&f, "DONE", 1, "x", 1);
    expect_error(&f, "bad done length");

    START();
    frame_rec(&f, "STRT", 0, NULL, 0);
    frame_rec(&f, "STRT", 0, NULL, 0);
    expect_error(&f, "two start records");

    START();
    frame_rec(&f, "STRT", 5, "xxxxx", 5);
    expect_error(&f, "bad start length");

    START();
    frame_rec(&f, "HACK", 0, NULL, 0);
    expect_error(&f, "unknown tag");

    START();
    frame_u32rec(&f, "EXIT", 0);
    frame_named(&f, "FILE", "/ntv/work/a", "one", 3);
    frame_named(&f, "FILE", "/ntv/work/a", "two", 3);
    {   /* the first copy was complete and is kept; the duplicate is refused */
        struct lab_result *r = lab_result_new(pouts, 2);
        ck_assert_int_eq(lab_result_feed(r, f.b, f.n), -1);
        ck_assert_ptr_nonnull(strstr(lab_result_error(r), "twice"));
        lab_result_free(r);
        unlink(pouts[0].host_path);
        ck_assert_uint_eq(count_tmp_leftovers(), 0);
    }

    /* junk only, no magic */
    f.n = 0;
    while (f.n + 16 <= sizeof f.b)
        frame_raw(&f, "NTVLAB0\nNNNNNN\0\377", 16);    /* near-misses of the magic */
    expect_error(&f, "junk without magic");
#undef START
}
END_TEST

START_TEST(parser_junk_then_result_and_failure)
{
    static struct frame f;
    struct lab_result *r;

    f.n = 0;
    frame_raw(&f, "\r\n\0NTVLAB", 9);               /* noise, including a partial magic */
    frame_raw(&f, LAB_MAGIC, LAB_MAGIC_LEN);
    frame_u32rec(&f, "SIGN", 9);
    frame_rec(&f, "DONE", 0, NULL, 0);
    r = lab_result_new(pouts, 2);
    ck_assert_int_eq(lab_result_feed(r, f.b, f.n), 1);
    ck_assert_int_eq(lab_result_status(r), 137);
    lab_result_free(r);

    f.n = 0;
    frame_raw(&f, LAB_MAGIC, LAB_MAGIC_LEN);
    frame_rec(&f, "FAIL", 11, "no\nkvm\x1b[2J!", 11);
    frame_rec(&f, "DONE", 0, NULL, 0);
    r = lab_result_new(pouts, 2);
    ck_assert_int_eq(lab_result_feed(r, f.b, f.n), 1);
    ck_assert_int_eq(lab_result_status(r), -1);
    ck_assert_str_eq(lab_result_failure(r), "no kvm [2J!");  /* control chars neutralised */
    lab_result_free(r);

    /* empty output file */
    f.n = 0;
    frame_raw(&f, LAB_MAGIC, LAB_MAGIC_LEN);
    frame_u32rec(&f, "EXIT", 0);
    frame_named(&f, "FILE", "/ntv/work/b", "", 0);
    frame_rec(&f, "DONE", 0, NULL, 0);
    r = lab_result_new(pouts, 2);
    ck_assert_int_eq(lab_result_feed(r, f.b, f.n), 1);
    ck_assert_int_eq(lab_result_found(r, 1), 1);
    lab_result_free(r);
    {
        struct stat st;
        ck_assert_int_eq(stat(pouts[1].host_path, &st), 0);
        ck_assert_int_eq(st.st_size, 0);
    }
}
END_TEST

/* ------------------------------------------------------------ lab failures */

START_TEST(missing_lab_says_make_lab)
{
    char *argv[] = { "/bin/busybox", "true", NULL };
    struct lab_request req = { .lab_dir = "/nonexistent/ntvisor-lab", .argv = argv };
    char err[512] = "";
    int st = 12345;

    ck_assert_int_eq(lab_is_built("/nonexistent/ntvisor-lab"), 0);
    ck_assert_int_eq(lab_run(&req, &st, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "make lab") != NULL, "err: %s", err);
    ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

static const char *lab_dir(void)
{
    const char *d = getenv("NTVISOR_LAB_DIR");
    ck_assert_msg(d && lab_is_built(d), "set NTVISOR_LAB_DIR to a built lab (make lab; make test-lab)");
    return d;
}

START_TEST(missing_qemu)
{
    char *argv[] = { "/bin/busybox", "true", NULL };
    struct lab_request req = { .lab_dir = lab_dir(), .argv = argv, .qemu = "/nonexistent/qemu-x" };
    char err[512] = "";
    int st;

    ck_assert_int_eq(lab_run(&req, &st, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "/nonexistent/qemu-x") && strstr(err, "No such file"), "err: %s", err);
}
END_TEST

/* ------------------------------------------------------------- boot tests */

struct captured {
    int rc, status;
    char err[512];
    char *out, *errout;
    size_t out_len, err_len;
};

/* Runs a request with fd 1 / fd 2 redirected to files. */
static void run_captured(struct lab_request *req, struct captured *c)
{
    int o = open(tpath("stdout"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    int e = open(tpath("stderr"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    int save1 = dup(1), save2 = dup(2);

    fflush(stdout);
    fflush(stderr);
    dup2(o, 1);
    dup2(e, 2);
    c->rc = lab_run(req, &c->status, c->err, sizeof c->err);
    dup2(save1, 1);
    dup2(save2, 2);
    close(save1);
    close(save2);
    close(o);
    close(e);
    c->out = read_file(tpath("stdout"), &c->out_len);
    c->errout = read_file(tpath("stderr"), &c->err_len);
    if (c->rc != 0)
        fprintf(stderr, "lab_run failed: %s\n%.*s\n", c->err, (int)c->err_len, c->errout);
}

/* One shared boot for most assertions (unchecked fixture: runs once). */
static struct captured main_run;
static unsigned char main_found[3];
static char out_paths[3][512];

static const char main_script[] =
    "printf 'a\\r\\nb\\0c\\377\\n'; printf 'E\\r\\0\\377' >&2; "
    "r=/ntv/work/report; "
    "echo \"argc=$#\" > $r; for a in \"$@\"; do printf 'arg=[%s]\\n' \"$a\" >> $r; done; "
    "echo \"lab=$NTVISOR_IN_LAB\" >> $r; echo \"foo=$FOO\" >> $r; echo \"pwd=$(pwd)\" >> $r; "
    "test -c /dev/kvm && echo kvm=yes >> $r; "
    "echo \"svm=$(grep -c svm /proc/cpuinfo)\" >> $r; "
    "test -x /ntv/in/tool && echo tool_exec=yes >> $r; "
    "/ntv/in/tool \"x y\" >> $r; "
    "cat /ntv/in/data.bin > /ntv/work/copy.bin; "
    "exit 7";

static void boot_main(void)
{
    static char *argv[] = { "/bin/busybox", "sh", "-c", (char *)main_script, "argv0",
                            "a b", "", "it's \"q\"", "  ", "end", NULL };
    static char *env[] = { "FOO=bar  baz", "NTVISOR_IN_LAB=0", NULL };
    static struct lab_file in[2], out[3];
    unsigned char bin[4096];
    struct lab_request req = { 0 };

    make_tmpdir();
    for (size_t i = 0; i < sizeof bin; i++)
        bin[i] = (unsigned char)(i * 7 + (i >> 8));
    write_file(tpath("tool"), "#!/bin/sh\necho \"tool=[$1]\"\n", 27, 0755);
    write_file(tpath("data.bin"), bin, sizeof bin, 0644);
    in[0] = (struct lab_file){ strdup(tpath("tool")), "/ntv/in/tool" };
    in[1] = (struct lab_file){ strdup(tpath("data.bin")), "/ntv/in/data.bin" };
    snprintf(out_paths[0], sizeof out_paths[0], "%s", tpath("report"));
    snprintf(out_paths[1], sizeof out_paths[1], "%s", tpath("copy.bin"));
    snprintf(out_paths[2], sizeof out_paths[2], "%s", tpath("never"));
    out[0] = (struct lab_file){ out_paths[0], "/ntv/work/report" };
    out[1] = (struct lab_file){ out_paths[1], "/ntv/work/copy.bin" };
    out[2] = (struct lab_file){ out_paths[2], "/ntv/work/never" };
    req.lab_dir = getenv("NTVISOR_LAB_DIR") ? getenv("NTVISOR_LAB_DIR") : "/nonexistent";
    req.argv = argv;
    req.env = env;
    req.inputs = in;
    req.n_inputs = 2;
    req.outputs = out;
    req.n_outputs = 3;
    req.output_found = main_found;
    req.timeout_sec = 300;
    run_captured(&req, &main_run);
}

static void boot_main_teardown(void)
{
    rm_tmpdir();
}

START_TEST(boot_ran)
{
    ck_assert_msg(main_run.rc == 0, "lab_run: %s", main_run.err);
    ck_assert_int_eq(main_run.status, 7);
}
END_TEST

START_TEST(boot_stdout_stderr_exact)
{
    ck_assert_int_eq(main_run.rc, 0);
    ck_assert_uint_eq(main_run.out_len, 8);
    ck_assert(memcmp(main_run.out, "a\r\nb\0c\377\n", 8) == 0);
    ck_assert_uint_eq(main_run.err_len, 4);
    ck_assert(memcmp(main_run.errout, "E\r\0\377", 4) == 0);
}
END_TEST

static char *report_line(const char *key)
{
    size_t len;
    char *rep = read_file(out_paths[0], &len);
    static char line[512];
    char *p;

    ck_assert_ptr_nonnull(rep);
    rep = realloc(rep, len + 1);
    rep[len] = 0;
    p = strstr(rep, key);
    ck_assert_msg(p != NULL, "%s missing in report:\n%s", key, rep);
    snprintf(line, sizeof line, "%.*s", (int)strcspn(p, "\n"), p);
    free(rep);
    return line;
}

START_TEST(boot_argv_env_exact)
{
    size_t len;
    char *rep;
    static const char want[] =
        "argc=5\narg=[a b]\narg=[]\narg=[it's \"q\"]\narg=[  ]\narg=[end]\n"
        "lab=1\nfoo=bar  baz\npwd=/ntv/work\n";

    ck_assert_int_eq(main_run.rc, 0);
    rep = read_file(out_paths[0], &len);
    ck_assert_ptr_nonnull(rep);
    ck_assert_msg(len >= sizeof want - 1 && memcmp(rep, want, sizeof want - 1) == 0,
                  "report:\n%.*s", (int)len, rep);
    free(rep);
}
END_TEST

START_TEST(boot_kvm_inside)
{
    ck_assert_int_eq(main_run.rc, 0);
    ck_assert_str_eq(report_line("kvm="), "kvm=yes");
    ck_assert_int_gt(atoi(report_line("svm=") + 4), 0);
}
END_TEST

START_TEST(boot_input_files)
{
    ck_assert_int_eq(main_run.rc, 0);
    ck_assert_str_eq(report_line("tool_exec="), "tool_exec=yes");
    ck_assert_str_eq(report_line("tool="), "tool=[x y]");
}
END_TEST

START_TEST(boot_output_files)
{
    size_t a, b;
    char *orig, *copy;

    ck_assert_int_eq(main_run.rc, 0);
    ck_assert_int_eq(main_found[0], 1);
    ck_assert_int_eq(main_found[1], 1);
    ck_assert_int_eq(main_found[2], 0);
    ck_assert(!exists(out_paths[2]));
    orig = read_file(tpath("data.bin"), &a);
    copy = read_file(out_paths[1], &b);
    ck_assert_ptr_nonnull(copy);
    ck_assert_uint_eq(a, b);
    ck_assert(memcmp(orig, copy, a) == 0);
    free(orig);
    free(copy);
}
END_TEST

START_TEST(boot_killed_by_signal)
{
    char *argv[] = { "/bin/busybox", "sh", "-c", "echo before; kill -9 $$; echo after", NULL };
    struct lab_request req = { .lab_dir = lab_dir(), .argv = argv, .timeout_sec = 300 };
    struct captured c;

    make_tmpdir();
    run_captured(&req, &c);
    ck_assert_msg(c.rc == 0, "lab_run: %s", c.err);
    ck_assert_int_eq(c.status, 137);
    ck_assert_uint_eq(c.out_len, 7);
    ck_assert(memcmp(c.out, "before\n", 7) == 0);
    free(c.out);
    free(c.errout);
    rm_tmpdir();
}
END_TEST

START_TEST(boot_sigint_forwarded)
{
    char *argv[] = { "/bin/busybox", "sh", "-c",
                     "trap 'echo flushed > /ntv/work/sig; exit 9' INT; echo ready; "
                     "while :; do sleep 1; done", NULL };
    struct lab_file out = { NULL, "/ntv/work/sig" };
    unsigned char found = 0;
    struct lab_request req = { .lab_dir = lab_dir(), .argv = argv, .outputs = &out, .n_outputs = 1,
                               .output_found = &found, .timeout_sec = 120 };
    struct captured c;
    pid_t self = getpid(), helper;
    size_t len;
    char *s;

    struct sigaction before;

    sigaction(SIGINT, NULL, &before);
    make_tmpdir();
    out.host_path = tpath("sig");
    helper = fork();
    if (helper == 0) {
        /* wait until the trap is set (the command printed "ready" to the
           captured stdout), then press ^C */
        for (int i = 0; i < 1200; i++) {
            size_t n;
            char *o = read_file(tpath("stdout"), &n);
            int ready = o && n >= 6 && memcmp(o, "ready\n", 6) == 0;
            free(o);
            if (ready)
                break;
            usleep(100000);
        }
        kill(self, SIGINT);
        _exit(0);
    }
    run_captured(&req, &c);
    waitpid(helper, NULL, 0);
    ck_assert_msg(c.rc == 0, "lab_run: %s", c.err);
    ck_assert_int_eq(c.status, 9);
    ck_assert_int_eq(found, 1);
    s = read_file(tpath("sig"), &len);
    ck_assert(s && len == 8 && memcmp(s, "flushed\n", 8) == 0);
    free(s);
    /* handlers were restored */
    {
        struct sigaction sa;
        sigaction(SIGINT, NULL, &sa);
        ck_assert(sa.sa_handler == before.sa_handler);
    }
    free(c.out);
    free(c.errout);
    rm_tmpdir();
}
END_TEST

START_TEST(boot_exec_failure_is_127)
{
    char *argv[] = { "/no/such/program", "x", NULL };
    struct lab_request req = { .lab_dir = lab_dir(), .argv = argv, .timeout_sec = 300 };
    struct captured c;

    make_tmpdir();
    run_captured(&req, &c);
    ck_assert_msg(c.rc == 0, "lab_run: %s", c.err);
    ck_assert_int_eq(c.status, 127);
    ck_assert_ptr_nonnull(memmem(c.errout, c.err_len, "/no/such/program", 16));
    free(c.out);
    free(c.errout);
    rm_tmpdir();
}
END_TEST

/* An idle, silent command looks like a stalled machine: with a stall limit the VM is killed and says so;
   output keeps the run alive. */
START_TEST(boot_stall_is_detected)
{
    char *idle[] = { "/bin/busybox", "sleep", "100", NULL };
    int stalled = -1;
    struct lab_request req = { .lab_dir = lab_dir(), .argv = idle, .timeout_sec = 300, .stall_sec = 12,
                               .stalled = &stalled };
    struct captured c;

    make_tmpdir();
    run_captured(&req, &c);
    ck_assert_int_eq(c.rc, -1);
    ck_assert_int_eq(stalled, 1);
    ck_assert_ptr_nonnull(strstr(c.err, "the lab stalled: no output and QEMU nearly idle for 12 s"));
    free(c.out);
    free(c.errout);

    /* the same idleness broken by a line every 4 s is not a stall */
    char *chatty[] = { "/bin/busybox", "sh", "-c", "for i in 1 2 3 4 5 6; do echo $i; sleep 4; done", NULL };
    req.argv = chatty;
    stalled = -1;
    run_captured(&req, &c);
    ck_assert_msg(c.rc == 0, "lab_run: %s", c.err);
    ck_assert_int_eq(stalled, 0);
    ck_assert_int_eq(c.status, 0);
    ck_assert_uint_eq(c.out_len, 12);
    free(c.out);
    free(c.errout);
    rm_tmpdir();
}
END_TEST


/* ------------------------------------------- SIGKILL of ntvisor mid-run */

/* The pid of a child of parent running QEMU, or -1. */
static pid_t qemu_child_of(pid_t parent)
{
    char cmd[160], line[64];
    pid_t q = -1;

    snprintf(cmd, sizeof cmd, "pgrep -P %d -f qemu-system", (int)parent);
    FILE *f = popen(cmd, "r");
    if (f && fgets(line, sizeof line, f))
        q = (pid_t)atoi(line);
    if (f)
        pclose(f);
    return q;
}

static off_t size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Starts build/ntvisor trace --format=json -o out spin.exe (never ends) with TMPDIR=tmp. */
static pid_t start_spin_trace(const char *out, const char *tmp)
{
    pid_t p = fork();

    ck_assert_int_ge(p, 0);
    if (p == 0) {
        int nul = open("/dev/null", O_WRONLY);
        prctl(PR_SET_PDEATHSIG, SIGKILL);   /* a failed test leaves no spinning run behind */
        dup2(nul, 1);
        setenv("TMPDIR", tmp, 1);
        setenv("NTVISOR_LAB_DIR", lab_dir(), 1);
        char o[640];
        snprintf(o, sizeof o, "-o%s", out);
        execl("build/ntvisor", "ntvisor", "trace", "--timeout=600", "--format=json", o, "build/tests/guest/spin.exe", (char *)NULL);
        _exit(127);
    }
    return p;
}

/* Every line of path is one whole JSON record, the last one ended: how many there are. */
static size_t check_json_lines(const char *path)
{
    size_t len, n = 0;
    char *buf = read_file(path, &len);

    ck_assert_ptr_nonnull(buf);
    ck_assert_msg(len > 0 && buf[len - 1] == '\n', "%s ends in a half line (%zu bytes)", path, len);
    for (char *l = buf, *e; l < buf + len; l = e + 1, n++) {
        e = memchr(l, '\n', (size_t)(buf + len - l));
        ck_assert_msg(e - l >= 2 && l[0] == '{' && e[-1] == '}', "line %zu: %.*s", n + 1, (int)(e - l), l);
    }
    free(buf);
    return n;
}

/* Kill -9 of ntvisor while the guest runs: the lines streamed back so far are in the -o file, whole;
   QEMU dies with it; no temporary directory is left. */
START_TEST(boot_sigkill_keeps_streamed_lines)
{
    char out[600], tmp[600];
    off_t first = 0;

    ck_assert_msg(access("build/ntvisor", X_OK) == 0 && access("build/tests/guest/spin.exe", R_OK) == 0,
                  "run from the top of the tree after make (build/ntvisor, build/tests/guest/spin.exe)");
    make_tmpdir();
    snprintf(out, sizeof out, "%s", tpath("trace.json"));
    snprintf(tmp, sizeof tmp, "%s", tpath("tmp"));
    ck_assert_int_eq(mkdir(tmp, 0700), 0);
    pid_t nt = start_spin_trace(out, tmp);
    /* lines arrive while the guest runs: the file has some, then more */
    off_t now = 0;
    for (int i = 0; i < 3000 && (first == 0 || now <= first); i++) {
        ck_assert_msg(waitpid(nt, NULL, WNOHANG) == 0, "ntvisor ended early");
        usleep(100000);
        now = size_of(out);
        if (first == 0 && now > 0)
            first = now;
    }
    ck_assert_msg(first > 0 && now > first, "%s did not grow during the run", out);
    pid_t q = qemu_child_of(nt);
    ck_assert_int_gt(q, 0);
    size_t seen = check_json_lines(out);   /* whole lines already written: none may be lost */
    ck_assert_int_eq(kill(nt, SIGKILL), 0);
    waitpid(nt, NULL, 0);
    size_t kept = check_json_lines(out);
    ck_assert_msg(kept >= seen && kept > 0, "%zu whole lines before the kill, %zu after", seen, kept);
    for (int i = 0; i < 50 && kill(q, 0) == 0; i++)
        usleep(100000);
    ck_assert_msg(kill(q, 0) != 0, "QEMU (%d) outlived ntvisor by 5 s", (int)q);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -q .", tmp);
    ck_assert_msg(system(cmd) != 0, "%s is not empty after the kill", tmp);
    rm_tmpdir();
}
END_TEST

static Suite *lab_suite(void)
{
    Suite *s = suite_create("lab");
    TCase *unit = tcase_create("unit");
    TCase *parser = tcase_create("parser");
    TCase *boot = tcase_create("boot");
    TCase *boot_more = tcase_create("boot_more");
    TCase *boot_kill = tcase_create("boot_kill");

    tcase_add_test(unit, cpio_request_layout);
    tcase_add_test(unit, cpio_rejects_bad_paths);
    tcase_add_test(unit, missing_lab_says_make_lab);
    suite_add_tcase(s, unit);

    tcase_add_checked_fixture(parser, parser_setup, parser_teardown);
    tcase_add_test(parser, parser_good_bytewise);
    tcase_add_test(parser, parser_writes_outputs_in_place);
    tcase_add_test(parser, parser_truncated_everywhere);
    tcase_add_test(parser, parser_hostile);
    tcase_add_test(parser, parser_junk_then_result_and_failure);
    suite_add_tcase(s, parser);

    if (!getenv("LAB_TEST_NO_BOOT")) {
        tcase_set_timeout(boot, 600);
        tcase_add_unchecked_fixture(boot, boot_main, boot_main_teardown);
        tcase_add_test(boot, boot_ran);
        tcase_add_test(boot, boot_stdout_stderr_exact);
        tcase_add_test(boot, boot_argv_env_exact);
        tcase_add_test(boot, boot_kvm_inside);
        tcase_add_test(boot, boot_input_files);
        tcase_add_test(boot, boot_output_files);
        suite_add_tcase(s, boot);

        tcase_set_timeout(boot_more, 600);
        tcase_add_test(boot_more, missing_qemu);
        tcase_add_test(boot_more, boot_killed_by_signal);
        tcase_add_test(boot_more, boot_sigint_forwarded);
        tcase_add_test(boot_more, boot_exec_failure_is_127);
        tcase_add_test(boot_more, boot_stall_is_detected);
        suite_add_tcase(s, boot_more);

        tcase_set_timeout(boot_kill, 600);
        tcase_add_test(boot_kill, boot_sigkill_keeps_streamed_lines);
        suite_add_tcase(s, boot_kill);
    }
    return s;
}

int main(void)
{
    return check_run(lab_suite());
}
