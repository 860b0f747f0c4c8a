/*
 * Differential test: the same kernel image and program, booted by ntvisor
 * (real KVM, natively or in the SVM lab) and by qemu-system-i386 -kernel
 * (software emulation, an independent CPU model and Multiboot loader), must
 * print the same console output and end with the same status.
 */
#include <check.h>
#include "../check_run.h"
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>
#include "exec_log.h"
#include "spawn.h"

#define NTVISOR "build/ntvisor"
#define KERNEL  "build/guest/ntoskrnl.exe"
#define NTDLL   "build/guest/ntdll.dll"

/* QEMU's CPU model for each case: SYSCALL outside 64-bit mode needs an AMD one */
#define QEMU_INTEL_CPU "qemu32"
#define QEMU_AMD_CPU   "phenom"

static const struct {
    const char *syscall, *program, *arg, *cpu;
} cases[] = {
    { "int2e", "build/examples/hello.exe", "0", QEMU_INTEL_CPU },
    { "sysenter", "build/examples/hello.exe", "42", QEMU_INTEL_CPU },
    { "int2e", "build/tests/guest/services.exe", NULL, QEMU_INTEL_CPU },
    { "sysenter", "build/tests/guest/services.exe", NULL, QEMU_INTEL_CPU },
    { "sysenter", "build/tests/guest/faults.exe", "kernel-read", QEMU_INTEL_CPU },
    { "syscall", "build/examples/hello.exe", "5", QEMU_AMD_CPU },
    { "syscall", "build/tests/guest/services.exe", NULL, QEMU_AMD_CPU },
    { "syscall", "build/tests/guest/faults.exe", "kernel-read", QEMU_AMD_CPU },
};

START_TEST(ntvisor_and_qemu_agree)
{
    char syscall_opt[64], append[64], initrd[512];
    snprintf(syscall_opt, sizeof(syscall_opt), "--syscall=%s", cases[_i].syscall);
    snprintf(append, sizeof(append), "syscall=%s", cases[_i].syscall);
    /* QEMU passes a module's file name as the first word of its command line, as ntvisor does */
    snprintf(initrd, sizeof(initrd), "%s,%s%s%s", NTDLL, cases[_i].program,
             cases[_i].arg ? " " : "", cases[_i].arg ? cases[_i].arg : "");

    char *nv[] = { NTVISOR, "run", syscall_opt, (char *)cases[_i].program, (char *)cases[_i].arg, NULL };
    struct spawn_result a;
    ck_assert_int_eq(spawn_capture(nv, &a), 0);

    char *qemu = getenv("QEMU_I386") ? getenv("QEMU_I386") : "/usr/bin/qemu-system-i386";
    char *qv[] = { qemu, "-accel", "tcg", "-cpu", (char *)cases[_i].cpu, "-display", "none", "-serial", "stdio",
                   "-monitor", "none", "-no-reboot", "-nic", "none", "-m", "64",
                   "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                   "-kernel", KERNEL, "-initrd", initrd, "-append", append, NULL };
    struct spawn_result b;
    ck_assert_int_eq(spawn_capture(qv, &b), 0);

    ck_assert_msg(a.out_len > 0, "ntvisor printed nothing; stderr:\n%s", a.err);
    /* both really used the mechanism asked for: the kernel says so when it falls back */
    ck_assert_msg(!strstr(a.out, "requested but") && !strstr(b.out, "requested but"),
                  "a fallback\n--- ntvisor:\n%s--- qemu:\n%s", a.out, b.out);
    ck_assert_msg(strcmp(a.out, b.out) == 0, "console output differs\n--- ntvisor:\n%s--- qemu:\n%s--- qemu stderr:\n%s",
                  a.out, b.out, b.err);
    /* isa-debug-exit: QEMU exits with ((value << 1) | 1) & 0xFF, losing the status byte's top bit */
    ck_assert_int_eq(b.status & 1, 1);
    ck_assert_int_eq(a.status & 0x7F, (b.status >> 1) & 0x7F);
    spawn_free(&a);
    spawn_free(&b);
}
END_TEST

/* An output file asked for on this host comes back whole, also when the guest runs in the SVM lab. */
/* The kernel's own check: asked for SYSCALL on a CPU without it (Intel's), it says so and uses SYSENTER. */
START_TEST(kernel_falls_back_without_legacy_syscall)
{
    char *qemu = getenv("QEMU_I386") ? getenv("QEMU_I386") : "/usr/bin/qemu-system-i386";
    char *qv[] = { qemu, "-accel", "tcg", "-cpu", QEMU_INTEL_CPU, "-display", "none", "-serial", "stdio",
                   "-monitor", "none", "-no-reboot", "-nic", "none", "-m", "64",
                   "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", KERNEL,
                   "-initrd", NTDLL ",build/tests/guest/services.exe", "-append", "syscall=syscall", NULL };
    struct spawn_result b;
    ck_assert_int_eq(spawn_capture(qv, &b), 0);
    ck_assert_msg(strstr(b.out, "ntoskrnl: syscall=syscall requested but this CPU has no legacy-mode SYSCALL; "
                                "using SYSENTER\nSystemCallStub 8b d4 0f 34 c3\n"),
                  "no fallback:\n%s", b.out);
    ck_assert_int_eq(b.status, 1);   /* status 0 through isa-debug-exit */
    spawn_free(&b);
}
END_TEST

START_TEST(trace_output_file_comes_back)
{
    const char *path = "/tmp/ntv-handoff-trace.json";
    unlink(path);
    char *nv[] = { NTVISOR, "trace", "--format=json", "-o", (char *)path, "build/examples/hello.exe", "9", NULL };
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(nv, &r), 0);
    ck_assert_int_eq(r.status, 9);
    ck_assert_ptr_nonnull(strstr(r.out, "hello: exiting with status 9\n"));
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "no %s; stderr:\n%s", path, r.err);
    char line[4096];
    int syscalls = 0, exits = 0;
    while (fgets(line, sizeof(line), f)) {
        syscalls += strstr(line, "\"ev\":\"syscall\"") != NULL;
        exits += strstr(line, "\"ev\":\"exit\",\"reason\":\"process exit\",\"status\":\"0x00000009\"") != NULL;
    }
    fclose(f);
    ck_assert_int_eq(syscalls, 6);
    ck_assert_int_eq(exits, 1);
    spawn_free(&r);
}
END_TEST

/* -o names a file as the user sees it: a symlink is followed and stays a symlink; a device is written,
   not replaced, and a write that fails fails the run. */
START_TEST(trace_output_is_written_where_it_points)
{
    const char *target = "/tmp/ntv-diff-target", *link = "/tmp/ntv-diff-link";
    unlink(link);
    FILE *keep = fopen(target, "w");
    ck_assert_ptr_nonnull(keep);
    fputs("keep\n", keep);
    fclose(keep);
    ck_assert_int_eq(symlink(target, link), 0);
    char *nv[] = { NTVISOR, "trace", "--format=json", "-o", (char *)link, "build/examples/hello.exe", NULL };
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(nv, &r), 0);
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    struct stat st;
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_int_eq(stat(target, &st), 0);
    ck_assert_int_gt(st.st_size, 1000);   /* the trace, where "keep" was */
    spawn_free(&r);
    unlink(link);
    unlink(target);

    char *full[] = { NTVISOR, "trace", "-o", "/dev/full", "build/examples/hello.exe", NULL };
    ck_assert_int_eq(spawn_capture(full, &r), 0);
    ck_assert_msg(r.status != 0, "a trace into /dev/full succeeded; stderr:\n%s", r.err);
    ck_assert_msg(strstr(r.err, "/dev/full: No space left on device"), "stderr:\n%s", r.err);
    ck_assert_int_eq(stat("/dev/full", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    spawn_free(&r);
}
END_TEST

/* --no-lab where /dev/kvm cannot run the guest: exit 126 and why, before anything boots. */
START_TEST(no_lab_on_a_host_that_cannot_run_the_guest)
{
    char *info[] = { NTVISOR, "info", "--native", NULL };
    char *run[] = { NTVISOR, "run", "--no-lab", "build/examples/hello.exe", NULL };
    struct spawn_result i, r;
    ck_assert_int_eq(spawn_capture(info, &i), 0);
    ck_assert_int_eq(spawn_capture(run, &r), 0);
    if (i.status == 0) {
        ck_assert_msg(r.status == 0, "natively: status %d; stderr:\n%s", r.status, r.err);
    } else {
        ck_assert_msg(r.status == 126, "status %d; stderr:\n%s", r.status, r.err);
        ck_assert_ptr_nonnull(strstr(r.err, "ntvisor: this host cannot run the guest ("));
        ck_assert_ptr_nonnull(strstr(r.err, "--no-lab keeps it out of the SVM lab\n"));
        ck_assert_int_eq(r.out_len, 0);
    }
    spawn_free(&i);
    spawn_free(&r);
}
END_TEST

/*
 * The kernel checks the monitor's "services" module like any other input: a
 * malformed one (booted here with QEMU, which takes any file) is reported
 * and the default build's numbering is used.
 */
START_TEST(malformed_services_module_is_refused)
{
    static const unsigned char bad[][20] = {
        { 'N', 'O', 'P', 'E' },                                                        /* no magic */
        { 'N', 'T', 'V', 'S', 'V', 'C', '1', 0, 0xFF, 0xFF, 0, 0 },                    /* count 65535 */
        { 'N', 'T', 'V', 'S', 'V', 'C', '1', 0, 1, 0, 0, 0, 0xFF, 0x7F, 4, 0 },        /* slot past the routines */
        { 'N', 'T', 'V', 'S', 'V', 'C', '1', 0, 1, 0, 0, 0, 0, 0, 3, 0 },              /* 3 argument bytes */
    };
    static const size_t sizes[] = { 4, 12, 16, 16 };
    char dir[] = "/tmp/ntv-svc-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64], cwd[4096], kernel[4200], initrd[9000];
    snprintf(path, sizeof(path), "%s/services", dir);
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    FILE *f = fopen(path, "wb");
    ck_assert_uint_eq(fwrite(bad[_i], 1, sizes[_i], f), sizes[_i]);
    fclose(f);
    snprintf(kernel, sizeof(kernel), "%s/%s", cwd, KERNEL);
    /* QEMU gives a module "FILE ARGS" as its command line: a file named services makes "services x" */
    snprintf(initrd, sizeof(initrd), "%s/%s,%s/build/examples/hello.exe,services x", cwd, NTDLL, cwd);
    ck_assert_int_eq(chdir(dir), 0);
    char *qemu = getenv("QEMU_I386") ? getenv("QEMU_I386") : "/usr/bin/qemu-system-i386";
    char *qv[] = { qemu, "-accel", "tcg", "-display", "none", "-serial", "stdio", "-monitor", "none",
                   "-no-reboot", "-nic", "none", "-m", "64", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                   "-kernel", kernel, "-initrd", initrd, NULL };
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(qv, &r), 0);
    ck_assert_int_eq(chdir(cwd), 0);
    unlink(path);
    rmdir(dir);
    ck_assert_msg(strstr(r.out, "ntoskrnl: the services module is malformed; using the default build's numbering\n"),
                  "console:\n%s", r.out);
    ck_assert_ptr_nonnull(strstr(r.out, "Hello from ring 3, through NtDisplayString.\n"));
    ck_assert_int_eq((r.status >> 1) & 0x7F, 0);
    spawn_free(&r);
}
END_TEST

/* ntvisor lab checks its own command line before it boots anything. */
START_TEST(lab_command_line_is_checked)
{
    char *missing[] = { NTVISOR, "lab", "--input=/nonexistent-ntv-input", "--", "/bin/busybox", "true", NULL };
    char *relative[] = { NTVISOR, "lab", "--output=relative:/tmp/x", "--", "/bin/busybox", "true", NULL };
    char *nothing[] = { NTVISOR, "lab", NULL };
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(missing, &r), 0);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "ntvisor: lab: --input /nonexistent-ntv-input: No such file or directory"));
    spawn_free(&r);
    ck_assert_int_eq(spawn_capture(relative, &r), 0);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "'relative' is not an absolute lab path"));
    spawn_free(&r);
    ck_assert_int_eq(spawn_capture(nothing, &r), 0);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "no command given"));
    spawn_free(&r);
}
END_TEST

/* Every input of a booting command is checked on this host before anything is copied or booted -- the
   same exit code and the user's own path whether the guest would run natively or in the lab -- and
   a file that is not a regular one (a FIFO would block forever) is refused without opening it for good. */
static void check_input_refused(const char *opt_or_null, const char *path, const char *message)
{
    char opt[600];
    char *argv[8];
    int n = 0;
    argv[n++] = NTVISOR;
    argv[n++] = "run";
    argv[n++] = "--timeout=5";
    if (opt_or_null) {
        snprintf(opt, sizeof(opt), "%s%s", opt_or_null, path);
        argv[n++] = opt;
        argv[n++] = "build/examples/hello.exe";
    } else {
        argv[n++] = (char *)path;
    }
    argv[n] = NULL;
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(argv, &r), 0);
    char want[700];
    snprintf(want, sizeof(want), "ntvisor: %s: %s", path, message);
    ck_assert_msg(r.status == 2 && strstr(r.err, want), "%s%s: status %d, stderr:\n%s", opt_or_null ? opt_or_null : "",
                  path, r.status, r.err);
    ck_assert_int_eq(r.out_len, 0);
    spawn_free(&r);
}

START_TEST(inputs_are_checked_on_the_host)
{
    const char *fifo = "/tmp/ntv-diff-fifo", *big = "/tmp/ntv-diff-big";
    unlink(fifo);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    static const char *const options[] = { "--kernel=", "--ntdll=", "--file=", "--driver=", NULL };
    for (int i = 0; i < 5; i++)
        check_input_refused(options[i], fifo, "not a regular file");
    check_input_refused("--kernel=", "/tmp", "not a regular file");
    check_input_refused(NULL, "/dev/zero", "not a regular file");
    check_input_refused("--driver=", "/nonexistent-ntv-driver.sys", "No such file or directory");
    /* a sparse 600 MiB program: refused by its size, not copied anywhere */
    int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, 600 << 20), 0);
    close(fd);
    check_input_refused(NULL, big, "629145600 bytes, more than the 33554432 this option allows");
    /* what a file holds is checked here too: the same messages as a native run gives */
    fd = open(big, O_WRONLY | O_TRUNC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, 4186113), 0);   /* one byte more than a RAM-volume file holds */
    close(fd);
    check_input_refused("--file=", big, "4186113 bytes, more than the guest's RAM volume holds in one file");
    unlink(big);
    check_input_refused(NULL, "build/guest/ntoskrnl.exe", "not a PE image");
    /* the kernel is laid out by the boot's own loader on this host, its errors naming the user's path */
    check_input_refused("--kernel=", "build/examples/hello.exe",
                        "not an ELF file (magic 4d 5a 90 00, expected 7f 45 4c 46)");
    fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "\x7f" "ELF", 4), 4);
    close(fd);
    check_input_refused("--kernel=", big, "truncated: ELF header ends at 0x34 but file is 0x4 bytes");
    unlink(big);
    check_input_refused("--driver=", "build/examples/hello.exe", "a driver is a PE DLL");
    check_input_refused("--ntdll=", "build/examples/hello.exe", "ntdll must be a PE DLL");
    unlink(fifo);
}
END_TEST

/* ---------------------------------------------------------------- what the tracer may read */

/* The whole of a file, NUL-terminated (a Check failure when it cannot be read). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "no %s", path);
    size_t cap = 1 << 16, n = 0, got;
    char *text = malloc(cap + 1);
    ck_assert_ptr_nonnull(text);
    while ((got = fread(text + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            text = realloc(text, (cap *= 2) + 1);
            ck_assert_ptr_nonnull(text);
        }
    }
    fclose(f);
    text[n] = '\0';
    return text;
}

/* How many lines of text hold every one of the NULL-terminated needles. */
static int lines_with(const char *text, const char *const needles[])
{
    int count = 0;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        bool all = true;
        for (int i = 0; needles[i] && all; i++) {
            const char *hit = strstr(line, needles[i]);
            all = hit && hit + strlen(needles[i]) <= line + len;
        }
        count += all;
        line += len + (end != NULL);
    }
    return count;
}

#define LINES_WITH(text, ...) lines_with(text, (const char *const[]){ __VA_ARGS__, NULL })

/*
 * A ring-3 caller whose argument block, or what an argument points at, lies in a supervisor-only page:
 * the kernel refuses the call (STATUS_ACCESS_VIOLATION), and the tracer, reading on the caller's behalf
 * as the CPU would for ring 3, finds the same memory unreadable -- by INT 2Eh, SYSENTER and SYSCALL.
 */
static const struct { const char *syscall, *kind; int status; } kernel_args_cases[] = {
    { "int2e", "int2e", 0 }, { "sysenter", "fast", 5 }, { "syscall", "fast", 5 },
};

START_TEST(trace_reads_arguments_as_the_caller_could)
{
    const char *path = "/tmp/ntv-diff-kernelargs.json";
    char syscall_opt[64];
    snprintf(syscall_opt, sizeof(syscall_opt), "--syscall=%s", kernel_args_cases[_i].syscall);
    unlink(path);
    char *nv[] = { NTVISOR, "trace", syscall_opt, "--format=json", "-o", (char *)path,
                   "build/tests/guest/kernelargs.exe", (char *)kernel_args_cases[_i].kind, NULL };
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(nv, &r), 0);
    ck_assert_msg(r.status == kernel_args_cases[_i].status, "status %d; stderr:\n%s", r.status, r.err);
    char *trace = slurp(path);
    const char *refused = "\"status\":\"0xc0000005\",\"status_name\":\"STATUS_ACCESS_VIOLATION\"";
    if (!strcmp(kernel_args_cases[_i].kind, "int2e")) {
        ck_assert_ptr_nonnull(strstr(r.out, "int2e(args-in-kernel) 0xC0000005 STATUS_ACCESS_VIOLATION\n"));
        ck_assert_int_eq(LINES_WITH(trace, "\"ev\":\"syscall\"", "\"name\":\"NtClose\""), 1);
        ck_assert_int_eq(LINES_WITH(trace, "\"ev\":\"syscall\"", "\"via\":\"int2e\",\"prev_mode\":\"User\",\"cpl\":3",
                                    "\"name\":\"NtClose\",\"argc\":1,\"args_ok\":false,\"args\":[]"), 1);
        ck_assert_int_eq(LINES_WITH(trace, "\"ev\":\"sysret\"", "\"name\":\"NtClose\"", refused), 1);
        /* pointers into the kernel: shown, never followed */
        ck_assert_int_eq(LINES_WITH(trace, "\"ev\":\"sysret\"", "\"name\":\"NtQuerySystemTime\"", refused,
                                    "\"raw\":\"0x80100000\",\"value\":\"0x80100000 <unreadable>\""), 1);
        ck_assert_int_eq(LINES_WITH(trace, "\"ev\":\"syscall\"", "\"name\":\"NtDisplayString\"",
                                    "\"raw\":\"0x80100000\",\"value\":\"0x80100000 <unreadable>\""), 1);
        ck_assert_int_eq(LINES_WITH(trace, "\"ev\":\"syscall\"", "\"name\":\"NtDisplayString\"",
                                    "<unreadable 0x80100000>\""), 1);
    } else {
        /* the kernel ran the mechanism asked for, or said which it fell back to */
        const char *via = strstr(r.out, "kernelargs: syscall with") ? "syscall" : "sysenter";
        char via_field[80];
        snprintf(via_field, sizeof(via_field), "\"via\":\"%s\",\"prev_mode\":\"User\",\"cpl\":3", via);
        ck_assert_msg(strstr(r.out, "with the arguments at 80100000\n"), "console:\n%s", r.out);
        ck_assert_msg(strstr(r.out, "unhandled exception c0000005 at 7ffe0304 (address 80100000)"), "console:\n%s",
                      r.out);
        ck_assert_int_eq(LINES_WITH(trace, "\"ev\":\"syscall\"", "\"name\":\"NtClose\""), 1);
        ck_assert_int_eq(LINES_WITH(trace, "\"ev\":\"syscall\"", via_field,
                                    "\"name\":\"NtClose\",\"argc\":1,\"args_ok\":false,\"args\":[]"), 1);
        ck_assert_int_eq(LINES_WITH(trace, "\"ev\":\"sysret\"", "\"name\":\"NtClose\"", refused), 1);
    }
    /* nothing of the kernel's page was shown as a value */
    ck_assert_ptr_null(strstr(trace, "\"raw\":\"0x80100000\",\"value\":\"0x80100000 ["));
    free(trace);
    unlink(path);
    spawn_free(&r);
}
END_TEST

/*
 * A call a hook served is named by its service number, as the dispatcher chose it; the trace also says
 * which routine ran when KiServiceTable sends it outside nt (hooks-sst.sys replaces NtReadFile's entry for
 * three reads, then restores it for a fourth): that routine is the alert's new entry, in JSON and in text.
 */
START_TEST(trace_names_the_routine_a_hook_ran)
{
    const char *json = "/tmp/ntv-diff-hooks.json", *text = "/tmp/ntv-diff-hooks.txt";
    unlink(json);
    unlink(text);
    char *nv[] = { NTVISOR, "trace", "--format=json", "-o", (char *)json, "--driver=build/examples/hooks-sst.sys",
                   "build/examples/hooks.exe", "sst", NULL };
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(nv, &r), 0);
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    spawn_free(&r);
    char *trace = slurp(json);
    const char *alert = strstr(trace, "\"what\":\"service table entry changed\"");
    ck_assert_ptr_nonnull(alert);
    const char *installed = strstr(alert, "\"new\":\"0x");
    ck_assert_ptr_nonnull(installed);
    unsigned long hook = strtoul(installed + 9, NULL, 16);
    ck_assert_uint_ge(hook, 0x80000000u);
    char routine[96];
    snprintf(routine, sizeof(routine), "\"routine\":\"0x%08lx\",\"routine_symbol\":\"outside nt\"", hook);
    ck_assert_int_eq(LINES_WITH(trace, "\"ev\":\"syscall\"", "\"name\":\"NtReadFile\""), 4);
    ck_assert_int_eq(LINES_WITH(trace, "\"ev\":\"syscall\"", "\"name\":\"NtReadFile\"", routine), 3);
    ck_assert_int_eq(LINES_WITH(trace, "\"ev\":\"sysret\"", "\"name\":\"NtReadFile\"", routine), 3);
    ck_assert_int_eq(LINES_WITH(trace, "\"routine\":"), 6);   /* no other call is said to be hooked */
    free(trace);

    char *nt[] = { NTVISOR, "trace", "-o", (char *)text, "--driver=build/examples/hooks-sst.sys",
                   "build/examples/hooks.exe", "sst", NULL };
    ck_assert_int_eq(spawn_capture(nt, &r), 0);
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    spawn_free(&r);
    trace = slurp(text);
    snprintf(routine, sizeof(routine), ") = STATUS_SUCCESS (0x0) <hooked: 0x%08lx outside nt>\n", hook);
    ck_assert_int_eq(LINES_WITH(trace, "] NtReadFile("), 4);
    ck_assert_int_eq(LINES_WITH(trace, "] NtReadFile(", "<hooked: "), 3);
    ck_assert_msg(strstr(trace, routine), "no \"%s\" in:\n%s", routine, trace);
    free(trace);
    unlink(json);
    unlink(text);
}
END_TEST

/* ---------------------------------------------------------------- nothing missed, checked from outside */

/*
 * Completeness: the same kernel and program under QEMU's TCG, one instruction per translation block and
 * no chaining, log every ring-3 INT 2Eh, SYSENTER and SYSCALL executed (-d in_asm,exec), EAX at every
 * entry of KiFastCallEntry and KiSystemService (-d cpu, filtered to those two addresses and to user
 * space, 0x400000 up: no BIOS or pre-paging boot code) and every INT 2Eh taken from ring 3 with its EAX
 * (-d int). The trace of the same run under ntvisor must hold exactly those calls, per mechanism and per
 * service: INT 2Eh from ring 3 as int2e, the fast entry as sysenter or syscall, and the other entries of
 * KiSystemService (a kernel-mode Zw call builds its own frame) as kernel-zw.
 *
 * Every example and guest test program that ends by itself, with the driver or file it needs; not
 * tests/guest/spin.exe, which never ends.
 */
static const struct completeness_case {
    const char *syscall, *program, *arg, *driver, *file;
} complete_cases[] = {
    { "int2e", "build/examples/hello.exe", "3", NULL, NULL },
    { "sysenter", "build/examples/hello.exe", "3", NULL, NULL },
    { "syscall", "build/examples/hello.exe", "3", NULL, NULL },
    { "int2e", "build/tests/guest/services.exe", NULL, NULL, NULL },
    { "sysenter", "build/tests/guest/services.exe", NULL, NULL, NULL },
    { "syscall", "build/tests/guest/services.exe", NULL, NULL, NULL },
    { "sysenter", "build/tests/guest/faults.exe", "kernel-read", NULL, NULL },
    { "syscall", "build/tests/guest/files.exe", NULL, NULL, "seed.txt" },
    { "int2e", "build/tests/guest/numbers.exe", NULL, NULL, NULL },
    { "sysenter", "build/tests/guest/objects.exe", NULL, NULL, NULL },
    { "syscall", "build/tests/guest/rtl.exe", NULL, NULL, NULL },
    { "sysenter", "build/tests/guest/bigbss.exe", NULL, NULL, NULL },
    { "int2e", "build/tests/guest/kernelargs.exe", "int2e", NULL, NULL },
    { "sysenter", "build/tests/guest/kernelargs.exe", "fast", NULL, NULL },
    { "syscall", "build/tests/guest/kernelargs.exe", "fast", NULL, NULL },
    { "sysenter", "build/examples/hooks.exe", "sst", "build/examples/hooks-sst.sys", NULL },
    { "sysenter", "build/examples/hooks.exe", "sysenter", "build/examples/hooks-sysenter.sys", NULL },
    { "syscall", "build/examples/hooks.exe", "star", "build/examples/hooks-star.sys", NULL },
    { "int2e", "build/examples/hooks.exe", "idt", "build/examples/hooks-idt.sys", NULL },
    { "int2e", "build/examples/ntzw.exe", "kernel", "build/examples/ntzw.sys", NULL },
    { "sysenter", "build/examples/ntvlog.exe", NULL, "build/examples/ntvlog.sys", NULL },
    { "syscall", "build/examples/tour.exe", NULL, "build/examples/ntzw.sys", NULL },
};

#define SEED_TEXT "first line\nsecond\n"

/* A symbol's address in the kernel image (an ELF with its symbols), by nm. */
static uint32_t kernel_symbol(const char *name)
{
    char cmd[256], line[256], sym[128];
    snprintf(cmd, sizeof(cmd), "nm %s", KERNEL);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    unsigned long addr = 0, a;
    char type;
    while (fgets(line, sizeof(line), p))
        if (sscanf(line, "%lx %c %127s", &a, &type, sym) == 3 && !strcmp(sym, name))
            addr = a;
    pclose(p);
    ck_assert_msg(addr >= 0x80000000ul, "no %s in %s", name, KERNEL);
    return (uint32_t)addr;
}

/* Per mechanism and service, the calls a JSON trace holds. */
enum { VIA_INT2E_N, VIA_FAST_N, VIA_ZW_N, VIA_N };
struct trace_counts {
    unsigned calls[VIA_N][EXEC_SERVICES];
    unsigned long total[VIA_N], other;
};

static void count_trace(const char *path, const char *fast_via, struct trace_counts *tc)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "no %s", path);
    char *line = NULL;
    size_t cap = 0;
    char fast[40];
    snprintf(fast, sizeof(fast), "\"via\":\"%s\"", fast_via);
    while (getline(&line, &cap, f) > 0) {
        if (!strstr(line, "\"ev\":\"syscall\""))
            continue;
        const char *t = strstr(line, "\"table\":"), *i = strstr(line, "\"index\":");
        ck_assert_msg(t && i, "no service in %s", line);
        unsigned slot = (unsigned)(atoi(t + 8) << 12 | atoi(i + 8)) % EXEC_SERVICES;
        int via = strstr(line, "\"via\":\"int2e\"") ? VIA_INT2E_N : strstr(line, fast) ? VIA_FAST_N
                : strstr(line, "\"via\":\"kernel-zw\"") ? VIA_ZW_N : -1;
        if (via < 0) {
            tc->other++;
            continue;
        }
        tc->calls[via][slot]++;
        tc->total[via]++;
    }
    free(line);
    fclose(f);
}

/* QEMU on the case, its log read through a FIFO as it is written; its console in *console. */
static int qemu_counted(const struct completeness_case *k, struct exec_counts *c, char **console)
{
    char dir[] = "/tmp/ntv-complete-XXXXXX", cwd[4096], path[4200], kernel[4200], initrd[16384], fifo[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    snprintf(kernel, sizeof(kernel), "%s/%s", cwd, KERNEL);
    int n = snprintf(initrd, sizeof(initrd), "%s/%s,%s/%s%s%s", cwd, NTDLL, cwd, k->program, k->arg ? " " : "",
                     k->arg ? k->arg : "");
    /* QEMU gives a module "FILE ARGS" as its command line: files named "file" and "driver" make the
       kernel's "file NAME" and "driver NAME", as ntvisor's modules are */
    if (k->file) {
        snprintf(path, sizeof(path), "%s/file", dir);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(SEED_TEXT, f);
        fclose(f);
        n += snprintf(initrd + n, sizeof(initrd) - (size_t)n, ",file %s", k->file);
    }
    if (k->driver) {
        char target[4200];
        snprintf(path, sizeof(path), "%s/driver", dir);
        snprintf(target, sizeof(target), "%s/%s", cwd, k->driver);
        ck_assert_int_eq(symlink(target, path), 0);
        const char *name = strrchr(k->driver, '/');
        snprintf(initrd + n, sizeof(initrd) - (size_t)n, ",driver %s", name + 1);
    }
    snprintf(fifo, sizeof(fifo), "%s/log", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    char filter[128], append[64], out_path[80];
    snprintf(filter, sizeof(filter), "0x400000..0x7fffffff,0x%x+1,0x%x+1", c->ki_fast_call_entry,
             c->ki_system_service);
    snprintf(append, sizeof(append), "syscall=%s", k->syscall);
    snprintf(out_path, sizeof(out_path), "%s/console", dir);
    char *qemu = getenv("QEMU_I386") ? getenv("QEMU_I386") : "/usr/bin/qemu-system-i386";
    char *qv[] = { qemu, "-accel", "tcg,one-insn-per-tb=on", "-cpu",
                   !strcmp(k->syscall, "syscall") ? QEMU_AMD_CPU : QEMU_INTEL_CPU, "-display", "none",
                   "-serial", "stdio", "-monitor", "none", "-no-reboot", "-nic", "none", "-m", "64",
                   "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", kernel, "-initrd", initrd,
                   "-append", append, "-d", "in_asm,exec,cpu,int,nochain", "-dfilter", filter, "-D", fifo, NULL };
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* a writer held until QEMU ends, so that the reader sees the end even if QEMU never opens the log */
        int w = open(fifo, O_WRONLY);
        int null = open("/dev/null", O_RDWR), out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (w < 0 || null < 0 || out < 0 || chdir(dir) < 0)
            _exit(127);
        dup2(null, 0);
        dup2(out, 1);
        dup2(null, 2);   /* QEMU's warnings about CPU features TCG lacks */
        execv(qemu, qv);
        _exit(127);
    }
    FILE *log = fopen(fifo, "r");
    ck_assert_ptr_nonnull(log);
    char err[512] = "";
    int parsed = exec_log_count(log, c, err, sizeof(err));
    fclose(log);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    *console = slurp(out_path);
    unlink(out_path);
    unlink(fifo);
    if (k->file || k->driver) {
        snprintf(path, sizeof(path), "%s/%s", dir, k->file ? "file" : "driver");
        unlink(path);
        snprintf(path, sizeof(path), "%s/driver", dir);
        unlink(path);
    }
    rmdir(dir);
    ck_assert_msg(parsed == 0, "QEMU's log: %s", err);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The first service whose counts differ, as "NAME 0xSLOT: trace T, QEMU Q"; "" when none. */
static void first_difference(const char *what, const unsigned *trace, const unsigned *qemu, char *out, size_t len)
{
    out[0] = '\0';
    for (unsigned s = 0; s < EXEC_SERVICES; s++)
        if (trace[s] != qemu[s]) {
            snprintf(out, len, "%s: service table %u index 0x%x: trace %u, QEMU %u", what, s >> 12, s & 0xFFF,
                     trace[s], qemu[s]);
            return;
        }
}

START_TEST(trace_misses_no_call_qemu_executes)
{
    const struct completeness_case *k = &complete_cases[_i];
    static struct exec_counts c;
    static struct trace_counts tc;
    static unsigned zw[EXEC_SERVICES];
    memset(&c, 0, sizeof(c));
    memset(&tc, 0, sizeof(tc));
    c.ki_fast_call_entry = kernel_symbol("KiFastCallEntry");
    c.ki_system_service = kernel_symbol("KiSystemService");
    char *console = NULL;
    int qemu_status = qemu_counted(k, &c, &console);

    const char *path = "/tmp/ntv-diff-complete.json", *seed = "/tmp/ntv-diff-seed.txt";
    char syscall_opt[64], driver_opt[256], file_opt[256];
    snprintf(syscall_opt, sizeof(syscall_opt), "--syscall=%s", k->syscall);
    char *nv[16];
    int n = 0;
    nv[n++] = NTVISOR;
    nv[n++] = "trace";
    nv[n++] = syscall_opt;
    nv[n++] = "--format=json";
    nv[n++] = "-o";
    nv[n++] = (char *)path;
    if (k->driver) {
        snprintf(driver_opt, sizeof(driver_opt), "--driver=%s", k->driver);
        nv[n++] = driver_opt;
    }
    if (k->file) {
        FILE *f = fopen(seed, "w");
        ck_assert_ptr_nonnull(f);
        fputs(SEED_TEXT, f);
        fclose(f);
        snprintf(file_opt, sizeof(file_opt), "--file=%s:%s", seed, k->file);
        nv[n++] = file_opt;
    }
    nv[n++] = (char *)k->program;
    if (k->arg)
        nv[n++] = (char *)k->arg;
    nv[n] = NULL;
    unlink(path);
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(nv, &r), 0);
    unlink(seed);
    /* the same run: the same console and the same status (isa-debug-exit loses the status's top bit) */
    ck_assert_msg(!strcmp(r.out, console), "console output differs\n--- ntvisor:\n%s--- qemu:\n%s", r.out, console);
    ck_assert_int_eq(qemu_status & 1, 1);
    ck_assert_int_eq(r.status & 0x7F, (qemu_status >> 1) & 0x7F);
    count_trace(path, k->syscall, &tc);
    unlink(path);

    char diff[160];
    ck_assert_msg(c.lines > 0 && c.insns[EXEC_SYSENTER] + c.insns[EXEC_SYSCALL] + c.insns[EXEC_INT2E] > 0,
                  "QEMU's log shows no system call (%lu lines)", c.lines);
    ck_assert_uint_eq(tc.other, 0);
    /* ring-3 INT 2Eh: executed, taken, traced */
    ck_assert_uint_eq(tc.total[VIA_INT2E_N], c.insns[EXEC_INT2E]);
    first_difference("int2e", tc.calls[VIA_INT2E_N], c.int2e_user, diff, sizeof(diff));
    ck_assert_msg(!diff[0], "%s", diff);
    /* SYSENTER or SYSCALL: executed, KiFastCallEntry entered, traced */
    ck_assert_uint_eq(c.fast_entries, c.insns[EXEC_SYSENTER] + c.insns[EXEC_SYSCALL]);
    ck_assert_uint_eq(tc.total[VIA_FAST_N], c.fast_entries);
    first_difference(k->syscall, tc.calls[VIA_FAST_N], c.fast, diff, sizeof(diff));
    ck_assert_msg(!diff[0], "%s", diff);
    /* every other entry of KiSystemService is a kernel-mode Zw call */
    unsigned long int2e_taken = 0;
    for (unsigned s = 0; s < EXEC_SERVICES; s++) {
        ck_assert_uint_ge(c.service[s], c.int2e_user[s]);
        zw[s] = c.service[s] - c.int2e_user[s];
        int2e_taken += c.int2e_user[s];
    }
    ck_assert_uint_eq(int2e_taken, c.insns[EXEC_INT2E]);
    ck_assert_uint_eq(tc.total[VIA_ZW_N], c.service_entries - int2e_taken);
    first_difference("kernel-zw", tc.calls[VIA_ZW_N], zw, diff, sizeof(diff));
    ck_assert_msg(!diff[0], "%s", diff);
    fprintf(stderr, "completeness --syscall=%s %s %s: agree on %lu int2e, %lu sysenter/syscall, %lu kernel-zw calls "
                    "(%lu log lines)\n", k->syscall, k->program, k->arg ? k->arg : "", tc.total[VIA_INT2E_N],
            tc.total[VIA_FAST_N], tc.total[VIA_ZW_N], c.lines);
    free(console);
    spawn_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("differential");
    TCase *tc = tcase_create("ntvisor-vs-qemu");
    tcase_set_timeout(tc, 180);
    tcase_add_loop_test(tc, ntvisor_and_qemu_agree, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, kernel_falls_back_without_legacy_syscall);
    tcase_add_loop_test(tc, malformed_services_module_is_refused, 0, 4);
    suite_add_tcase(s, tc);

    tc = tcase_create("host-checks");
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, trace_output_file_comes_back);
    tcase_add_test(tc, trace_output_is_written_where_it_points);
    tcase_add_test(tc, lab_command_line_is_checked);
    tcase_add_test(tc, inputs_are_checked_on_the_host);
    tcase_add_test(tc, no_lab_on_a_host_that_cannot_run_the_guest);
    suite_add_tcase(s, tc);

    tc = tcase_create("what-ran");
    tcase_set_timeout(tc, 180);
    tcase_add_loop_test(tc, trace_reads_arguments_as_the_caller_could, 0,
                        (int)(sizeof(kernel_args_cases) / sizeof(kernel_args_cases[0])));
    tcase_add_test(tc, trace_names_the_routine_a_hook_ran);
    suite_add_tcase(s, tc);

    tc = tcase_create("completeness");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, trace_misses_no_call_qemu_executes, 0,
                        (int)(sizeof(complete_cases) / sizeof(complete_cases[0])));
    suite_add_tcase(s, tc);
    return check_run(s);
}
