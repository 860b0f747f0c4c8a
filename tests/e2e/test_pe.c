/*
 * PE images through the kernel's loader (guest/rtl/image.c, guest/io/loader.c,
 * guest/ps/image.c), from mingw-w64 builds of tests/pe/: a DDK driver is
 * relocated into the top slot of the driver range and its DriverEntry runs;
 * a driver importing what ntoskrnl.exe lacks is reported and the system
 * boots on; what the monitor sees in a file (truncated, wrong machine) is
 * refused before boot (the kernel's own refusals: tests/test_pe_loader.c); a native program's imports are snapped
 * against a PE ntdll, and one it lacks stops the start with the name.
 */
#define _GNU_SOURCE   /* memmem */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spawn.h"

#define HELLO     "build/examples/hello.exe"
#define PE_DIR    "build/tests/pe/"
#define NTVPE     PE_DIR "ntvpe.sys"
#define BADIMPORT PE_DIR "ntvpe-badimport.sys"
#define NTVPE_LINE "ntvpe: DriverEntry at B7F01000, irql 0, relocated, name 26 bytes, pool yes, services yes"

static void expect_line(const struct spawn_result *r, int n, const char *expect)
{
    char line[512];
    ck_assert_msg(nth_line(r->out, n, line, sizeof(line)) == 0, "no line %d in:\n%s", n, r->out);
    ck_assert_str_eq(line, expect);
}

/* The first length bytes of from (all if 0) into to, the first occurrence of find (if any) overwritten by replace. */
static void copy_file(const char *from, const char *to, size_t length, const char *find, const char *replace,
                      size_t find_length)
{
    static char data[1 << 20];
    FILE *in = fopen(from, "rb");
    ck_assert_ptr_nonnull(in);
    size_t n = fread(data, 1, sizeof(data), in);
    fclose(in);
    if (length && length < n)
        n = length;
    if (find) {
        char *p = memmem(data, n, find, find_length);
        ck_assert_ptr_nonnull(p);
        memcpy(p, replace, find_length);
    }
    FILE *out = fopen(to, "wb");
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(fwrite(data, 1, n, out), n);
    fclose(out);
}

START_TEST(pe_driver_is_relocated_and_entered)
{
    struct spawn_result r = ntvisor("run", "--driver=" NTVPE, HELLO, NULL);
    ck_assert_msg(r.status == 0, "status %d, stderr:\n%s", r.status, r.err);
    expect_line(&r, 0, NTVPE_LINE);
    expect_line(&r, 1, "Hello from ring 3, through NtDisplayString.");
    spawn_free(&r);
}
END_TEST

/* what the kernel alone can refuse (an import it lacks) is reported, and the system boots on */
START_TEST(hostile_pe_drivers_are_reported_and_the_system_boots_on)
{
    struct spawn_result r = ntvisor("run", "--driver=" BADIMPORT, "--driver=" NTVPE, HELLO, NULL);
    ck_assert_msg(r.status == 0, "status %d, stderr:\n%s", r.status, r.err);
    expect_line(&r, 0, "ntoskrnl: driver 'ntvpe-badimport.sys': the procedure entry point NtvNoSuchRoutine "
                       "could not be located in ntoskrnl.exe");
    expect_line(&r, 1, "ntoskrnl: driver 'ntvpe-badimport.sys' not loaded (C0000139)");
    /* the failed load gave its slot back: the good driver gets the top one */
    expect_line(&r, 2, NTVPE_LINE);
    expect_line(&r, 3, "Hello from ring 3, through NtDisplayString.");
    spawn_free(&r);
}
END_TEST

/* what the monitor can see in the file is refused before the guest boots, naming the file (exit 2) */
START_TEST(malformed_pe_drivers_are_refused_before_boot)
{
    copy_file(NTVPE, "/tmp/ntv-pe-truncated.sys", 0x200, NULL, NULL, 0);
    copy_file(NTVPE, "/tmp/ntv-pe-machine.sys", 0, "PE\0\0\x4c\x01", "PE\0\0\x64\x86", 6);   /* i386 -> AMD64 */
    const char *bad[] = { "/tmp/ntv-pe-truncated.sys", "/tmp/ntv-pe-machine.sys" };
    for (int i = 0; i < 2; i++) {
        char arg[64];
        snprintf(arg, sizeof(arg), "--driver=%s", bad[i]);
        struct spawn_result r = ntvisor("run", arg, HELLO, NULL);
        ck_assert_msg(r.status == 2, "%s: status %d, stderr:\n%s", bad[i], r.status, r.err);
        ck_assert_msg(strstr(r.err, bad[i]) != NULL, "the message does not name %s:\n%s", bad[i], r.err);
        ck_assert_msg(!strstr(r.out, "Hello from ring 3"), "the guest ran:\n%s", r.out);
        spawn_free(&r);
    }
}
END_TEST

START_TEST(pe_program_imports_from_a_pe_ntdll)
{
    struct spawn_result r = ntvisor("run", "--ntdll=" PE_DIR "ntdll.dll", PE_DIR "prog.exe", NULL);
    ck_assert_msg(r.status == 0, "status %d, stdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
    expect_line(&r, 0, "Hello from a PE program, through NtDisplayString.");
    spawn_free(&r);
}
END_TEST

/* linked at 0x00120000, where the first thread's stack is: relocated, its pointers fixed up */
START_TEST(pe_program_whose_base_is_taken_is_relocated)
{
    struct spawn_result r = ntvisor("run", "--ntdll=" PE_DIR "ntdll.dll", PE_DIR "prog-stack.exe", NULL);
    ck_assert_msg(r.status == 0, "status %d, stdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
    expect_line(&r, 0, "Hello from a PE program, through NtDisplayString.");
    spawn_free(&r);
}
END_TEST

START_TEST(truncated_pe_program_is_refused)
{
    copy_file(PE_DIR "prog.exe", "/tmp/ntv-short.exe", 0x300, NULL, NULL, 0);
    struct spawn_result r = ntvisor("run", "--ntdll=" PE_DIR "ntdll.dll", "/tmp/ntv-short.exe", NULL);
    ck_assert_msg(r.status == 2, "status %d, stderr:\n%s", r.status, r.err);
    ck_assert_msg(strstr(r.err, "/tmp/ntv-short.exe") != NULL, "the message does not name the file:\n%s", r.err);
    spawn_free(&r);
}
END_TEST

START_TEST(pe_program_importing_a_missing_name_does_not_start)
{
    copy_file(PE_DIR "prog.exe", "/tmp/ntv-pe-missing.exe", 0, "NtTerminateProcess", "NtTerminateProcesz", 18);
    struct spawn_result r = ntvisor("run", "--ntdll=" PE_DIR "ntdll.dll", "/tmp/ntv-pe-missing.exe", NULL);
    ck_assert_msg(r.status != 0, "status %d", r.status);
    expect_line(&r, 0, "ntoskrnl: ntv-pe-missing.exe: the procedure entry point NtTerminateProcesz could not be "
                       "located in ntdll.dll");
    ck_assert_msg(strstr(r.out, "C0000139") || strstr(r.err, "C0000139") || strstr(r.err, "c0000139"),
                  "no STATUS_ENTRYPOINT_NOT_FOUND in:\n%s\n%s", r.out, r.err);
    spawn_free(&r);
}
END_TEST

Suite *pe_suite(void)
{
    Suite *s = suite_create("pe");
    TCase *tc = tcase_create("pe");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, pe_driver_is_relocated_and_entered);
    tcase_add_test(tc, hostile_pe_drivers_are_reported_and_the_system_boots_on);
    tcase_add_test(tc, malformed_pe_drivers_are_refused_before_boot);
    tcase_add_test(tc, pe_program_imports_from_a_pe_ntdll);
    tcase_add_test(tc, pe_program_whose_base_is_taken_is_relocated);
    tcase_add_test(tc, truncated_pe_program_is_refused);
    tcase_add_test(tc, pe_program_importing_a_missing_name_does_not_start);
    suite_add_tcase(s, tc);
    return s;
}
