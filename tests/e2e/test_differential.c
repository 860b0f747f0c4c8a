/*
 * Differential test: the same kernel image and program, booted by ntvisor
 * (real KVM, natively or in the SVM lab) and by qemu-system-i386 -kernel
 * (software emulation, an independent CPU model and Multiboot loader), must
 * print the same console output and end with the same status.
 */
#include <check.h>
#include "../check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "spawn.h"

#define NTVISOR "build/ntvisor"
#define KERNEL  "build/guest/ntoskrnl.exe"
#define NTDLL   "build/guest/ntdll.dll"

static const struct {
    const char *syscall, *program, *arg;
} cases[] = {
    { "int2e", "build/examples/hello.exe", "0" },
    { "sysenter", "build/examples/hello.exe", "42" },
    { "int2e", "build/tests/guest/services.exe", NULL },
    { "sysenter", "build/tests/guest/services.exe", NULL },
    { "sysenter", "build/tests/guest/faults.exe", "kernel-read" },
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
    char *qv[] = { qemu, "-accel", "tcg", "-display", "none", "-serial", "stdio", "-monitor", "none",
                   "-no-reboot", "-nic", "none", "-m", "64",
                   "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                   "-kernel", KERNEL, "-initrd", initrd, "-append", append, NULL };
    struct spawn_result b;
    ck_assert_int_eq(spawn_capture(qv, &b), 0);

    ck_assert_msg(a.out_len > 0, "ntvisor printed nothing; stderr:\n%s", a.err);
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

int main(void)
{
    Suite *s = suite_create("differential");
    TCase *tc = tcase_create("ntvisor-vs-qemu");
    tcase_set_timeout(tc, 180);
    tcase_add_loop_test(tc, ntvisor_and_qemu_agree, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, trace_output_file_comes_back);
    suite_add_tcase(s, tc);
    return check_run(s);
}
