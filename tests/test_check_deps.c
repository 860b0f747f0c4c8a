/* Check suite for scripts/check-deps.sh and mk/deps.mk: what `make run` and
 * `make test` say on a machine that lacks something. The machine is a temporary
 * folder of stub tools (PATH holds only it), so a tool is "uninstalled" by
 * deleting its stub; nothing on the real host is touched. Run from the top of
 * the tree. */
#include <check.h>
#include "check_run.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char fake[256];              /* the stand-in machine */
static char out[4096], err[4096];   /* what the last run printed */

static void write_file(const char *rel, const char *text, mode_t mode)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", fake, rel);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static void stub(const char *name, const char *body)
{
    char rel[128], text[1200];
    snprintf(rel, sizeof(rel), "bin/%s", name);
    snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", body);
    write_file(rel, text, 0755);
}

static void uninstall(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/bin/%s", fake, name);
    ck_assert_int_eq(unlink(path), 0);
}

/* the real tools the script itself runs (not checked for) */
static void link_real(const char *name)
{
    static const char *const dirs[] = { "/usr/bin", "/bin" };
    char from[256], to[512];
    for (unsigned i = 0; i < 2; i++) {
        snprintf(from, sizeof(from), "%s/%s", dirs[i], name);
        if (access(from, X_OK) == 0) {
            snprintf(to, sizeof(to), "%s/bin/%s", fake, name);
            ck_assert_int_eq(symlink(from, to), 0);
            return;
        }
    }
    ck_abort_msg("no %s on this host", name);
}

static void make_machine(void)
{
    static const char *const dirs[] = { "bin", "lib32", "clang", "clang/lib", "clang/lib/linux", "mingw",
                                        "mingw/include", "mingw/include/ddk", "mingw/lib", "mingw64", "mingw64/lib" };
    static const char *const real[] = { "bash", "dirname", "sed", "grep", "mkdir", "touch", "cat", "chmod", "make" };
    snprintf(fake, sizeof(fake), "/tmp/ntv-check-deps-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(fake));
    for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", fake, dirs[i]);
        ck_assert_int_eq(mkdir(path, 0755), 0);
    }
    for (unsigned i = 0; i < sizeof(real) / sizeof(real[0]); i++)
        link_real(real[i]);
    char text[1024];
    snprintf(text, sizeof(text), "case \"$*\" in *-print-libgcc-file-name*) echo %s/lib32/libgcc.a ;; esac", fake);
    stub("gcc", text);
    write_file("lib32/libgcc.a", "", 0644);
    /* pkg-config --exists NAME fails for the NAMEs in $PC_MISSING; each question is logged */
    snprintf(text, sizeof(text), "[ \"$1\" = --exists ] || exit 0\necho \"$2\" >> %s/pc.log\n"
             "case \" $PC_MISSING \" in *\" $2 \"*) exit 1 ;; esac", fake);
    stub("pkg-config", text);
    snprintf(text, sizeof(text), "case \"$1\" in -print-resource-dir) echo %s/clang ;; -dumpversion) echo 14.0.6 ;; esac",
             fake);
    stub("clang", text);
    write_file("clang/lib/linux/libclang_rt.fuzzer-x86_64.a", "", 0644);
    write_file("mingw/include/ddk/ntddk.h", "", 0644);
    write_file("mingw/lib/libntdll.a", "", 0644);
    write_file("mingw64/lib/libntdll.a", "", 0644);
    static const char *const plain[] = { "i686-w64-mingw32-gcc", "x86_64-w64-mingw32-gcc", "qemu-system-x86_64", "cpio",
                                         "xz", "zstd", "busybox", "groff", "tmux" };
    for (unsigned i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        stub(plain[i], "exit 0");
    stub("file", "echo 'ELF 64-bit LSB executable, statically linked'");
    write_file("debian", "ID=debian\nVERSION_CODENAME=bookworm\n", 0644);
    write_file("ubuntu", "ID=ubuntu\nID_LIKE=debian\n", 0644);
    write_file("fedora", "ID=fedora\n", 0644);
    /* the installer "installs" the mingw-w64 compiler and notes that it ran */
    snprintf(text, sizeof(text), "echo ran >> %s/installed\n"
             "printf '#!/bin/sh\\nexit 0\\n' > %s/bin/i686-w64-mingw32-gcc; chmod +x %s/bin/i686-w64-mingw32-gcc",
             fake, fake, fake);
    stub("install-deps", text);
}

static void remove_machine(void)
{
    char cmd[320];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake);
    if (system(cmd) != 0)
        abort();
}

static void slurp(int fd, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t r;
    while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = 0;
    close(fd);
}

/* Runs argv in the stand-in machine: PATH is only its bin/, plus EXTRA (NAME=VALUE, NULL-ended). */
static int run_in(const char *const argv[], const char *const extra[])
{
    char path[300], mroot[300], mlib[300], mlib64[300], inst[300], bb[300];
    snprintf(path, sizeof(path), "PATH=%s/bin", fake);
    snprintf(mroot, sizeof(mroot), "MINGW_ROOT=%s/mingw/include", fake);
    snprintf(mlib, sizeof(mlib), "MINGW_LIB=%s/mingw/lib", fake);
    snprintf(mlib64, sizeof(mlib64), "MINGW64_LIB=%s/mingw64/lib", fake);
    snprintf(inst, sizeof(inst), "CHECK_DEPS_INSTALL=%s/bin/install-deps", fake);
    snprintf(bb, sizeof(bb), "CHECK_DEPS_BUSYBOX=%s/bin/busybox", fake);
    const char *env[32] = { path, mroot, mlib, mlib64, inst, bb, "CC=gcc", "LC_ALL=C" };
    unsigned n = 8;
    for (unsigned i = 0; extra && extra[i] && n < 31; i++)
        env[n++] = extra[i];
    env[n] = NULL;

    int po[2], pe[2];
    ck_assert_int_eq(pipe(po), 0);
    ck_assert_int_eq(pipe(pe), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        execve(argv[0], (char *const *)argv, (char *const *)env);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    slurp(po[0], out, sizeof(out));   /* the script's output is small: no deadlock on the other pipe */
    slurp(pe[0], err, sizeof(err));
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int check_deps(const char *profiles, const char *const extra[])
{
    char stamp[300];
    snprintf(stamp, sizeof(stamp), "--stamp-dir=%s/stamps", fake);
    const char *argv[8] = { "/bin/bash", "scripts/check-deps.sh", stamp };
    unsigned n = 3;
    char copy[64];
    snprintf(copy, sizeof(copy), "%s", profiles);
    for (char *p = strtok(copy, " "); p && n < 7; p = strtok(NULL, " "))
        argv[n++] = p;
    argv[n] = NULL;
    return run_in(argv, extra);
}

static int exists(const char *rel)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", fake, rel);
    return access(path, F_OK) == 0;
}

static int lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

START_TEST(all_there_is_silent_and_stamped)
{
    char osr[300];
    snprintf(osr, sizeof(osr), "CHECK_DEPS_OS_RELEASE=%s/debian", fake);
    const char *const env2[] = { "CHECK_DEPS_UID=1000", osr, "CHECK_DEPS_NEED_LAB=1", NULL };
    ck_assert_int_eq(check_deps("build test lab", env2), 0);
    ck_assert_str_eq(out, "");
    ck_assert_str_eq(err, "");
    ck_assert(exists("stamps/build") && exists("stamps/test") && exists("stamps/lab"));
}
END_TEST

START_TEST(missing_compiler_as_a_user_on_debian)
{
    char osr[300];
    snprintf(osr, sizeof(osr), "CHECK_DEPS_OS_RELEASE=%s/debian", fake);
    const char *const env[] = { "CHECK_DEPS_UID=1000", osr, NULL };
    uninstall("i686-w64-mingw32-gcc");
    ck_assert_int_eq(check_deps("build", env), 1);
    ck_assert_str_eq(out, "ntvisor: missing mingw-w64's i686 compiler (gcc-mingw-w64-i686): "
                          "run sudo scripts/install-deps.sh\n");
    ck_assert_str_eq(err, "");
    ck_assert(!exists("stamps/build"));
    ck_assert(!exists("installed"));
}
END_TEST

START_TEST(missing_headers_elsewhere_name_the_packages)
{
    char osr[300];
    snprintf(osr, sizeof(osr), "CHECK_DEPS_OS_RELEASE=%s/fedora", fake);
    const char *const env[] = { "CHECK_DEPS_UID=0", osr, "PC_MISSING=capstone check", NULL };
    uninstall("clang");
    ck_assert_int_eq(check_deps("build test", env), 1);
    ck_assert_str_eq(out, "ntvisor: missing Capstone's headers (libcapstone-dev), Check (pkg-config check) (check), "
                          "clang (the fuzzers) (clang), libFuzzer's runtime (libclang-rt-14-dev): install them "
                          "(Debian/Ubuntu: apt-get install libcapstone-dev check clang libclang-rt-14-dev)\n");
    ck_assert(!exists("installed"));   /* root, but not Debian: nothing is installed behind the user's back */
}
END_TEST

START_TEST(root_on_ubuntu_runs_the_installer)
{
    char osr[300];
    snprintf(osr, sizeof(osr), "CHECK_DEPS_OS_RELEASE=%s/ubuntu", fake);
    const char *const env[] = { "CHECK_DEPS_UID=0", osr, NULL };
    uninstall("i686-w64-mingw32-gcc");
    ck_assert_int_eq(check_deps("build", env), 0);
    ck_assert_str_eq(err, "ntvisor: missing mingw-w64's i686 compiler (gcc-mingw-w64-i686): "
                          "running scripts/install-deps.sh\n");
    ck_assert_str_eq(out, "");
    ck_assert(exists("installed") && exists("stamps/build"));
}
END_TEST

START_TEST(root_installer_that_does_not_help)
{
    char osr[300];
    snprintf(osr, sizeof(osr), "CHECK_DEPS_OS_RELEASE=%s/debian", fake);
    const char *const env[] = { "CHECK_DEPS_UID=0", osr, NULL };
    uninstall("groff");
    ck_assert_int_eq(check_deps("test", env), 1);
    ck_assert_str_eq(out, "ntvisor: still missing after scripts/install-deps.sh: groff (the man page test) (groff-base)\n");
    ck_assert(exists("installed") && !exists("stamps/test"));
}
END_TEST

START_TEST(lab_tools_only_where_the_lab_is_needed)
{
    char osr[300];
    snprintf(osr, sizeof(osr), "CHECK_DEPS_OS_RELEASE=%s/debian", fake);
    const char *const native[] = { "CHECK_DEPS_UID=1000", osr, "CHECK_DEPS_NEED_LAB=0", NULL };
    const char *const pvm[] = { "CHECK_DEPS_UID=1000", osr, "CHECK_DEPS_NEED_LAB=1", NULL };
    uninstall("qemu-system-x86_64");
    ck_assert_int_eq(check_deps("lab", native), 0);
    ck_assert_int_eq(check_deps("lab", pvm), 1);
    ck_assert_str_eq(out, "ntvisor: missing qemu-system-x86_64 (the SVM lab) (qemu-system-x86): "
                          "run sudo scripts/install-deps.sh\n");
}
END_TEST

/* make itself: one line and a stop before any rule; then a stamp, and no second check */
START_TEST(make_stops_with_one_line_then_checks_once)
{
    char osr[300], build[300], cwd[200];
    snprintf(osr, sizeof(osr), "CHECK_DEPS_OS_RELEASE=%s/debian", fake);
    snprintf(build, sizeof(build), "BUILD=%s/build", fake);
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    const char *const env[] = { "CHECK_DEPS_UID=1000", osr, NULL };
    char stamp[300];
    snprintf(stamp, sizeof(stamp), "%s/build/.deps/build", fake);
    const char *const argv[] = { "/usr/bin/make", "-s", "-C", cwd, build, stamp, NULL };

    uninstall("i686-w64-mingw32-gcc");
    ck_assert_int_eq(run_in(argv, env), 2);
    ck_assert_int_eq(lines(err), 1);
    ck_assert_ptr_nonnull(strstr(err, "*** ntvisor: missing mingw-w64's i686 compiler (gcc-mingw-w64-i686): "
                                      "run sudo scripts/install-deps.sh.  Stop.\n"));
    ck_assert(!exists("build/.deps/build"));

    stub("i686-w64-mingw32-gcc", "exit 0");
    ck_assert_int_eq(run_in(argv, env), 0);
    ck_assert(exists("build/.deps/build"));
    char log[300];
    snprintf(log, sizeof(log), "%s/pc.log", fake);
    ck_assert_int_eq(unlink(log), 0);
    ck_assert_int_eq(run_in(argv, env), 0);   /* stamped: the script does not run again */
    ck_assert(!exists("pc.log"));
}
END_TEST

static Suite *check_deps_suite(void)
{
    Suite *s = suite_create("check_deps");
    TCase *tc = tcase_create("deps");
    tcase_add_checked_fixture(tc, make_machine, remove_machine);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, all_there_is_silent_and_stamped);
    tcase_add_test(tc, missing_compiler_as_a_user_on_debian);
    tcase_add_test(tc, missing_headers_elsewhere_name_the_packages);
    tcase_add_test(tc, root_on_ubuntu_runs_the_installer);
    tcase_add_test(tc, root_installer_that_does_not_help);
    tcase_add_test(tc, lab_tools_only_where_the_lab_is_needed);
    tcase_add_test(tc, make_stops_with_one_line_then_checks_once);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(check_deps_suite());
}
