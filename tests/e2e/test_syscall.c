/*
 * The third 32-bit mechanism: SYSCALL/SYSRET (AMD, outside 64-bit mode).
 * Under --syscall=syscall the kernel writes STAR and EFER.SCE, puts
 * `mov edx, esp; syscall; ret` at SharedUserData!SystemCallStub, and returns
 * by SYSRET; programs must behave exactly as under INT 2Eh and SYSENTER. On a
 * CPU without legacy-mode SYSCALL (Intel) ntvisor must refuse the option
 * before the guest runs. Which of the two this host is, CPUID says.
 */
#include <check.h>
#include <cpuid.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "spawn.h"
#include "trace_file.h"

#define NTVISOR  "build/ntvisor"
#define HELLO    "build/examples/hello.exe"
#define TOUR     "build/examples/tour.exe"
#define SERVICES "build/tests/guest/services.exe"
#define NTZW_SYS "build/examples/ntzw.sys"
#define HOOKS    "build/examples/hooks.exe"
#define STAR_SYS "build/examples/hooks-star.sys"
#define TRACE    "/tmp/ntv-syscall-trace.out"
#define REFUSAL  "ntvisor: --syscall=syscall needs a CPU with SYSCALL outside 64-bit mode (AMD)"

/* The question ntvisor asks, asked independently: AMD's vendor and CPUID 0x80000001 EDX bit 11. */
static bool cpu_has_legacy_syscall(void)
{
    unsigned a, b, c, d;
    char vendor[13] = { 0 };
    if (!__get_cpuid(0, &a, &b, &c, &d))
        return false;
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    return !strcmp(vendor, "AuthenticAMD") && __get_cpuid(0x80000001u, &a, &b, &c, &d) && (d & (1u << 11));
}

/* true: this CPU runs the mechanism, and r is the guest's run; false: ntvisor refused, as it must. */
static bool ran_or_refused(const struct spawn_result *r)
{
    if (cpu_has_legacy_syscall()) {
        ck_assert_msg(!strstr(r->err, REFUSAL), "refused on a CPU that has legacy SYSCALL:\n%s", r->err);
        ck_assert_msg(!strstr(r->out, "requested but"), "the kernel fell back:\n%s", r->out);
        return true;
    }
    ck_assert_int_eq(r->status, 2);
    ck_assert_msg(strstr(r->err, REFUSAL) != NULL, "no refusal on a CPU without legacy SYSCALL:\n%s", r->err);
    ck_assert_int_eq(r->out_len, 0);
    return false;
}

/* The console of the same run under SYSENTER and under SYSCALL is the same, byte for byte. */
static void check_same_console(const char *program, const char *extra)
{
    struct spawn_result a = ntvisor("run", "--syscall=sysenter", program, extra, NULL);
    struct spawn_result b = ntvisor("run", "--syscall=syscall", program, extra, NULL);
    if (ran_or_refused(&b)) {
        ck_assert_int_eq(a.status, b.status);
        ck_assert_msg(!strcmp(a.out, b.out), "console differs\n--- sysenter:\n%s--- syscall:\n%s", a.out, b.out);
    }
    spawn_free(&a);
    spawn_free(&b);
}

START_TEST(hello_syscall) { check_same_console(HELLO, "17"); }
END_TEST

START_TEST(services_syscall)
{
    struct spawn_result a = ntvisor("run", "--syscall=sysenter", SERVICES, NULL);
    struct spawn_result b = ntvisor("run", "--syscall=syscall", SERVICES, NULL);
    if (ran_or_refused(&b)) {
        ck_assert_int_eq(b.status, 0);
        char line[256];
        ck_assert_int_eq(nth_line(b.out, 0, line, sizeof(line)), 0);
        ck_assert_str_eq(line, "SystemCallStub 8b d4 0f 05 c3");   /* mov edx,esp; syscall; ret */
        /* every other line is what SYSENTER gives: argument probing, limits, statuses */
        const char *ra = strchr(a.out, '\n'), *rb = strchr(b.out, '\n');
        ck_assert(ra && rb);
        ck_assert_msg(!strcmp(ra, rb), "services differ\n--- sysenter:\n%s--- syscall:\n%s", a.out, b.out);
    }
    spawn_free(&a);
    spawn_free(&b);
}
END_TEST

START_TEST(tour_syscall) { check_same_console(TOUR, NULL); }
END_TEST

/* The tour with its driver: Nt and Zw from kernel mode, whatever the user-mode mechanism. */
START_TEST(tour_with_driver_syscall)
{
    struct spawn_result a = ntvisor("run", "--syscall=sysenter", "--driver=" NTZW_SYS, TOUR, NULL);
    struct spawn_result b = ntvisor("run", "--syscall=syscall", "--driver=" NTZW_SYS, TOUR, NULL);
    if (ran_or_refused(&b)) {
        ck_assert_int_eq(a.status, b.status);
        ck_assert_msg(!strcmp(a.out, b.out), "console differs\n--- sysenter:\n%s--- syscall:\n%s", a.out, b.out);
    }
    spawn_free(&a);
    spawn_free(&b);
}
END_TEST

/* kd: STAR's EIP field is nt!KiFastCallEntry, EFER.SCE is on, and the stub is SYSCALL's. */
START_TEST(kd_shows_the_syscall_mechanism)
{
    struct spawn_result r = ntvisor("kd", "--syscall=syscall", "--stop=exit", "-c",
                                    "rdmsr c0000081; rdmsr c0000080; u SharedUserData!SystemCallStub L3; q",
                                    HELLO, NULL);
    if (ran_or_refused(&r)) {
        ck_assert_msg(r.status == 0, "status %d, stderr:\n%s", r.status, r.err);
        unsigned hi = 0, lo = 0, efer_hi = 0, efer_lo = 0;
        const char *m = strstr(r.out, "msr[c0000081] = ");
        ck_assert_msg(m != NULL, "no STAR in:\n%s", r.out);
        ck_assert_int_eq(sscanf(m, "msr[c0000081] = %8x:%8x", &hi, &lo), 2);
        ck_assert_uint_eq(hi, 0x001b0008);   /* SYSRET CS KGDT_R3_CODE|3, SYSCALL CS KGDT_R0_CODE */
        m = strstr(r.out, "msr[c0000080] = ");
        ck_assert_msg(m != NULL, "no EFER in:\n%s", r.out);
        ck_assert_int_eq(sscanf(m, "msr[c0000080] = %8x:%8x", &efer_hi, &efer_lo), 2);
        ck_assert_uint_eq(efer_lo & 1, 1);   /* SCE */
        ck_assert_msg(strstr(r.out, "7ffe0300 8bd4             mov     edx,esp\n7ffe0302 0f05             syscall\n"
                                    "7ffe0304 c3               ret\n"),
                      "stub:\n%s", r.out);
        spawn_free(&r);

        /* ln of STAR's EIP names the entry NT points STAR at */
        char cmd[64];
        snprintf(cmd, sizeof(cmd), "ln %08x; q", lo);
        r = ntvisor("kd", "--syscall=syscall", "--stop=exit", "-c", cmd, HELLO, NULL);
        ck_assert_msg(strstr(r.out, "Exact matches:\n    nt!KiFastCallEntry\n"), "ln:\n%s", r.out);
    }
    spawn_free(&r);
}
END_TEST

/* Under SYSENTER nothing of SYSCALL's is armed: existing traces stay as they were. */
START_TEST(sysenter_leaves_star_alone)
{
    struct spawn_result r = ntvisor("kd", "--syscall=sysenter", "--stop=exit", "-c", "rdmsr c0000081; q", HELLO,
                                    NULL);
    ck_assert_msg(r.status == 0, "status %d, stderr:\n%s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "msr[c0000081] = 00000000:00000000"), "STAR:\n%s", r.out);
    spawn_free(&r);
}
END_TEST

/* hooks-star.sys repoints STAR's entry to a counting stub: calls go on through it, and back. */
static void check_star_hook(const char *keep)
{
    struct spawn_result r = ntvisor("run", "--syscall=syscall", "--driver=" STAR_SYS, HOOKS, "star", keep, NULL);
    if (ran_or_refused(&r)) {
        ck_assert_msg(r.status == 0, "status %d, stdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
        const char *common = "star install 0x00000000 STATUS_SUCCESS\nstar replaced yes\n"
                             "star NtReadFile 0x00000000 STATUS_SUCCESS\nstar NtReadFile 0x00000000 STATUS_SUCCESS\n"
                             "star NtReadFile 0x00000000 STATUS_SUCCESS\nstar data 'hook'\nstar hook-saw-calls yes\n";
        char expect[1024];
        snprintf(expect, sizeof(expect), "%s%s", common,
                 keep ? "star kept\n"
                      : "star remove 0x00000000 STATUS_SUCCESS\nstar restored yes\n"
                        "star NtReadFile(after) 0x00000000 STATUS_SUCCESS\n");
        ck_assert_str_eq(r.out, expect);
    }
    spawn_free(&r);
}

START_TEST(star_hook_keeps_the_system_working)
{
    check_star_hook(NULL);
    check_star_hook("keep");
}
END_TEST

/* Without SYSCALL armed the STAR hook has nothing to hook, and says so. */
START_TEST(star_hook_needs_syscall)
{
    struct spawn_result r = ntvisor("run", "--syscall=sysenter", "--driver=" STAR_SYS, HOOKS, "star", NULL);
    ck_assert_msg(strstr(r.out, "star install 0xC0000002 STATUS_NOT_IMPLEMENTED\nstar replaced no\n"),
                  "stdout:\n%s", r.out);
    spawn_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ traced */

/* ntvisor trace --syscall=MECH --format=json -o TRACE ARGS... */
static struct spawn_result trace_with(const char *mech, const char *a, const char *b, const char *c,
                                      const char *d, const char *e)
{
    char opt[32];
    snprintf(opt, sizeof(opt), "--syscall=%s", mech);
    unlink(TRACE);
    return ntvisor("trace", opt, "--format=json", "-o", TRACE, a, b, c, d, e, NULL);
}

/* Each syscall event as "name via", in order (a service the build does not number has the name null). */
static int call_sequence(const struct trace *t, char seq[][96], int max)
{
    int n = 0;
    for (int i = 0; i < t->n && n < max; i++) {
        const char *l = t->line[i], *name = strstr(l, "\"name\":"), *via = strstr(l, "\"via\":\"");
        if (!strstr(l, "\"ev\":\"syscall\""))
            continue;
        ck_assert_msg(name && via, "no name or via: %s", l);
        char nm[64] = "null", vi[24] = "";
        if (name[7] == '"')
            sscanf(name + 8, "%63[^\"]", nm);
        sscanf(via + 7, "%23[^\"]", vi);
        snprintf(seq[n++], 96, "%s %s", nm, vi);
    }
    return n;
}

static int count(const struct trace *t, const char *a, const char *b)
{
    int n = 0;
    for (int i = 0; i < t->n; i++)
        n += strstr(t->line[i], a) && (!b || strstr(t->line[i], b));
    return n;
}

/* hello traced through SYSCALL: its six calls, entered by SYSCALL and left by SYSRET, STAR and EFER at boot. */
START_TEST(traced_hello_syscall)
{
    struct spawn_result r = trace_with("syscall", HELLO, "3", NULL, NULL, NULL);
    if (ran_or_refused(&r)) {
        ck_assert_msg(r.status == 3, "status %d; stderr:\n%s", r.status, r.err);
        struct trace t;
        read_trace(TRACE, &t);
        static const char *const want[] = { "NtDisplayString syscall", "NtDisplayString syscall",
            "NtQuerySystemTime syscall", "NtDisplayString syscall", "NtDisplayString syscall",
            "NtTerminateProcess syscall" };
        char seq[64][96];
        ck_assert_int_eq(call_sequence(&t, seq, 64), 6);
        for (int i = 0; i < 6; i++)
            ck_assert_str_eq(seq[i], want[i]);
        ck_assert_int_eq(count(&t, "\"ev\":\"msr\"", NULL), 2);
        ck_assert_int_eq(count(&t, "\"msr\":\"0xc0000081\",\"msr_name\":\"STAR\",\"old\":\"0x0\",\"new\":\"0x1b000880",
                               NULL), 1);
        ck_assert_int_eq(count(&t, "\"msr_name\":\"EFER\"", NULL), 1);
        ck_assert_int_eq(count(&t, "SYSENTER", NULL), 0);
        ck_assert_int_eq(count(&t, "\"ev\":\"ring\",\"from\":3,\"to\":0,\"via\":\"syscall\"", NULL), 6);
        ck_assert_int_eq(count(&t, "\"ev\":\"ring\",\"from\":0,\"to\":3,\"via\":\"sysret\"", NULL), 5);
        ck_assert_int_eq(count(&t, "\"ev\":\"sysret\"", "\"status\":\"0x00000000\""), 5);
        ck_assert_int_eq(count(&t, "\"ev\":\"sysret\"", "\"unfinished\":true"), 1);
        free_trace(&t);
    }
    spawn_free(&r);
}
END_TEST

/* Each syscall event of one traced run, "name via", with the user-mode way into the kernel written as
   "user": the three mechanisms must give the same sequence. */
static int user_neutral_sequence(const char *mech, const char *a, const char *b, char seq[][96], int max)
{
    struct spawn_result r = trace_with(mech, a, b, NULL, NULL, NULL);
    if (!strcmp(mech, "syscall") && !ran_or_refused(&r)) {
        spawn_free(&r);
        return -1;
    }
    ck_assert_msg(r.status == 0, "%s: status %d; stderr:\n%s", mech, r.status, r.err);
    struct trace t;
    read_trace(TRACE, &t);
    int n = call_sequence(&t, seq, max);
    for (int i = 0; i < n; i++) {
        char *via = strrchr(seq[i], ' ');
        if (!strcmp(via, " int2e") || !strcmp(via, " sysenter") || !strcmp(via, " syscall"))
            strcpy(via, " user");
    }
    free_trace(&t);
    spawn_free(&r);
    return n;
}

/* The same program traced under INT 2Eh, SYSENTER and SYSCALL: the same services in the same order,
   by the same ways but the user-mode one. */
static void check_same_sequence(const char *a, const char *b, int n_others)
{
    static char one[512][96], two[512][96];
    int n = user_neutral_sequence("syscall", a, b, one, 512);
    if (n < 0)
        return;   /* refused on this CPU, as it must be */
    ck_assert_int_gt(n, 5);
    static const char *const others[] = { "sysenter", "int2e" };
    for (int k = 0; k < n_others; k++) {
        ck_assert_int_eq(user_neutral_sequence(others[k], a, b, two, 512), n);
        for (int i = 0; i < n; i++)
            ck_assert_msg(!strcmp(one[i], two[i]), "call %d: %s under syscall, %s under %s", i, one[i], two[i],
                          others[k]);
    }
}

/* services prints SystemCallStub byte by byte, a call each: INT 2Eh's stub is 7 bytes, the others' 5 */
START_TEST(traced_services_match_the_other_mechanisms) { check_same_sequence(SERVICES, NULL, 1); }
END_TEST

START_TEST(traced_tour_matches_the_other_mechanisms) { check_same_sequence("--driver=" NTZW_SYS, TOUR, 2); }
END_TEST

/* hooks-star.sys repoints STAR's entry: an alert naming both ends, and back; calls stay traced through it. */
START_TEST(star_hook_is_an_alert)
{
    unlink(TRACE);
    struct spawn_result r = ntvisor("trace", "--syscall=syscall", "--format=json", "-o", TRACE,
                                    "--events=msr,alert,syscall", "--driver=" STAR_SYS, HOOKS, "star", NULL);
    if (ran_or_refused(&r)) {
        ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
        ck_assert_ptr_nonnull(strstr(r.out, "star hook-saw-calls yes\n"));
        struct trace t;
        read_trace(TRACE, &t);
        ck_assert_int_eq(count(&t, "\"ev\":\"msr\",\"msr\":\"0xc0000081\"", NULL), 3);   /* boot, hook, removal */
        ck_assert_int_eq(count(&t, "\"ev\":\"alert\",\"what\":\"STAR changed\"", NULL), 2);
        ck_assert_int_eq(count(&t, "\"what\":\"STAR changed\"",
                               "\"old_symbol\":\"nt!KiFastCallEntry\",\"new_symbol\":\"outside nt\""), 1);
        ck_assert_int_eq(count(&t, "\"what\":\"STAR changed\"",
                               "\"old_symbol\":\"outside nt\",\"new_symbol\":\"nt!KiFastCallEntry\""), 1);
        ck_assert_int_eq(count(&t, "\"ev\":\"syscall\"", "\"name\":\"NtReadFile\""), 4);
        ck_assert_int_eq(count(&t, "\"ev\":\"syscall\"", "\"via\":\"sysenter\""), 0);
        free_trace(&t);
    }
    spawn_free(&r);
}
END_TEST

Suite *syscall_suite(void)
{
    Suite *s = suite_create("syscall");
    TCase *tc = tcase_create("syscall");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, hello_syscall);
    tcase_add_test(tc, services_syscall);
    tcase_add_test(tc, tour_syscall);
    tcase_add_test(tc, tour_with_driver_syscall);
    tcase_add_test(tc, kd_shows_the_syscall_mechanism);
    tcase_add_test(tc, sysenter_leaves_star_alone);
    tcase_add_test(tc, star_hook_keeps_the_system_working);
    tcase_add_test(tc, star_hook_needs_syscall);
    tcase_add_test(tc, traced_hello_syscall);
    tcase_add_test(tc, traced_services_match_the_other_mechanisms);
    tcase_add_test(tc, traced_tour_matches_the_other_mechanisms);
    tcase_add_test(tc, star_hook_is_an_alert);
    suite_add_tcase(s, tc);
    return s;
}
