/* Check suite for the lab hand-off's command line (vmm/lab/argmap.c,
 * vmm/session_lab.c): the original argv goes into the lab unchanged but for
 * the arguments naming host files, whichever way the user spelled them, and
 * each of those files is copied in (inputs) or back (outputs). No lab boots. */
#define _GNU_SOURCE
#include <check.h>
#include "check_run.h"
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/lab/argmap.h"
#include "vmm/session.h"
#include "vmm/session_lab.h"

/* An argv of separately allocated strings, as a real one is (literals may share storage). */
static char **make_argv(int *argc, ...)
{
    static char *v[64];
    va_list ap;
    const char *s;
    int n = 0;

    va_start(ap, argc);
    while ((s = va_arg(ap, const char *)) != NULL && n < 63)
        v[n++] = strdup(s);
    va_end(ap);
    v[n] = NULL;
    *argc = n;
    return v;
}

static void free_argv(char **v)
{
    for (int i = 0; v[i]; i++)
        free(v[i]);
}

static void expect_argv(char *const *got, const char *const *want)
{
    size_t i;
    for (i = 0; want[i]; i++) {
        ck_assert_msg(got[i] != NULL, "argv[%zu] missing, want '%s'", i, want[i]);
        ck_assert_msg(!strcmp(got[i], want[i]), "argv[%zu] = '%s', want '%s'", i, got[i], want[i]);
    }
    ck_assert_msg(got[i] == NULL, "argv[%zu] = '%s' too many", i, got[i]);
}

/* ------------------------------------------------------------ lab_argv_map */

START_TEST(map_keeps_each_spelling)
{
    int argc;
    char **v = make_argv(&argc, "cmd", "--out=a", "--out", "a", "-oa", "-o", "a", "a", "--out=", NULL);
    const struct lab_argmap map[] = {
        { v[1] + 6, "/lab/1" }, { v[3], "/lab/2" }, { v[4] + 2, "/lab/3" }, { v[6], "/lab/4" },
        { v[8] + 6, "/lab/5" },
    };
    char **m = lab_argv_map(argc, v, map, sizeof(map) / sizeof(map[0]));
    static const char *const want[] = { "cmd", "--out=/lab/1", "--out", "/lab/2", "-o/lab/3", "-o", "/lab/4",
                                        "a", "--out=/lab/5", NULL };

    ck_assert_ptr_nonnull(m);
    expect_argv(m, want);              /* the last "a" is no option's value: left alone */
    lab_argv_free(m);
    free_argv(v);
}
END_TEST

START_TEST(map_without_entries_copies)
{
    int argc;
    char **v = make_argv(&argc, "a", "", "b c", NULL);
    char **m = lab_argv_map(argc, v, NULL, 0);
    static const char *const want[] = { "a", "", "b c", NULL };

    ck_assert_ptr_nonnull(m);
    expect_argv(m, want);
    ck_assert_ptr_ne(m[0], v[0]);      /* copies, not the originals */
    lab_argv_free(m);
    free_argv(v);
}
END_TEST

/* ------------------------------------------------------- session_lab_plan */

/* What a subcommand's parser does: the session's options, and -o/-e/-c and --format of trace,
 * --stop of kd and an option the lab has never heard of, all just stored. */
static const char *output;

static void parse(struct session_options *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        SESSION_LONG_OPTIONS,
        { "output", required_argument, 0, 'o' },
        { "format", required_argument, 0, 'f' },
        { "stop", required_argument, 0, 's' },
        { "frobnicate", required_argument, 0, 'F' },
        { 0, 0, 0, 0 },
    };
    int c;

    session_defaults(o);
    output = NULL;
    optind = 0;                        /* a full reset of getopt, between tests too */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+o:ce:", longopts, NULL)) != -1) {
        ck_assert_msg(c != '?' && c != ':', "bad option %s", argv[optind - 1]);
        if (c >= SESSION_OPT_FIRST && c < SESSION_OPT_LAST)
            ck_assert_int_eq(session_option(o, c, optarg), 0);
        else if (c == 'o')
            output = optarg;
    }
    ck_assert_int_eq(session_program(o, argc, argv, optind, argv[0]), 0);
}

static void plan(struct session_lab_plan *p, struct session_options *o, int argc, char **argv, char *const *args,
                 int n_args)
{
    parse(o, argc, argv);
    struct session_lab_extra x = { .outputs = &output, .n_outputs = output ? 1 : 0, .args = args, .n_args = n_args };
    ck_assert_int_eq(session_lab_plan(p, o, argc, argv, &x), 0);
}

static void expect_file(const struct lab_file *f, const char *host, const char *lab)
{
    ck_assert_str_eq(f->lab_path, lab);
    ck_assert_msg(!strcmp(f->host_path, host), "%s from '%s', want '%s'", lab, f->host_path, host);
}

/* A default image comes from beside the running program, in guest/. */
static void expect_default(const struct lab_file *f, const char *name, const char *lab)
{
    char tail[256];
    size_t n = strlen(f->host_path);

    snprintf(tail, sizeof(tail), "/guest/%s", name);
    ck_assert_str_eq(f->lab_path, lab);
    ck_assert_msg(n > strlen(tail) && !strcmp(f->host_path + n - strlen(tail), tail), "%s from '%s'", lab,
                  f->host_path);
}

START_TEST(plan_trace_every_file_option)
{
    int argc;
    char **v = make_argv(&argc, "trace", "--format=json", "-o", "out.txt", "-e", "trace=NtClose,NtReadFile", "-c",
                         "--kernel=k/nt.exe", "--ntdll", "n/nt.dll", "--file=a/b.txt", "--file", "c.txt:NAME",
                         "--driver=d/x.sys", "--memory=32", "--", "prog/hello.exe", "prog/hello.exe", "-o",
                         "out.txt", NULL);
    static const char *const want[] = {
        "/ntv/ntvisor", "trace", "--image-name=prog/hello.exe", "--format=json", "-o", "/ntv/work/ntvisor-output-0",
        "-e", "trace=NtClose,NtReadFile", "-c", "--kernel=/ntv/guest/ntoskrnl.exe", "--ntdll",
        "/ntv/guest/ntdll.dll", "--file=/ntv/files/0:b.txt", "--file", "/ntv/files/1:NAME",
        "--driver=/ntv/drivers/x.sys", "--memory=32", "--", "/ntv/prog/hello.exe",
        "prog/hello.exe", "-o", "out.txt", NULL,   /* the program's own arguments are its own */
    };
    struct session_options o;
    struct session_lab_plan p;

    plan(&p, &o, argc, v, NULL, 0);
    expect_argv(p.argv, want);
    ck_assert_uint_eq(p.n_inputs, 7);
    expect_file(&p.inputs[0], "/proc/self/exe", "/ntv/ntvisor");
    expect_file(&p.inputs[1], "k/nt.exe", "/ntv/guest/ntoskrnl.exe");
    expect_file(&p.inputs[2], "n/nt.dll", "/ntv/guest/ntdll.dll");
    expect_file(&p.inputs[3], "prog/hello.exe", "/ntv/prog/hello.exe");
    expect_file(&p.inputs[4], "a/b.txt", "/ntv/files/0");
    expect_file(&p.inputs[5], "c.txt", "/ntv/files/1");
    expect_file(&p.inputs[6], "d/x.sys", "/ntv/drivers/x.sys");
    ck_assert_uint_eq(p.n_outputs, 1);
    expect_file(&p.outputs[0], "out.txt", "/ntv/work/ntvisor-output-0");
    session_lab_plan_free(&p);
    free_argv(v);
}
END_TEST

START_TEST(plan_attached_and_abbreviated)
{
    int argc;
    char **v = make_argv(&argc, "trace", "-coOUT.json", "-etrace=!NtYieldExecution", "--ker", "k.exe", "--drive",
                         "x.sys", "--fi=in.bin", "hello.exe", NULL);
    static const char *const want[] = {
        "/ntv/ntvisor", "trace", "--image-name=hello.exe", "-co/ntv/work/ntvisor-output-0",
        "-etrace=!NtYieldExecution", "--ker", "/ntv/guest/ntoskrnl.exe", "--drive", "/ntv/drivers/x.sys",
        "--fi=/ntv/files/0:in.bin", "/ntv/prog/hello.exe", NULL,
    };
    struct session_options o;
    struct session_lab_plan p;

    plan(&p, &o, argc, v, NULL, 0);
    expect_argv(p.argv, want);
    ck_assert_uint_eq(p.n_inputs, 6);
    expect_file(&p.inputs[1], "k.exe", "/ntv/guest/ntoskrnl.exe");
    expect_default(&p.inputs[2], "ntdll.dll", "/ntv/guest/ntdll.dll");
    expect_file(&p.inputs[3], "hello.exe", "/ntv/prog/hello.exe");
    expect_file(&p.inputs[4], "in.bin", "/ntv/files/0");
    expect_file(&p.inputs[5], "x.sys", "/ntv/drivers/x.sys");
    expect_file(&p.outputs[0], "OUT.json", "/ntv/work/ntvisor-output-0");
    session_lab_plan_free(&p);
    free_argv(v);
}
END_TEST

/* An option given twice: the value parsed last is the file, in the lab as here. */
START_TEST(plan_repeated_option)
{
    int argc;
    char **v = make_argv(&argc, "trace", "-o", "first", "--output", "second", "hello.exe", NULL);
    static const char *const want[] = {
        "/ntv/ntvisor", "trace", "--image-name=hello.exe", "-o", "first", "--output", "/ntv/work/ntvisor-output-0",
        "/ntv/prog/hello.exe", NULL,
    };
    struct session_options o;
    struct session_lab_plan p;

    plan(&p, &o, argc, v, NULL, 0);
    expect_argv(p.argv, want);
    ck_assert_uint_eq(p.n_outputs, 1);
    expect_file(&p.outputs[0], "second", "/ntv/work/ntvisor-output-0");
    session_lab_plan_free(&p);
    free_argv(v);
}
END_TEST

/* The default images follow --build: ntvisor in the lab finds them where it looks by default. */
START_TEST(plan_defaults_follow_build)
{
    int argc;
    char **v = make_argv(&argc, "run", "--build=10.0.10240-sp0-windows-10-th1-1507", "hello.exe", "x", NULL);
    static const char *const want[] = {
        "/ntv/ntvisor", "run", "--image-name=hello.exe", "--build=10.0.10240-sp0-windows-10-th1-1507",
        "/ntv/prog/hello.exe", "x", NULL,
    };
    struct session_options o;
    struct session_lab_plan p;

    plan(&p, &o, argc, v, NULL, 0);
    expect_argv(p.argv, want);
    ck_assert_uint_eq(p.n_inputs, 4);
    expect_default(&p.inputs[1], "ntoskrnl.exe", "/ntv/guest/ntoskrnl.exe");
    expect_default(&p.inputs[2], "ntdll-10.0.10240-sp0-windows-10-th1-1507.dll",
                   "/ntv/guest/ntdll-10.0.10240-sp0-windows-10-th1-1507.dll");
    ck_assert_uint_eq(p.n_outputs, 0);
    session_lab_plan_free(&p);
    free_argv(v);
}
END_TEST

/* kd's stdin script goes in as -c; an option the lab code never heard of passes as given. */
START_TEST(plan_extra_args_and_new_option)
{
    int argc;
    char **v = make_argv(&argc, "kd", "--stop=NtClose", "--frobnicate=7", "--image-name=me.exe", "x/hello.exe",
                         "1", "2", NULL);
    char *extra[] = { "-c", "r; g" };
    static const char *const want[] = {
        "/ntv/ntvisor", "kd", "-c", "r; g", "--stop=NtClose", "--frobnicate=7", "--image-name=me.exe",
        "/ntv/prog/hello.exe", "1", "2", NULL,
    };
    struct session_options o;
    struct session_lab_plan p;

    plan(&p, &o, argc, v, extra, 2);
    expect_argv(p.argv, want);
    expect_file(&p.inputs[3], "x/hello.exe", "/ntv/prog/hello.exe");
    session_lab_plan_free(&p);
    free_argv(v);
}
END_TEST

static Suite *lab_argv_suite(void)
{
    Suite *s = suite_create("lab_argv");
    TCase *map = tcase_create("argmap");
    TCase *pl = tcase_create("plan");

    tcase_add_test(map, map_keeps_each_spelling);
    tcase_add_test(map, map_without_entries_copies);
    suite_add_tcase(s, map);
    tcase_add_test(pl, plan_trace_every_file_option);
    tcase_add_test(pl, plan_attached_and_abbreviated);
    tcase_add_test(pl, plan_repeated_option);
    tcase_add_test(pl, plan_defaults_follow_build);
    tcase_add_test(pl, plan_extra_args_and_new_option);
    suite_add_tcase(s, pl);
    return s;
}

int main(void)
{
    return check_run(lab_argv_suite());
}
