/* Check suite for the lab's output streaming (vmm/lab/result.c, stream.c,
 * stale.c): PART records written in place while the run goes on, whole lines
 * only, however the stream is split or cut; and the temporary directories of
 * dead runs removed by the next run, a live one's kept. No lab boots. */
#define _GNU_SOURCE
#include <check.h>
#include "check_run.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab_frames.h"
#include "vmm/lab/lab.h"
#include "vmm/lab/protocol.h"
#include "vmm/lab/result.h"
#include "vmm/lab/stream.h"

static char dir[256];

static void setup(void) { scratch_make(dir, sizeof dir, "test_lab_stream"); }
static void teardown(void) { scratch_remove(dir); }
static char *path_in(const char *name) { return scratch_path(dir, name); }

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    static char buf[1 << 16];

    *len = 0;
    if (!f)
        return NULL;
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

/* ------------------------------------------------------------ the stream */

static void rec(struct frame *f, const char *tag, const char *name, const char *data)
{
    frame_named(f, tag, name, data, strlen(data));
}

/* The output's whole text, and how the lab sends it: lines split across records, two outputs interleaved. */
static const char expect_a[] = "[1:1 sysenter] NtYieldExecution() = 0\n[1:1 sysenter] NtClose(Handle=0x4) = 0\n"
                               "{\"event\":\"syscall\"}\nlast line\n";
static const char expect_b[] = "b1\nb2 unfinished";

static size_t mark;                 /* where the fourth PART begins */

static void stream_frame(struct frame *f)
{
    f->n = 0;
    frame_raw(f, LAB_MAGIC, LAB_MAGIC_LEN);
    frame_raw(f, "STRT", 4);
    frame_le(f, 0, 8);
    rec(f, "PART", "/ntv/work/a", "[1:1 sysenter] NtYieldExec");
    rec(f, "PART", "/ntv/work/b", "b1\nb2 ");
    rec(f, "PART", "/ntv/work/a", "ution() = 0\n[1:1 sysenter] NtClose(Handle=0x4) = 0\n{\"event\"");
    mark = f->n;
    rec(f, "PART", "/ntv/work/a", ":\"syscall\"}\nlast ");
    frame_raw(f, "EXIT", 4);
    frame_le(f, 4, 8);
    frame_le(f, 0, 4);
    rec(f, "FILE", "/ntv/work/a", "line\n");
    rec(f, "FILE", "/ntv/work/b", "unfinished");
    frame_raw(f, "DONE", 4);
    frame_le(f, 0, 8);
}

static struct lab_file outs[2];

static struct lab_result *parser(void)
{
    outs[0] = (struct lab_file){ strdup(path_in("a")), "/ntv/work/a" };
    outs[1] = (struct lab_file){ strdup(path_in("b")), "/ntv/work/b" };
    unlink(outs[0].host_path);
    unlink(outs[1].host_path);
    return lab_result_new(outs, 2);
}

static void parser_free(struct lab_result *r)
{
    lab_result_free(r);
    free((char *)outs[0].host_path);
    free((char *)outs[1].host_path);
}

/* The file holds a prefix of expect made of whole lines only (or nothing yet); all of it once complete. */
static void whole_lines_of(const char *path, const char *expect, size_t at, int complete)
{
    size_t len;
    char *got = slurp(path, &len);

    ck_assert(got || !complete);
    if (!got)
        return;
    if (complete) {
        ck_assert_msg(len == strlen(expect) && memcmp(got, expect, len) == 0, "%s: incomplete", path);
        return;
    }
    ck_assert_msg(len <= strlen(expect) && memcmp(got, expect, len) == 0, "%s: not a prefix at %zu", path, at);
    ck_assert_msg(len == 0 || got[len - 1] == '\n', "%s: a half line at the end after %zu bytes", path, at);
}

static void content_is(const char *path, const char *expect)
{
    size_t len;
    char *got = slurp(path, &len);

    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(len, strlen(expect));
    ck_assert(memcmp(got, expect, len) == 0);
}

/* Split at every byte boundary (and fed a byte at a time): at every moment whole lines only, all in the end. */
START_TEST(part_split_everywhere_whole_lines)
{
    static struct frame f;

    stream_frame(&f);
    for (size_t cut = 0; cut <= f.n; cut++) {
        struct lab_result *r = parser();
        ck_assert_int_eq(lab_result_feed(r, f.b, cut), cut == f.n ? 1 : 0);
        whole_lines_of(outs[0].host_path, expect_a, cut, lab_result_found(r, 0));
        whole_lines_of(outs[1].host_path, expect_b, cut, lab_result_found(r, 1));
        ck_assert_int_eq(lab_result_feed(r, f.b + cut, f.n - cut), 1);
        ck_assert_int_eq(lab_result_found(r, 0) + lab_result_found(r, 1), 2);
        content_is(outs[0].host_path, expect_a);
        content_is(outs[1].host_path, expect_b);    /* complete: its unfinished last line too */
        parser_free(r);
    }
    struct lab_result *r = parser();
    for (size_t i = 0; i < f.n; i++) {
        ck_assert_int_eq(lab_result_feed(r, f.b + i, 1), i + 1 == f.n ? 1 : 0);
        whole_lines_of(outs[0].host_path, expect_a, i, lab_result_found(r, 0));
    }
    content_is(outs[0].host_path, expect_a);
    parser_free(r);
}
END_TEST

/* Lines arrive while the run goes on: after the third PART, the first two lines are in the file. */
START_TEST(part_written_before_the_end)
{
    static struct frame f;
    struct lab_result *r = parser();
    size_t len;
    char *got;

    stream_frame(&f);
    ck_assert_int_eq(lab_result_feed(r, f.b, mark), 0);
    got = slurp(outs[0].host_path, &len);
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(len, strlen("[1:1 sysenter] NtYieldExecution() = 0\n[1:1 sysenter] NtClose(Handle=0x4) = 0\n"));
    content_is(outs[1].host_path, "b1\n");
    ck_assert_int_eq(lab_result_found(r, 0), 0);
    parser_free(r);
}
END_TEST

/* Cut short anywhere (ntvisor or the lab killed): only whole lines stay, the half line is dropped. */
START_TEST(part_truncated_stream_whole_lines)
{
    static struct frame f;

    stream_frame(&f);
    for (size_t cut = 0; cut < f.n; cut++) {
        struct lab_result *r = parser();
        ck_assert_int_eq(lab_result_feed(r, f.b, cut), 0);
        ck_assert_int_eq(lab_result_done(r), 0);
        int found[2] = { lab_result_found(r, 0), lab_result_found(r, 1) };
        lab_result_free(r);
        whole_lines_of(outs[0].host_path, expect_a, cut, found[0]);
        whole_lines_of(outs[1].host_path, expect_b, cut, found[1]);
        free((char *)outs[0].host_path);
        free((char *)outs[1].host_path);
    }
}
END_TEST

static int fails(const struct frame *f)
{
    struct lab_result *r = parser();
    int rc = lab_result_feed(r, f->b, f->n);

    parser_free(r);
    return rc == -1;
}

/* A PART for an unrequested file, after the file's end, or past the size limit is refused. */
START_TEST(part_hostile)
{
    static struct frame f;

    f.n = 0;
    frame_raw(&f, LAB_MAGIC, LAB_MAGIC_LEN);
    rec(&f, "PART", "/ntv/work/c", "x\n");
    ck_assert(fails(&f));
    f.n = LAB_MAGIC_LEN;
    rec(&f, "FILE", "/ntv/work/a", "x\n");
    rec(&f, "PART", "/ntv/work/a", "y\n");
    ck_assert(fails(&f));
    f.n = LAB_MAGIC_LEN;
    frame_raw(&f, "PART", 4);
    frame_le(&f, 4 + 11 + LAB_MAX_FILE + 1, 8);
    frame_le(&f, 11, 4);
    frame_raw(&f, "/ntv/work/a", 11);
    ck_assert(fails(&f));
}
END_TEST

/* A write error while streaming ends the run's result with the file's name and the reason. */
START_TEST(part_write_error)
{
    static struct frame f;
    struct lab_file full[1] = { { "/dev/full", "/ntv/work/a" } };
    struct lab_result *r = lab_result_new(full, 1);
    struct stat st;

    f.n = 0;
    frame_raw(&f, LAB_MAGIC, LAB_MAGIC_LEN);
    rec(&f, "PART", "/ntv/work/a", "a line\n");
    ck_assert_int_eq(lab_result_feed(r, f.b, f.n), -1);
    ck_assert_ptr_nonnull(strstr(lab_result_error(r), "output /dev/full: No space left on device"));
    lab_result_free(r);
    ck_assert_int_eq(stat("/dev/full", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
}
END_TEST

/* A "line" longer than the hold buffer is written out unfinished; the rest on finish. */
START_TEST(stream_overlong_line)
{
    struct lab_stream st;
    size_t n = LAB_STREAM_HOLD_MAX + 1000;
    char *big = malloc(n);
    struct stat sb;

    ck_assert_ptr_nonnull(big);
    memset(big, 'x', n);
    ck_assert_int_eq(lab_stream_open(&st, path_in("long")), 0);
    ck_assert_int_eq(lab_stream_write(&st, big, n), 0);
    ck_assert_int_eq(stat(path_in("long"), &sb), 0);
    ck_assert_int_eq(sb.st_size, LAB_STREAM_HOLD_MAX);
    ck_assert_int_eq(lab_stream_write(&st, "\nend", 4), 0);
    ck_assert_int_eq(stat(path_in("long"), &sb), 0);
    ck_assert_int_eq(sb.st_size, n + 1);
    ck_assert_int_eq(lab_stream_finish(&st), 0);
    ck_assert_int_eq(stat(path_in("long"), &sb), 0);
    ck_assert_int_eq(sb.st_size, n + 4);
    free(big);
}
END_TEST

/* ------------------------------------------------------ stale directories */

static void mkdir_with_file(const char *name)
{
    ck_assert_int_eq(mkdir(path_in(name), 0700), 0);
    char *f = path_in(name);
    char file[600];
    snprintf(file, sizeof file, "%s/run.cpio", f);
    FILE *fp = fopen(file, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("x", fp);
    fclose(fp);
}

static pid_t dead_pid(void)
{
    pid_t p = fork();

    if (p == 0)
        _exit(0);
    ck_assert_int_gt(p, 0);
    waitpid(p, NULL, 0);
    return p;
}

/* A lab that lab_is_built accepts; its QEMU cannot be run, so nothing boots. */
static void fake_lab(const char *lab)
{
    static const char *const files[] = { ".stamp", "vmlinux", "base.cpio" };

    ck_assert_int_eq(mkdir(lab, 0700), 0);
    for (size_t i = 0; i < 3; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", lab, files[i]);
        FILE *fp = fopen(p, "w");
        ck_assert_ptr_nonnull(fp);
        fclose(fp);
    }
}

static size_t count_prefixed(const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)))
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

/* The next run removes the directory of a dead PID, keeps a live one's and other names, leaves none of its own. */
START_TEST(stale_dirs_of_dead_pids_removed)
{
    char dead[64], live[64], mine[64], err[512];
    char *argv[] = { "/bin/true", NULL };
    int status;

    snprintf(dead, sizeof dead, "ntvisor-lab.%d.Ab3xYz", (int)dead_pid());
    snprintf(live, sizeof live, "ntvisor-lab.%d.Qw9eRt", (int)getppid());
    mkdir_with_file(dead);
    mkdir_with_file(live);
    mkdir_with_file("ntvisor-lab.notapid");
    fake_lab(path_in("lab"));
    setenv("TMPDIR", dir, 1);
    struct lab_request req = { .lab_dir = path_in("lab"), .argv = argv, .qemu = "/nonexistent/qemu-x" };
    ck_assert_int_eq(lab_run(&req, &status, err, sizeof err), -1);
    unsetenv("TMPDIR");
    ck_assert_msg(access(path_in(dead), F_OK) != 0, "%s kept", dead);
    ck_assert_msg(access(path_in(live), F_OK) == 0, "%s removed", live);
    ck_assert(access(path_in("ntvisor-lab.notapid/run.cpio"), F_OK) == 0);
    snprintf(mine, sizeof mine, "ntvisor-lab.%d.", (int)getpid());
    ck_assert_uint_eq(count_prefixed(mine), 0);
    ck_assert_uint_eq(count_prefixed("ntvisor-lab."), 2);
}
END_TEST

static Suite *lab_stream_suite(void)
{
    Suite *s = suite_create("lab_stream");
    TCase *st = tcase_create("stream");
    TCase *tmp = tcase_create("stale");

    tcase_add_checked_fixture(st, setup, teardown);
    tcase_add_test(st, part_split_everywhere_whole_lines);
    tcase_add_test(st, part_written_before_the_end);
    tcase_add_test(st, part_truncated_stream_whole_lines);
    tcase_add_test(st, part_hostile);
    tcase_add_test(st, part_write_error);
    tcase_add_test(st, stream_overlong_line);
    suite_add_tcase(s, st);
    tcase_add_checked_fixture(tmp, setup, teardown);
    tcase_add_test(tmp, stale_dirs_of_dead_pids_removed);
    suite_add_tcase(s, tmp);
    return s;
}

int main(void)
{
    return check_run(lab_stream_suite());
}
