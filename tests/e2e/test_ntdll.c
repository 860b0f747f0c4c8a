/*
 * ntdll's run-time library in the guest (tests/guest/rtl.c): the PEB and
 * TEB, DbgPrint through INT 2Dh, the process heap, strings and the C
 * subset; and the tracer sees INT 2Dh as a ring change, not a service.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "spawn.h"

#define RTL "build/tests/guest/rtl.exe"

static const char expected[] =
    "teb-self yes\n"
    "peb-is-startup-argument yes\n"
    "process-heap 0x00140000\n"
    "client-id 0x10 0x14\n"
    "stack-in-tib yes\n"
    "DbgPrint 42 through INT 2Dh\n"
    "bad-debug-prints-survived yes\n"
    "alloc-in-heap yes\n"
    "alloc-aligned yes\n"
    "alloc-zeroed yes\n"
    "size 100\n"
    "free-interior 0\n"
    "free-outside 0\n"
    "free-other-heap 0\n"
    "size-bad -1\n"
    "free 1\n"
    "free-again 0\n"
    "free-null 1\n"
    "freed-block-reused yes\n"
    "realloc-keeps-and-zeroes yes\n"
    "realloc-size 300\n"
    "realloc-in-place-only-refused yes\n"
    "alloc-too-big yes\n"
    "heap-fills-then-refuses yes\n"
    "ansi-to-unicode 0x00000000 10\n"
    "equal-case-insensitive 1\n"
    "equal-case-sensitive 0\n"
    "unicode-to-ansi-short 0x80000005 Hel\n"
    "unicode-to-ansi 0x00000000 Hello\n"
    "freed-string-emptied yes\n"
    "snprintf-truncated -1\n"
    "snprintf-fits 7 1234567\n"
    "sprintf 12 sprintf-00be\n"
    "wcslen 4\n";

static const char *const mechanisms[] = { "--syscall=int2e", "--syscall=sysenter" };

START_TEST(rtl_from_ring3)
{
    struct spawn_result r = ntvisor("run", mechanisms[_i], RTL, NULL);
    ck_assert_msg(r.status == 0, "status %d, stderr:\n%s", r.status, r.err);
    ck_assert_str_eq(r.out, expected);
    spawn_free(&r);
}
END_TEST

/* Each INT 2Dh is one ring change each way; the only services are the program's own. */
START_TEST(int2d_is_not_a_system_service)
{
    struct spawn_result r = ntvisor("trace", "--syscall=sysenter", "--events=syscall,ring", RTL, NULL);
    ck_assert_msg(r.status == 0, "status %d, stderr:\n%s", r.status, r.err);
    ck_assert_str_eq(r.out, expected);
    int entries = 0, returns = 0;
    for (const char *p = r.err; (p = strstr(p, "via interrupt 0x2d")); p++)
        entries++;
    for (const char *p = r.err; (p = strstr(p, "via iret ending 0x2d")); p++)
        returns++;
    ck_assert_int_eq(entries, 4);   /* DbgPrint and the three bad buffers */
    ck_assert_int_eq(returns, 4);
    for (const char *line = r.err; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (!strncmp(line, "[1:1 ", 5))
            ck_assert_msg(strstr(line, "] NtDisplayString(") || strstr(line, "] NtTerminateProcess("),
                          "a service the program did not call: %.80s", line);
    spawn_free(&r);
}
END_TEST

Suite *ntdll_suite(void)
{
    Suite *s = suite_create("ntdll");
    TCase *tc = tcase_create("rtl");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, rtl_from_ring3, 0, (int)(sizeof(mechanisms) / sizeof(mechanisms[0])));
    tcase_add_test(tc, int2d_is_not_a_system_service);
    suite_add_tcase(s, tc);
    return s;
}
