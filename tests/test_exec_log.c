/*
 * Check suite for tests/e2e/exec_log.c, the differential test's reader of
 * QEMU's TCG log, on logs written out here: a gate counts once it ran, and a
 * TB that QEMU logged but left at its start (an interrupt due first) does not.
 */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <string.h>
#include "e2e/exec_log.h"

#define ENTRY 0x8010d350u   /* KiFastCallEntry */

static const char *const GATE_ASM = "0x7ffe0302:  0f 05                    syscall\n";
static const char *const GATE_TRACE = "Trace 0: 0x1 [00000000/7ffe0302/000000b3/ff000000] \n";
static const char *const ENTRY_TRACE = "Trace 0: 0x2 [00000000/8010d350/000000b0/ff000000] \nEAX=000000b7 EBX=0\n";
static const char *const TIMER = "     1: v=30 e=0000 i=0 cpl=3 IP=001b:7ffe0302 pc=7ffe0302 SP=0023:0012ff00 "
                                 "env->regs[R_EAX]=000000b7\n";

static struct exec_counts count(const char *log)
{
    struct exec_counts c;
    char err[256];
    memset(&c, 0, sizeof(c));
    c.ki_fast_call_entry = ENTRY;
    FILE *f = fmemopen((void *)log, strlen(log), "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(exec_log_count(f, &c, err, sizeof(err)) == 0, "%s", err);
    fclose(f);
    return c;
}

START_TEST(a_gate_that_ran_counts_once)
{
    char log[1024];
    snprintf(log, sizeof(log), "%s%s%s", GATE_ASM, GATE_TRACE, ENTRY_TRACE);
    struct exec_counts c = count(log);
    ck_assert_uint_eq(c.insns[EXEC_SYSCALL], 1);
    ck_assert_uint_eq(c.fast_entries, 1);
    ck_assert_uint_eq(c.fast[0xB7], 1);
}
END_TEST

/* Logged, left for the timer interrupt, logged and run again: one SYSCALL, as the entries say. */
START_TEST(a_gate_left_for_an_interrupt_counts_once)
{
    char log[2048];
    snprintf(log, sizeof(log), "%s%s%s%s%s", GATE_ASM, GATE_TRACE, TIMER, GATE_TRACE, ENTRY_TRACE);
    struct exec_counts c = count(log);
    ck_assert_uint_eq(c.insns[EXEC_SYSCALL], 1);
    ck_assert_uint_eq(c.fast_entries, 1);
}
END_TEST

/* Logged twice in a row (an exit request with nothing delivered): still one. */
START_TEST(a_gate_logged_twice_in_a_row_counts_once)
{
    char log[2048];
    snprintf(log, sizeof(log), "%s%s%s%s", GATE_ASM, GATE_TRACE, GATE_TRACE, ENTRY_TRACE);
    ck_assert_uint_eq(count(log).insns[EXEC_SYSCALL], 1);
}
END_TEST

/* KiFastCallEntry's TB logged, left at its start and run again: one entry, its service counted once. */
START_TEST(an_entry_logged_twice_counts_once)
{
    char log[2048];
    snprintf(log, sizeof(log), "%s%s%s%s", GATE_ASM, GATE_TRACE, ENTRY_TRACE, ENTRY_TRACE);
    struct exec_counts c = count(log);
    ck_assert_uint_eq(c.fast_entries, 1);
    ck_assert_uint_eq(c.fast[0xB7], 1);
    ck_assert_uint_eq(c.insns[EXEC_SYSCALL], 1);
}
END_TEST

/* Two calls through the same gate are two. */
START_TEST(two_calls_through_one_gate_are_two)
{
    char log[2048];
    snprintf(log, sizeof(log), "%s%s%s%s%s", GATE_ASM, GATE_TRACE, ENTRY_TRACE, GATE_TRACE, ENTRY_TRACE);
    struct exec_counts c = count(log);
    ck_assert_uint_eq(c.insns[EXEC_SYSCALL], 2);
    ck_assert_uint_eq(c.fast_entries, 2);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("exec_log");
    TCase *tc = tcase_create("gates");
    tcase_add_test(tc, a_gate_that_ran_counts_once);
    tcase_add_test(tc, a_gate_left_for_an_interrupt_counts_once);
    tcase_add_test(tc, a_gate_logged_twice_in_a_row_counts_once);
    tcase_add_test(tc, an_entry_logged_twice_counts_once);
    tcase_add_test(tc, two_calls_through_one_gate_are_two);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(suite());
}
