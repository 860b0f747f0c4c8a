/*
 * --build: the kernel and ntdll agree on another Windows build's service
 * numbers at run time, and a program that hard-codes XP SP1's numbers
 * reaches other services there (tests/guest/numbers.c).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "spawn.h"

#define NTVISOR "build/ntvisor"
#define NUMBERS "build/tests/guest/numbers.exe"

static const struct {
    const char *build;
    const char *lines;
} expected[] = {
    { "5.1.2600-sp1-windows-xp",
      "numbers: through ntdll\n"
      "ntdll-NtDisplayString 0x00000000 STATUS_SUCCESS\n"
      "numbers: through the hard-coded 0x43\n"
      "raw-0x43 0x00000000 STATUS_SUCCESS\n"
      "raw-0x19 0xC0000008 STATUS_INVALID_HANDLE\n"
      "ntdll-NtClose 0xC0000008 STATUS_INVALID_HANDLE\n" },
    /* 0x43 is NtDeleteObjectAuditAlarm and 0x19 NtCancelTimer on Server 2003 */
    { "5.2.3790-sp0-windows-2003",
      "numbers: through ntdll\n"
      "ntdll-NtDisplayString 0x00000000 STATUS_SUCCESS\n"
      "raw-0x43 0xC0000002 STATUS_NOT_IMPLEMENTED\n"
      "raw-0x19 0xC0000002 STATUS_NOT_IMPLEMENTED\n"
      "ntdll-NtClose 0xC0000008 STATUS_INVALID_HANDLE\n" },
    /* NtCreateIoCompletion and NtAlpcCreateResourceReserve on Windows 7 SP1 */
    { "6.1.7601-sp1-windows-7",
      "numbers: through ntdll\n"
      "ntdll-NtDisplayString 0x00000000 STATUS_SUCCESS\n"
      "raw-0x43 0xC0000002 STATUS_NOT_IMPLEMENTED\n"
      "raw-0x19 0xC0000002 STATUS_NOT_IMPLEMENTED\n"
      "ntdll-NtClose 0xC0000008 STATUS_INVALID_HANDLE\n" },
};

START_TEST(build_numbering_at_run_time)
{
    char option[128];
    snprintf(option, sizeof(option), "--build=%s", expected[_i].build);
    char *argv[] = { NTVISOR, "run", option, NUMBERS, NULL };
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(argv, &r), 0);
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    ck_assert_str_eq(r.out, expected[_i].lines);
    spawn_free(&r);
}
END_TEST

START_TEST(trace_names_services_by_the_build)
{
    char *argv[] = { NTVISOR, "trace", "--build=5.2.3790-sp0-windows-2003", "-e",
                     "trace=NtDeleteObjectAuditAlarm,NtCancelTimer,NtClose", "-o", "/tmp/ntv-build.txt", NUMBERS, NULL };
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(argv, &r), 0);
    ck_assert_int_eq(r.status, 0);
    FILE *f = fopen("/tmp/ntv-build.txt", "r");
    ck_assert_ptr_nonnull(f);
    char text[8192] = "";
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "] NtDeleteObjectAuditAlarm(arg=0x"));
    ck_assert_ptr_nonnull(strstr(text, ") = STATUS_NOT_IMPLEMENTED (0xc0000002)\n"));
    ck_assert_ptr_nonnull(strstr(text, "] NtCancelTimer(arg=0x1234, arg=0x0) = STATUS_NOT_IMPLEMENTED (0xc0000002)\n"));
    ck_assert_ptr_nonnull(strstr(text, "] NtClose(Handle=0x1234) = STATUS_INVALID_HANDLE (0xc0000008)\n"));
    spawn_free(&r);
}
END_TEST

START_TEST(unknown_build_is_rejected)
{
    char *argv[] = { NTVISOR, "run", "--build=5.1.2600-sp9", NUMBERS, NULL };
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(argv, &r), 0);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "ntvisor: --build: no service table for build '5.1.2600-sp9'"));
    ck_assert_ptr_nonnull(strstr(r.err, "\n5.2.3790-sp2-windows-2003\n"));
    spawn_free(&r);
}
END_TEST

static struct spawn_result services(char *a, char *b, char *c)
{
    char *argv[] = { NTVISOR, "services", a, b, c, NULL };
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(argv, &r), 0);
    return r;
}

/* ntvisor services: the numbers above, from the same tables, and what moved between builds. */
START_TEST(services_command_tells_the_numbers)
{
    struct spawn_result r = services("NtReadFile", NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "# 5.1.2600-sp1-windows-xp: 284 services\n# number  name  args\n0x0B7  NtReadFile  9\n");
    spawn_free(&r);

    r = services("--build=5.2.3790-sp0-windows-2003", "NtDeleteObjectAuditAlarm", "NtCancelTimer");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\n0x019  NtCancelTimer  2\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "\n0x043  NtDeleteObjectAuditAlarm  3\n"));
    spawn_free(&r);

    r = services("--diff=6.1.7601-sp1-windows-7", "NtReadFile", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\nmoved    NtReadFile "));
    ck_assert_ptr_nonnull(strstr(r.out, " 0x0B7 -> 0x111\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "\n# 271 moved, 0 changed arguments, 120 added, 3 removed, 10 unchanged\n"));
    spawn_free(&r);

    r = services("--build=nope", NULL, NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "no service table for build 'nope'"));
    ck_assert_ptr_nonnull(strstr(r.err, "\n6.1.7601-sp1-windows-7\n"));
    ck_assert_int_eq(r.out_len, 0);
    spawn_free(&r);

    r = services("NtNoSuchService", NULL, NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "ntvisor: no service 'NtNoSuchService' in this build"));
    spawn_free(&r);
}
END_TEST

Suite *build_suite(void)
{
    Suite *s = suite_create("build");
    TCase *tc = tcase_create("build");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, build_numbering_at_run_time, 0, (int)(sizeof(expected) / sizeof(expected[0])));
    tcase_add_test(tc, trace_names_services_by_the_build);
    tcase_add_test(tc, unknown_build_is_rejected);
    tcase_add_test(tc, services_command_tells_the_numbers);
    suite_add_tcase(s, tc);
    return s;
}
