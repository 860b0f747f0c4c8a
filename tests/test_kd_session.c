/*
 * The parts of a kd session that need no VM: --stop parsing, which system
 * calls are stops and what kd says at them, the -c command queue, stdin as
 * a script for the SVM lab, and the program's module name.
 */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kd/kd_script.h"
#include "kd/kd_stop.h"
#include "kd/kd_symbols.h"

/* ---------------------------------------------------------------- --stop */

START_TEST(stop_names)
{
    struct kd_stop s = { 0 };
    ck_assert_int_eq(kd_stop_parse(&s, "boot"), 0);
    ck_assert_int_eq(s.kind, KD_STOP_BOOT);
    ck_assert_int_eq(kd_stop_parse(&s, "exit"), 0);
    ck_assert_int_eq(s.kind, KD_STOP_EXIT);
    ck_assert_int_eq(kd_stop_parse(&s, "first-syscall"), 0);
    ck_assert_int_eq(s.kind, KD_STOP_FIRST_SYSCALL);
}
END_TEST

START_TEST(stop_services_take_the_nt_name)
{
    struct kd_stop s = { 0 };
    ck_assert_int_eq(kd_stop_parse(&s, "NtReadFile"), 0);
    ck_assert_int_eq(s.kind, KD_STOP_SERVICE);
    ck_assert_str_eq(s.service, "NtReadFile");
    ck_assert_int_eq(kd_stop_parse(&s, "ZwReadFile"), 0);
    ck_assert_str_eq(s.service, "NtReadFile");
    ck_assert_int_eq(kd_stop_parse(&s, "ReadFile"), 0);
    ck_assert_str_eq(s.service, "NtReadFile");
    /* "Nt" alone is not a prefix: the service would have no name */
    ck_assert_int_eq(kd_stop_parse(&s, "Nt"), 0);
    ck_assert_str_eq(s.service, "NtNt");
    ck_assert_int_eq(kd_stop_parse(&s, "Set_Event2"), 0);
    ck_assert_str_eq(s.service, "NtSet_Event2");
}
END_TEST

START_TEST(stop_refuses_what_is_no_name)
{
    char longest[KD_STOP_SERVICE_MAX + 2];
    memset(longest, 'a', sizeof(longest));
    longest[KD_STOP_SERVICE_MAX] = '\0';
    const char *bad[] = { "", "nonsense!", "Nt ReadFile", "first_syscall ", "Boot!", "nt!NtReadFile", "-" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct kd_stop s = { .kind = KD_STOP_EXIT };
        ck_assert_msg(kd_stop_parse(&s, bad[i]) < 0, "accepted '%s'", bad[i]);
        ck_assert_int_eq(s.kind, KD_STOP_EXIT);   /* left as it was */
    }
    struct kd_stop s = { 0 };
    ck_assert_int_eq(kd_stop_parse(&s, longest), 0);
    longest[KD_STOP_SERVICE_MAX] = 'a';
    longest[KD_STOP_SERVICE_MAX + 1] = '\0';
    ck_assert_int_lt(kd_stop_parse(&s, longest), 0);
}
END_TEST

static struct trace_call call(unsigned cpl, unsigned table, unsigned index, const char *name, enum trace_via via)
{
    return (struct trace_call){ .cpl = cpl, .table = table, .index = index, .name = name, .via = via };
}

START_TEST(first_syscall_is_the_programs_first)
{
    struct kd_stop s = { .kind = KD_STOP_FIRST_SYSCALL };
    struct trace_call user = call(3, 0, 0x43, "NtDisplayString", VIA_SYSENTER);
    struct trace_call kernel = call(0, 0, 0x25, "NtCreateFile", VIA_KERNEL_ZW);
    ck_assert(!kd_stop_is_call(&s, &kernel, 0));
    ck_assert(kd_stop_is_call(&s, &user, 0));
    ck_assert(!kd_stop_is_call(&s, &user, 1));
}
END_TEST

START_TEST(service_stops_at_every_call_of_it)
{
    struct kd_stop s = { 0 };
    kd_stop_parse(&s, "DisplayString");
    struct trace_call c = call(3, 0, 0x43, "NtDisplayString", VIA_INT2E);
    ck_assert(kd_stop_is_call(&s, &c, 0));
    ck_assert(kd_stop_is_call(&s, &c, 5));
    c.cpl = 0;
    ck_assert(kd_stop_is_call(&s, &c, 5));   /* from kernel mode too */
    struct trace_call other = call(3, 0, 0xb7, "NtReadFile", VIA_INT2E);
    struct trace_call unnamed = call(3, 0, 0x11c, NULL, VIA_INT2E);
    struct trace_call shadow = call(3, 1, 0x43, "NtDisplayString", VIA_INT2E);
    ck_assert(!kd_stop_is_call(&s, &other, 0));
    ck_assert(!kd_stop_is_call(&s, &unnamed, 0));
    ck_assert(!kd_stop_is_call(&s, &shadow, 0));
    struct kd_stop boot = { .kind = KD_STOP_BOOT };
    ck_assert(!kd_stop_is_call(&boot, &c, 0));
}
END_TEST

START_TEST(stop_descriptions)
{
    char buf[200];
    struct kd_stop s = { 0 };
    kd_stop_parse(&s, "ZwDisplayString");
    struct trace_call c = call(3, 0, 0x43, "NtDisplayString", VIA_INT2E);
    kd_stop_describe_call(&s, &c, buf, sizeof(buf));
    ck_assert_str_eq(buf, "system call 0x43 via nt!KiSystemService (--stop=NtDisplayString)");
    s.kind = KD_STOP_FIRST_SYSCALL;
    c = call(3, 1, 0x1b7, NULL, VIA_SYSENTER);
    kd_stop_describe_call(&s, &c, buf, sizeof(buf));
    ck_assert_str_eq(buf, "system call table 1, 0x1b7 via SYSENTER, nt!KiFastCallEntry (--stop=first-syscall)");
    kd_stop_describe_call(&s, &c, buf, 12);
    ck_assert_str_eq(buf, "system call");

    kd_stop_describe_exit(&s, "guest process exited with status 0x00000000", buf, sizeof(buf));
    ck_assert_str_eq(buf, "the guest ended: guest process exited with status 0x00000000");
    s.kind = KD_STOP_EXIT;
    kd_stop_describe_exit(&s, "guest process exited with status 0x00000007", buf, sizeof(buf));
    ck_assert_str_eq(buf, "the guest ended: guest process exited with status 0x00000007 (--stop=exit)");
}
END_TEST

/* ---------------------------------------------------------------- -c */

START_TEST(script_queue_in_order)
{
    struct kd_script s = { 0 };
    ck_assert(!s.given);
    ck_assert(!kd_script_pending(&s));
    ck_assert_ptr_null(kd_script_next(&s));
    ck_assert_int_eq(kd_script_load(&s, " ; ;r eip;; g ; r eax  ;"), 0);
    ck_assert(s.given);
    ck_assert_uint_eq(s.n, 3);
    ck_assert(kd_script_pending(&s));
    ck_assert_str_eq(kd_script_next(&s), "r eip");
    ck_assert_str_eq(kd_script_next(&s), "g ");
    ck_assert(kd_script_pending(&s));
    ck_assert_str_eq(kd_script_next(&s), "r eax  ");
    ck_assert(!kd_script_pending(&s));
    ck_assert_ptr_null(kd_script_next(&s));
    kd_script_free(&s);
    ck_assert(!s.given);
    ck_assert_uint_eq(s.n, 0);
}
END_TEST

START_TEST(script_empty_is_still_given)
{
    /* an empty -c means: no commands and no prompt, the guest runs to its end */
    struct kd_script s = { 0 };
    ck_assert_int_eq(kd_script_load(&s, ""), 0);
    ck_assert(s.given);
    ck_assert(!kd_script_pending(&s));
    kd_script_free(&s);
    ck_assert_int_eq(kd_script_load(&s, " ;\t; "), 0);
    ck_assert(s.given);
    ck_assert_uint_eq(s.n, 0);
    kd_script_free(&s);
}
END_TEST

START_TEST(script_from_stdin_joins_lines)
{
    char text[] = "r eip\r\ng\nr eax\n";
    FILE *in = fmemopen(text, strlen(text), "r");
    ck_assert_ptr_nonnull(in);
    char *script = kd_script_from_stream(in, KD_SCRIPT_MAX);
    fclose(in);
    ck_assert_str_eq(script, "r eip;;g;r eax;");
    struct kd_script s = { 0 };
    ck_assert_int_eq(kd_script_load(&s, script), 0);
    ck_assert_uint_eq(s.n, 3);
    kd_script_free(&s);
    free(script);

    /* bounded: the rest of a long stdin is not read */
    char many[] = "dd 0\ndd 4\n";
    in = fmemopen(many, strlen(many), "r");
    script = kd_script_from_stream(in, 6);
    fclose(in);
    ck_assert_str_eq(script, "dd 0;d");
    free(script);

    in = fmemopen(many, 0, "r");
    script = kd_script_from_stream(in, KD_SCRIPT_MAX);
    fclose(in);
    ck_assert_str_eq(script, "");
    free(script);
}
END_TEST

/* ---------------------------------------------------------------- the program's module */

START_TEST(program_module_names)
{
    char m[40];
    kd_program_module_name("build/examples/hello.exe", m, sizeof(m));
    ck_assert_str_eq(m, "hello");
    kd_program_module_name("tour", m, sizeof(m));
    ck_assert_str_eq(m, "tour");
    kd_program_module_name("/x/my-prog.v2.exe", m, sizeof(m));
    ck_assert_str_eq(m, "my_prog");
    kd_program_module_name("dir/.hidden", m, sizeof(m));
    ck_assert_str_eq(m, "p");
    kd_program_module_name("dir/", m, sizeof(m));
    ck_assert_str_eq(m, "p");
    /* never one of the modules kd has already */
    kd_program_module_name("x/NTDLL.exe", m, sizeof(m));
    ck_assert_str_eq(m, "NTDLL_exe");
    kd_program_module_name("nt", m, sizeof(m));
    ck_assert_str_eq(m, "nt_exe");
    kd_program_module_name("shareduserdata.exe", m, sizeof(m));
    ck_assert_str_eq(m, "shareduserdata_exe");
    /* at most 24 characters of the name */
    kd_program_module_name("abcdefghijklmnopqrstuvwxyz0123.exe", m, sizeof(m));
    ck_assert_str_eq(m, "abcdefghijklmnopqrstuvwx");
    char small[4];
    kd_program_module_name("hello.exe", small, sizeof(small));
    ck_assert_str_eq(small, "hel");
}
END_TEST

static Suite *kd_session_suite(void)
{
    Suite *s = suite_create("kd_session");
    TCase *stop = tcase_create("stop");
    tcase_add_test(stop, stop_names);
    tcase_add_test(stop, stop_services_take_the_nt_name);
    tcase_add_test(stop, stop_refuses_what_is_no_name);
    tcase_add_test(stop, first_syscall_is_the_programs_first);
    tcase_add_test(stop, service_stops_at_every_call_of_it);
    tcase_add_test(stop, stop_descriptions);
    suite_add_tcase(s, stop);
    TCase *script = tcase_create("script");
    tcase_add_test(script, script_queue_in_order);
    tcase_add_test(script, script_empty_is_still_given);
    tcase_add_test(script, script_from_stdin_joins_lines);
    suite_add_tcase(s, script);
    TCase *module = tcase_create("module");
    tcase_add_test(module, program_module_names);
    suite_add_tcase(s, module);
    return s;
}

int main(void)
{
    return check_run(kd_session_suite());
}
