/*
 * End-to-end: the amd64 guest. PE32+ programs (mk/pe64.mk) boot the long-mode
 * kernel (build/guest/amd64/ntoskrnl.exe, chosen by the program's machine) and
 * enter it by SYSCALL through KiSystemCall64 and the compacted KiServiceTable;
 * a program whose machine is not the guest's, and what the amd64 guest does
 * not have yet, are refused before boot with exit 2.
 */
#define _GNU_SOURCE   /* strstr on captures */
#include <check.h>
#include <string.h>
#include "spawn.h"

#define HELLO32 "build/examples/hello.exe"
#define HELLO64 "build/examples/amd64/hello.exe"
#define FAULTS64 "build/tests/guest/amd64/faults.exe"
#define BIGBSS64 "build/tests/guest/amd64/bigbss.exe"

static void assert_has(const char *text, const char *needle)
{
    ck_assert_msg(strstr(text, needle) != NULL, "missing \"%s\" in:\n%s", needle, text);
}

/* Each line is a service: NtDisplayString, ZwDisplayString (ntdll's same stub), NtQuerySystemTime, then
   NtTerminateProcess with main's status. */
START_TEST(hello_runs_through_kisystemcall64)
{
    struct spawn_result r = ntvisor("run", HELLO64, NULL);
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    char line[256];
    ck_assert_int_eq(nth_line(r.out, 0, line, sizeof line), 0);
    ck_assert_str_eq(line, "Hello from ring 3, through NtDisplayString.");
    assert_has(r.out, "Hello again, through ZwDisplayString: the same stub.\n");
    assert_has(r.out, "NtQuerySystemTime: STATUS_SUCCESS, year 20");
    assert_has(r.out, "hello: exiting with status 0\n");
    ck_assert_ptr_null(strstr(r.out, "services module"));   /* no i386 numbering was passed */
    spawn_free(&r);
}
END_TEST

/* A ring-3 fault ends the process with the exception's status, as on i386. */
START_TEST(user_fault_ends_the_process)
{
    struct spawn_result r = ntvisor("run", FAULTS64, "kernel-read", NULL);
    ck_assert_int_eq(r.status, 5);   /* STATUS_ACCESS_VIOLATION's low byte */
    assert_has(r.out, "unhandled exception c0000005 at 0000000140001");   /* the RIP in the image, 64 bits */
    assert_has(r.out, "process terminated");
    spawn_free(&r);
}
END_TEST

/* 24 MiB of bss runs in 64 MiB (main returns Big[1] = 1) and stops the boot in 16 MiB. */
START_TEST(big_image_fits_or_bugchecks)
{
    struct spawn_result r = ntvisor("run", BIGBSS64, NULL);
    ck_assert_msg(r.status == 1, "status %d; stderr:\n%s", r.status, r.err);
    spawn_free(&r);
    r = ntvisor("run", "--memory=16", BIGBSS64, NULL);
    ck_assert_int_eq(r.status, 123);
    assert_has(r.out, "PROCESS1_INITIALIZATION_FAILED");
    spawn_free(&r);
}
END_TEST

START_TEST(machine_must_match_the_guest)
{
    struct spawn_result r = ntvisor("run", "--arch=amd64", HELLO32, NULL);
    ck_assert_int_eq(r.status, 2);
    assert_has(r.err, HELLO32 ": an i386 image, but the guest is amd64");
    spawn_free(&r);
    r = ntvisor("run", "--arch=i386", HELLO64, NULL);
    ck_assert_int_eq(r.status, 2);
    assert_has(r.err, HELLO64 ": an amd64 image, but the guest is i386");
    spawn_free(&r);
    r = ntvisor("run", "--arch=arm64", HELLO64, NULL);
    ck_assert_int_eq(r.status, 2);
    assert_has(r.err, "--arch=arm64: the guest is i386 or amd64");
    spawn_free(&r);
}
END_TEST

START_TEST(what_amd64_lacks_is_refused_before_boot)
{
    struct spawn_result r = ntvisor("trace", HELLO64, NULL);
    ck_assert_int_eq(r.status, 2);
    assert_has(r.err, "ntvisor: trace: not available for an amd64 guest yet");
    ck_assert_ptr_null(strstr(r.err, "SVM lab"));   /* refused on the host */
    spawn_free(&r);
    r = ntvisor("run", "--build=5.1.2600-sp2-windows-xp", HELLO64, NULL);
    ck_assert_int_eq(r.status, 2);
    assert_has(r.err, "ntvisor: --build: not available for an amd64 guest yet");
    spawn_free(&r);
}
END_TEST

Suite *amd64_suite(void);
Suite *amd64_suite(void)
{
    Suite *s = suite_create("amd64");
    TCase *tc = tcase_create("guest");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, hello_runs_through_kisystemcall64);
    tcase_add_test(tc, user_fault_ends_the_process);
    tcase_add_test(tc, big_image_fits_or_bugchecks);
    tcase_add_test(tc, machine_must_match_the_guest);
    tcase_add_test(tc, what_amd64_lacks_is_refused_before_boot);
    suite_add_tcase(s, tc);
    return s;
}
