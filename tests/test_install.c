/* Check suite for make install / make uninstall (mk/install.mk) and for where
 * ntvisor looks for its files (vmm/paths.c): beside the binary, then under the
 * prefix it is installed in, then under the prefix it was built for. The install
 * is staged with DESTDIR in a temporary folder; nothing outside it is written.
 * Run from the top of the tree. */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vmm/paths.h"

#ifndef INSTALL_BUILD
#define INSTALL_BUILD  "build"
#define INSTALL_PREFIX "/usr/local"
#define INSTALL_LIBDIR "/usr/local/lib/ntvisor"
#endif

static char tmp[256];

static void make_tmp(void)
{
    snprintf(tmp, sizeof(tmp), "/tmp/ntv-install-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void remove_tmp(void)
{
    char cmd[320];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        abort();
}

static void touch(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\" && : > '%s'", path, path);
    ck_assert_int_eq(system(cmd), 0);
}

static int exists(const char *fmt, const char *a, const char *b)
{
    char path[600];
    snprintf(path, sizeof(path), fmt, a, b);
    return access(path, F_OK) == 0;
}

/* What COMMAND prints on stdout; 0 exit status required. */
static char *output_of(const char *command)
{
    FILE *p = popen(command, "r");
    ck_assert_ptr_nonnull(p);
    static char text[16384];
    size_t n = fread(text, 1, sizeof(text) - 1, p);
    text[n] = '\0';
    ck_assert_msg(pclose(p) == 0, "%s failed: %s", command, text);
    return text;
}

/* make GOAL into the staging folder, as a packager runs it (not under this test's own make) */
static void make_staged(const char *goal)
{
    char cmd[800];
    snprintf(cmd, sizeof(cmd), "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s BUILD=%s PREFIX=%s DESTDIR=%s "
             "INSTALL_LAB=no %s >/dev/null", INSTALL_BUILD, INSTALL_PREFIX, tmp, goal);
    ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
}

START_TEST(search_order_beside_then_prefix_then_built_in)
{
    char self[300], libdir[300], buf[600];
    snprintf(self, sizeof(self), "%s/p/bin", tmp);
    snprintf(libdir, sizeof(libdir), "%s/built/lib/ntvisor", tmp);
    const char *dirs[PATHS_MAX_DIRS];
    static char bufs[PATHS_MAX_DIRS][4096];
    int n = paths_dirs(self, libdir, dirs, bufs);
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(dirs[0], self);
    snprintf(buf, sizeof(buf), "%s/p/lib/ntvisor", tmp);
    ck_assert_str_eq(dirs[1], buf);
    ck_assert_str_eq(dirs[2], libdir);

    /* none there: the first is named */
    snprintf(buf, sizeof(buf), "%s/p/bin/guest/ntoskrnl.exe", tmp);
    char got[600];
    ck_assert_str_eq(paths_find_in(dirs, n, "guest/ntoskrnl.exe", got, sizeof(got)), buf);
    /* only the built-in prefix has it */
    snprintf(buf, sizeof(buf), "%s/built/lib/ntvisor/guest/ntoskrnl.exe", tmp);
    touch(buf);
    ck_assert_str_eq(paths_find_in(dirs, n, "guest/ntoskrnl.exe", got, sizeof(got)), buf);
    /* the prefix the binary is in comes before it */
    snprintf(buf, sizeof(buf), "%s/p/lib/ntvisor/guest/ntoskrnl.exe", tmp);
    touch(buf);
    ck_assert_str_eq(paths_find_in(dirs, n, "guest/ntoskrnl.exe", got, sizeof(got)), buf);
    /* and beside the binary before both */
    snprintf(buf, sizeof(buf), "%s/p/bin/guest/ntoskrnl.exe", tmp);
    touch(buf);
    ck_assert_str_eq(paths_find_in(dirs, n, "guest/ntoskrnl.exe", got, sizeof(got)), buf);
    ck_assert_ptr_null(paths_find_in(dirs, n, "guest/ntoskrnl.exe", got, 8));   /* does not fit */
}
END_TEST

START_TEST(a_build_tree_has_no_installed_prefix)
{
    const char *dirs[PATHS_MAX_DIRS];
    static char bufs[PATHS_MAX_DIRS][4096];
    ck_assert_int_eq(paths_dirs("/src/ntvisor/build", "/usr/lib/ntvisor", dirs, bufs), 2);
    ck_assert_str_eq(dirs[1], "/usr/lib/ntvisor");
    /* installed where it was built for: the two prefixes are one */
    ck_assert_int_eq(paths_dirs("/usr/bin", "/usr/lib/ntvisor", dirs, bufs), 2);
    ck_assert_str_eq(dirs[0], "/usr/bin");
    ck_assert_str_eq(dirs[1], "/usr/lib/ntvisor");
}
END_TEST

START_TEST(staged_install_finds_its_images_then_uninstall_removes_them)
{
    char root[600], want[1400];
    snprintf(root, sizeof(root), "%s%s", tmp, INSTALL_PREFIX);
    make_staged("install");
    ck_assert(exists("%s/bin/ntvisor%s", root, ""));
    ck_assert(exists("%s/lib/ntvisor/guest/ntoskrnl.exe%s", root, ""));
    ck_assert(exists("%s/lib/ntvisor/guest/ntdll.dll%s", root, ""));
    ck_assert(exists("%s/lib/ntvisor/guest/ntdll-6.1.7601-sp1-windows-7.dll%s", root, ""));
    ck_assert(exists("%s/lib/ntvisor/guest/libntdll.a%s", root, ""));
    ck_assert(exists("%s/share/ntvisor/examples/hello.exe%s", root, ""));
    ck_assert(exists("%s/share/ntvisor/examples/ntzw.sys%s", root, ""));
    ck_assert(exists("%s/share/man/man1/ntvisor.1%s", root, ""));
    ck_assert(!exists("%s/lib/ntvisor/lab%s", root, ""));   /* INSTALL_LAB=no */

    char cmd[700];
    snprintf(cmd, sizeof(cmd), "'%s/bin/ntvisor' info", root);
    const char *info = output_of(cmd);
    snprintf(want, sizeof(want), "images from:      %s/bin, then %s/lib/ntvisor, then " INSTALL_LIBDIR "\n", root,
             root);
    ck_assert_msg(strstr(info, want), "info says:\n%s", info);
    snprintf(want, sizeof(want), "guest kernel:     %s/lib/ntvisor/guest/ntoskrnl.exe\n", root);
    ck_assert_msg(strstr(info, want), "info says:\n%s", info);

    snprintf(cmd, sizeof(cmd), "'%s/bin/ntvisor' run --help", root);
    ck_assert_ptr_nonnull(strstr(output_of(cmd), "--kernel=FILE"));
    snprintf(cmd, sizeof(cmd), "MANWIDTH=80 man -l '%s/share/man/man1/ntvisor.1' 2>&1", root);
    ck_assert_ptr_nonnull(strstr(output_of(cmd), "EXIT STATUS"));

    make_staged("uninstall");
    snprintf(cmd, sizeof(cmd), "find '%s' -type f", tmp);
    ck_assert_str_eq(output_of(cmd), "");
    ck_assert(!exists("%s/lib/ntvisor%s", root, ""));
    ck_assert(!exists("%s/share/ntvisor%s", root, ""));
}
END_TEST

/* The binary alone, away from any prefix: it names where it looked first (or the built-in prefix's copy). */
START_TEST(a_lone_binary_says_what_is_missing)
{
    char cmd[800], want[700], installed[400];
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s/alone' && cp " INSTALL_BUILD "/ntvisor '%s/alone/'", tmp, tmp);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof(cmd), "'%s/alone/ntvisor' info", tmp);
    const char *info = output_of(cmd);
    snprintf(installed, sizeof(installed), INSTALL_LIBDIR "/guest/ntoskrnl.exe");
    if (access(installed, F_OK) == 0)   /* this machine has a real install */
        snprintf(want, sizeof(want), "guest kernel:     %s\n", installed);
    else
        snprintf(want, sizeof(want), "guest kernel:     %s/alone/guest/ntoskrnl.exe (missing)\n", tmp);
    ck_assert_msg(strstr(info, want), "info says:\n%s", info);
}
END_TEST

static Suite *install_suite(void)
{
    Suite *s = suite_create("install");
    TCase *tc = tcase_create("install");
    tcase_add_checked_fixture(tc, make_tmp, remove_tmp);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, search_order_beside_then_prefix_then_built_in);
    tcase_add_test(tc, a_build_tree_has_no_installed_prefix);
    tcase_add_test(tc, staged_install_finds_its_images_then_uninstall_removes_them);
    tcase_add_test(tc, a_lone_binary_says_what_is_missing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(install_suite());
}
