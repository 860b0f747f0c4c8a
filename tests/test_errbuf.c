/* Check suite for base/errbuf.c: the message lands in the caller's buffer,
 * truncated and NUL-terminated, and the failure code comes back. */
#include <check.h>
#include <string.h>
#include "check_run.h"
#include "base/errbuf.h"

START_TEST(message_and_code)
{
    char err[64];
    ck_assert_int_eq(errbuf_fail(err, sizeof(err), "%s: %d", "kvm", 7), -1);
    ck_assert_str_eq(err, "kvm: 7");
    ck_assert_int_eq(errbuf_fail_code(err, sizeof(err), 42, "code %u", 3u), 42);
    ck_assert_str_eq(err, "code 3");
}
END_TEST

START_TEST(truncates_to_the_buffer)
{
    char err[8];
    memset(err, 'x', sizeof(err));
    errbuf_fail(err, 5, "%s", "abcdefgh");
    ck_assert_str_eq(err, "abcd");
    ck_assert_int_eq(err[5], 'x');
}
END_TEST

START_TEST(no_buffer_is_no_write)
{
    ck_assert_int_eq(errbuf_fail(NULL, 0, "ignored %d", 1), -1);
    ck_assert_int_eq(errbuf_fail_code(NULL, 16, 5, "ignored"), 5);
    char err[4] = "abc";
    errbuf_fail(err, 0, "ignored");
    ck_assert_str_eq(err, "abc");
}
END_TEST

static Suite *errbuf_suite(void)
{
    Suite *s = suite_create("errbuf");
    TCase *tc = tcase_create("fail");
    tcase_add_test(tc, message_and_code);
    tcase_add_test(tc, truncates_to_the_buffer);
    tcase_add_test(tc, no_buffer_is_no_write);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(errbuf_suite());
}
