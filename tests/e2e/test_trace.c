/*
 * End-to-end tests of `ntvisor trace`: the trace is checked against what the
 * guest program did (examples/hello, tests/guest/services and objects), under
 * both system-call mechanisms and both trap mechanisms.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "json_check.h"
#include "spawn.h"
#include "trace_file.h"

#define NTVISOR  "build/ntvisor"
#define HELLO    "build/examples/hello.exe"
#define SERVICES "build/tests/guest/services.exe"
#define OBJECTS  "build/tests/guest/objects.exe"
#define FILES    "build/tests/guest/files.exe"
#define HOOKS    "build/examples/hooks.exe"
#define NTZW     "build/examples/ntzw.exe"
#define NTVLOG   "build/examples/ntvlog.exe"
#define FAULTS   "build/tests/guest/faults.exe"
#define TOUR     "build/examples/tour.exe"
#define TRACE    "/tmp/ntv-trace.out"
#define SYSCALLS "build/bench/syscalls.exe"
#define TOUR     "build/examples/tour.exe"
#define NTZW_SYS "build/examples/ntzw.sys"
static struct spawn_result run_trace(char *const extra[])
{
    char *argv[32];
    int n = 0;
    argv[n++] = NTVISOR;
    argv[n++] = "trace";
    for (int i = 0; extra[i] && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    unlink(TRACE);
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(argv, &r), 0);
    return r;
}

static bool has(const char *line, const char *needle)
{
    return strstr(line, needle) != NULL;
}

static const char *const hello_calls[] = {
    "NtDisplayString", "NtDisplayString", "NtQuerySystemTime", "NtDisplayString", "NtDisplayString",
    "NtTerminateProcess",
};

static void check_hello_trace(const char *mechanism, const char *via, const char *back)
{
    char syscall[40];
    snprintf(syscall, sizeof(syscall), "--syscall=%s", mechanism);
    struct spawn_result r = run_trace((char *[]){ syscall, "--format=json", "-o", TRACE, HELLO, "3", NULL });
    ck_assert_msg(r.status == 3, "status %d; stderr:\n%s", r.status, r.err);
    /* the guest's console is untouched by tracing */
    ck_assert_ptr_nonnull(strstr(r.out, "Hello from ring 3, through NtDisplayString.\nHello again"));

    struct trace t;
    read_trace(TRACE, &t);
    const char *names[64];
    int n = syscall_names(&t, names, 64);
    ck_assert_int_eq(n, 6);
    for (int i = 0; i < n; i++)
        ck_assert_str_eq(names[i], hello_calls[i]);

    char via_field[40], ring_in[80], ring_out[80];
    snprintf(via_field, sizeof(via_field), "\"via\":\"%s\"", via);
    snprintf(ring_in, sizeof(ring_in), "\"ev\":\"ring\",\"from\":3,\"to\":0,\"via\":\"%s\"", via);
    /* the system call's return, not the IRETD that ends an interrupt (that one names its vector) */
    snprintf(ring_out, sizeof(ring_out), "\"ev\":\"ring\",\"from\":0,\"to\":3,\"via\":\"%s\",\"rip\"", back);
    int msr = 0, calls = 0, rets = 0, unfinished = 0, rings_in = 0, rings_out = 0, exits = 0;
    long long last_seq = 0, last_call_seq = 0;
    for (int i = 0; i < t.n; i++) {
        const char *l = t.line[i];
        long long seq = atoll(strstr(l, "\"seq\":") + 6);
        ck_assert_msg(seq > last_seq, "seq not increasing at line %d", i + 1);
        last_seq = seq;
        if (has(l, "\"ev\":\"msr\"")) {
            ck_assert_int_eq(calls, 0);          /* the MSRs are written at boot, before any call */
            msr++;
        } else if (has(l, "\"ev\":\"syscall\"")) {
            ck_assert(has(l, via_field));
            ck_assert(has(l, "\"prev_mode\":\"User\",\"cpl\":3"));
            ck_assert(has(l, "\"image\":\"hello.exe\""));
            last_call_seq = seq;
            calls++;
        } else if (has(l, "\"ev\":\"sysret\"")) {
            if (has(l, "\"unfinished\":true")) {
                ck_assert(has(l, "\"name\":\"NtTerminateProcess\""));
                unfinished++;
            } else {
                ck_assert(has(l, "\"status\":\"0x00000000\",\"status_name\":\"STATUS_SUCCESS\""));
                /* hello's calls do not nest: each return belongs to the call just made */
                char call_seq[40];
                snprintf(call_seq, sizeof(call_seq), "\"call_seq\":%lld,", last_call_seq);
                ck_assert_msg(has(l, call_seq), "unmatched: %s", l);
                rets++;
            }
        } else if (has(l, ring_in)) {
            rings_in++;
        } else if (has(l, ring_out)) {
            rings_out++;
        } else if (has(l, "\"ev\":\"exit\"")) {
            ck_assert(has(l, "\"reason\":\"process exit\",\"status\":\"0x00000003\""));
            exits++;
        }
    }
    ck_assert_int_eq(msr, 3);
    ck_assert_int_eq(calls, 6);
    ck_assert_int_eq(rets, 5);
    ck_assert_int_eq(unfinished, 1);
    ck_assert_int_eq(rings_in, 6);
    ck_assert_int_eq(rings_out, 5);
    ck_assert_int_eq(exits, 1);
    ck_assert(has(t.text, "\"msr\":\"0x176\",\"msr_name\":\"SYSENTER_EIP\",\"old\":\"0x0\""));
    ck_assert(has(t.text, "\"name\":\"String\",\"raw\":\"0x0012ffa8\",\"value\":\"0x0012ffa8 \\\"Hello from ring 3, through NtDisplayString.\\\\n\\\"\""));
    ck_assert(has(t.text, "\"name\":\"ProcessHandle\",\"raw\":\"0xffffffff\",\"value\":\"-1\"},"
                          "{\"name\":\"ExitStatus\",\"raw\":\"0x00000003\""));
    free_trace(&t);
    spawn_free(&r);
}

START_TEST(trace_hello_int2e) { check_hello_trace("int2e", "int2e", "iret"); }
END_TEST

START_TEST(trace_hello_sysenter) { check_hello_trace("sysenter", "sysenter", "sysexit"); }
END_TEST

START_TEST(trace_hello_text)
{
    struct spawn_result r = run_trace((char *[]){ "--syscall=sysenter", "-o", TRACE, HELLO, NULL });
    ck_assert_int_eq(r.status, 0);
    struct trace t;
    read_trace(TRACE, &t);
    ck_assert(has(t.line[0], "--- msr 0x174 (SYSENTER_CS): 0x0 -> 0x8 at 0x80"));
    ck_assert(has(t.text, "[1:1 sysenter] NtDisplayString(String=0x0012ffa8 \"Hello from ring 3, through "
                          "NtDisplayString.\\n\") = STATUS_SUCCESS (0x0)\n"));
    ck_assert(has(t.text, "[1:1 sysenter] NtQuerySystemTime(SystemTime=0x0012ffa8 [0x"));
    ck_assert(has(t.text, "[1:1 sysenter] NtTerminateProcess(ProcessHandle=-1, ExitStatus=0x0 STATUS_SUCCESS) = ? "
                          "<unfinished: the guest ended>\n"));
    ck_assert(has(t.line[t.n - 1], "+++ process exit (0x00000000 STATUS_SUCCESS), traced with "));
    ck_assert_ptr_null(strstr(t.text, "--- ring"));   /* ring events are off by default in text */
    free_trace(&t);
    spawn_free(&r);
}
END_TEST

START_TEST(trace_filters)
{
    struct spawn_result r = run_trace((char *[]){ "--format=json", "-o", TRACE, "-e", "trace=NtQuerySystemTime",
                                                  HELLO, NULL });
    ck_assert_int_eq(r.status, 0);
    struct trace t;
    read_trace(TRACE, &t);
    const char *names[64];
    ck_assert_int_eq(syscall_names(&t, names, 64), 1);
    ck_assert_str_eq(names[0], "NtQuerySystemTime");
    free_trace(&t);
    spawn_free(&r);

    r = run_trace((char *[]){ "--format=json", "-o", TRACE, "-e", "trace=!NtDisplayString", HELLO, NULL });
    read_trace(TRACE, &t);
    ck_assert_int_eq(syscall_names(&t, names, 64), 2);
    ck_assert_str_eq(names[0], "NtQuerySystemTime");
    ck_assert_str_eq(names[1], "NtTerminateProcess");
    ck_assert_ptr_null(strstr(t.text, "NtDisplayString"));
    free_trace(&t);
    spawn_free(&r);

    r = run_trace((char *[]){ "--format=json", "-o", TRACE, "--events=msr", HELLO, NULL });
    read_trace(TRACE, &t);
    ck_assert_int_eq(t.n, 3);
    for (int i = 0; i < t.n; i++)
        ck_assert(has(t.line[i], "\"ev\":\"msr\""));
    free_trace(&t);
    spawn_free(&r);

    r = run_trace((char *[]){ "-e", "trace=NtNoSuchService", HELLO, NULL });
    ck_assert_int_eq(r.status, 2);
    ck_assert(has(r.err, "'NtNoSuchService' is not a service of this build"));
    spawn_free(&r);
    r = run_trace((char *[]){ "--events=syscall,bogus", HELLO, NULL });
    ck_assert_int_eq(r.status, 2);
    ck_assert(has(r.err, "unknown event 'bogus'"));
    spawn_free(&r);
    /* refused before the guest runs: nothing on the console */
    r = run_trace((char *[]){ "-o", "/nonexistent-dir/trace.txt", HELLO, NULL });
    ck_assert_int_eq(r.status, 2);
    ck_assert(has(r.err, "ntvisor: /nonexistent-dir/trace.txt: No such file or directory"));
    ck_assert_str_eq(r.out, "");
    spawn_free(&r);
    r = run_trace((char *[]){ "--deep=NtNoSuchService", HELLO, NULL });
    ck_assert_int_eq(r.status, 2);
    ck_assert(has(r.err, "--deep: 'NtNoSuchService' is not a service of this build"));
    spawn_free(&r);
}
END_TEST

START_TEST(trace_summary)
{
    struct spawn_result r = run_trace((char *[]){ "-c", "-o", TRACE, HELLO, NULL });
    ck_assert_int_eq(r.status, 0);
    struct trace t;
    read_trace(TRACE, &t);
    ck_assert(has(t.line[0], "% time     seconds  usecs/call     calls    errors service"));
    int display = -1, time_calls = -1, terminate = -1, total_calls = -1;
    for (int i = 2; i < t.n; i++) {
        char name[64];
        unsigned long long calls;
        double pct, secs;
        unsigned long long usecs;
        if (sscanf(t.line[i], "%lf %lf %llu %llu %63s", &pct, &secs, &usecs, &calls, name) == 5) {
            if (!strcmp(name, "NtDisplayString"))
                display = (int)calls;
            if (!strcmp(name, "NtQuerySystemTime"))
                time_calls = (int)calls;
            if (!strcmp(name, "NtTerminateProcess"))
                terminate = (int)calls;
        }
        unsigned long long errors;
        if (sscanf(t.line[i], "%lf %lf %llu %llu %llu total", &pct, &secs, &usecs, &calls, &errors) == 5 &&
            has(t.line[i], "total"))
            total_calls = (int)calls;
    }
    ck_assert_int_eq(display, 4);
    ck_assert_int_eq(time_calls, 1);
    ck_assert_int_eq(terminate, 1);
    ck_assert_int_eq(total_calls, 6);
    free_trace(&t);
    spawn_free(&r);
}
END_TEST

/* Invalid services, unreadable argument blocks and errors, as the dispatcher saw them. */
START_TEST(trace_services_statuses)
{
    struct spawn_result r = run_trace((char *[]){ "--syscall=int2e", "--format=json", "-o", TRACE, SERVICES, NULL });
    ck_assert_int_eq(r.status, 0);
    struct trace t;
    read_trace(TRACE, &t);
    int invalid = 0, unreadable = 0;
    for (int i = 0; i < t.n; i++) {
        ck_assert(json_valid(t.line[i]));
        if (has(t.line[i], "\"ev\":\"sysret\"") && has(t.line[i], "\"name\":null")) {
            ck_assert(has(t.line[i], "\"status\":\"0xc000001c\",\"status_name\":\"STATUS_INVALID_SYSTEM_SERVICE\""));
            invalid++;
        }
        if (has(t.line[i], "\"ev\":\"syscall\"") && has(t.line[i], "\"args_ok\":false")) {
            ck_assert(has(t.line[i], "\"name\":\"NtClose\""));
            unreadable++;
        }
    }
    ck_assert_int_eq(invalid, 3);      /* service(limit), service(0xFFF), service(table1) */
    ck_assert_int_eq(unreadable, 3);   /* int2e(args-in-kernel), int2e(args-unmapped), int2e(args-wrap) */
    ck_assert(has(t.text, "\"index\":284,\"name\":null"));
    ck_assert(has(t.text, "\"table\":1,\"index\":0,\"name\":null"));
    free_trace(&t);
    spawn_free(&r);
}
END_TEST

/* Without debug registers: the same trace through patched instructions. */
START_TEST(trace_patch_fallback)
{
    setenv("NTVISOR_TRAP", "patch", 1);
    struct spawn_result r = run_trace((char *[]){ "--syscall=int2e", "--format=json", "-o", TRACE, SERVICES, NULL });
    unsetenv("NTVISOR_TRAP");
    ck_assert_int_eq(r.status, 0);
    /* the guest behaves exactly as untraced */
    ck_assert(has(r.out, "service(limit) 0xC000001C STATUS_INVALID_SYSTEM_SERVICE\n"));
    ck_assert(has(r.out, "int2e(args-ok) 0xC0000008 STATUS_INVALID_HANDLE\n"));
    struct trace t;
    read_trace(TRACE, &t);
    int calls = 0, rets = 0;
    for (int i = 0; i < t.n; i++) {
        ck_assert(json_valid(t.line[i]));
        calls += has(t.line[i], "\"ev\":\"syscall\"");
        rets += has(t.line[i], "\"ev\":\"sysret\"") && has(t.line[i], "\"unfinished\":false");
    }
    ck_assert_int_gt(calls, 40);
    ck_assert_int_eq(rets, calls - 1);     /* all but NtTerminateProcess return */
    ck_assert(has(t.line[t.n - 1], "\"trap\":\"patch\""));
    free_trace(&t);
    spawn_free(&r);
}
END_TEST

/* A call blocked in the kernel when the guest is ended is reported unfinished; the file stays valid. */
START_TEST(trace_unfinished_on_timeout_and_sigint)
{
    struct spawn_result r = run_trace((char *[]){ "--timeout=2", "--format=json", "-o", TRACE, OBJECTS,
                                                  "wait-forever", NULL });
    ck_assert_int_eq(r.status, 124);
    struct trace t;
    read_trace(TRACE, &t);
    for (int i = 0; i < t.n; i++)
        ck_assert(json_valid(t.line[i]));
    ck_assert(has(t.text, "\"name\":\"NtWaitForSingleObject\",\"unfinished\":true"));
    ck_assert(has(t.line[t.n - 1], "\"ev\":\"exit\",\"reason\":\"timeout\""));
    free_trace(&t);
    spawn_free(&r);

    /* Ctrl-C: the same, and the exit status says interrupted */
    unlink(TRACE);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(NTVISOR, NTVISOR, "trace", "--format=json", "-o", TRACE, OBJECTS, "wait-forever", (char *)NULL);
        _exit(127);
    }
    sleep(3);
    kill(pid, SIGINT);
    int st;
    waitpid(pid, &st, 0);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 130);
    read_trace(TRACE, &t);
    for (int i = 0; i < t.n; i++)
        ck_assert(json_valid(t.line[i]));
    ck_assert(has(t.text, "\"name\":\"NtWaitForSingleObject\",\"unfinished\":true"));
    ck_assert(has(t.line[t.n - 1], "\"ev\":\"exit\",\"reason\":\"interrupted\""));
    free_trace(&t);
}
END_TEST

/*
 * --deep: NtOpenFile is implemented by calling NtCreateFile directly, in kernel
 * mode, bypassing KiSystemService. Only the breakpoint in NtCreateFile's own
 * routine sees that call, and it keeps the caller's previous mode (User).
 */
START_TEST(trace_deep_sees_direct_calls)
{
    struct spawn_result r = run_trace((char *[]){ "--format=json", "-o", TRACE, "--deep=NtCreateFile",
                                                  "-e", "trace=NtCreateFile,NtOpenFile", FILES, NULL });
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    struct trace t;
    read_trace(TRACE, &t);
    int direct = 0, open_seq = 0, direct_seq = 0, direct_returned = 0, opens = 0;
    bool in_open = false;
    for (int i = 0; i < t.n; i++) {
        const char *l = t.line[i];
        ck_assert(json_valid(l));
        long long seq = atoll(strstr(l, "\"seq\":") + 6);
        if (has(l, "\"name\":\"NtOpenFile\"")) {
            in_open = has(l, "\"ev\":\"syscall\"");
            opens += in_open;
            if (in_open && !open_seq)
                open_seq = (int)seq;
        }
        if (has(l, "\"ev\":\"syscall\",\"via\":\"direct\"")) {
            /* only ever inside an NtOpenFile, with the user caller's previous mode */
            ck_assert_msg(in_open, "direct call outside NtOpenFile: %s", l);
            ck_assert(has(l, "\"prev_mode\":\"User\",\"cpl\":0"));
            ck_assert(has(l, "\"name\":\"NtCreateFile\""));
            if (!direct_seq)
                direct_seq = (int)seq;
            direct++;
        }
        if (direct_seq && has(l, "\"ev\":\"sysret\"") && has(l, "\"via\":\"direct\"")) {
            char want[40];
            snprintf(want, sizeof(want), "\"call_seq\":%d,", direct_seq);
            if (has(l, want)) {
                ck_assert(has(l, "\"status\":\"0x00000000\""));
                direct_returned++;
            }
        }
    }
    ck_assert_int_gt(open_seq, 0);
    ck_assert_int_ge(direct, 1);
    ck_assert_int_le(direct, opens);
    ck_assert_int_gt(direct_seq, open_seq);
    ck_assert_int_eq(direct_returned, 1);
    free_trace(&t);
    spawn_free(&r);
}
END_TEST

/* The value of a "key":"0x..." field in a JSON line, or 0. */
static unsigned long long hex_field(const char *line, const char *key)
{
    char pattern[64];
    snprintf(pattern, sizeof(pattern), "\"%s\":\"0x", key);
    const char *p = strstr(line, pattern);
    return p ? strtoull(p + strlen(pattern), NULL, 16) : 0;
}

/* A driver that hooks NtReadFile in KiServiceTable, and one that repoints SYSENTER_EIP: both are seen. */
START_TEST(trace_alerts_on_hooks)
{
    struct spawn_result r = run_trace((char *[]){ "--format=json", "-o", TRACE, "--events=msr,alert",
                                                  "--driver=build/examples/hooks-sst.sys", HOOKS, "sst", NULL });
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    ck_assert(has(r.out, "sst hook-saw-calls yes\n"));
    struct trace t;
    read_trace(TRACE, &t);
    unsigned long long installed_old = 0, installed_new = 0;
    int alerts = 0;
    for (int i = 0; i < t.n; i++) {
        ck_assert(json_valid(t.line[i]));
        if (!has(t.line[i], "\"ev\":\"alert\""))
            continue;
        ck_assert(has(t.line[i], "\"what\":\"service table entry changed\",\"detail\":\"KiServiceTable[0xB7] (NtReadFile) rewritten\""));
        if (alerts++ == 0) {
            installed_old = hex_field(t.line[i], "old");
            installed_new = hex_field(t.line[i], "new");
            ck_assert(installed_old >= 0x80000000ull && installed_new != installed_old);
            /* named by the kernel's symbols: the routine replaced, and a hook outside the kernel */
            ck_assert(has(t.line[i], "\"old_symbol\":\"nt!NtReadFile\",\"new_symbol\":\"outside nt\""));
        } else {
            /* the hook removed: the entry is back where it was */
            ck_assert_uint_eq(hex_field(t.line[i], "old"), installed_new);
            ck_assert_uint_eq(hex_field(t.line[i], "new"), installed_old);
        }
    }
    ck_assert_int_eq(alerts, 2);
    free_trace(&t);
    spawn_free(&r);

    r = run_trace((char *[]){ "--syscall=sysenter", "--format=json", "-o", TRACE, "--events=msr,alert,syscall",
                              "--driver=build/examples/hooks-sysenter.sys", HOOKS, "sysenter", NULL });
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    read_trace(TRACE, &t);
    int eip_writes = 0, reads = 0;
    alerts = 0;
    for (int i = 0; i < t.n; i++) {
        ck_assert(json_valid(t.line[i]));
        eip_writes += has(t.line[i], "\"ev\":\"msr\",\"msr\":\"0x176\"");
        alerts += has(t.line[i], "\"ev\":\"alert\",\"what\":\"SYSENTER_EIP changed\"");
        reads += has(t.line[i], "\"ev\":\"syscall\"") && has(t.line[i], "\"name\":\"NtReadFile\"");
    }
    ck_assert_int_eq(eip_writes, 3);   /* boot, the hook, its removal */
    ck_assert(has(t.text, "\"old_symbol\":\"nt!KiFastCallEntry\",\"new_symbol\":\"outside nt\""));
    ck_assert_int_eq(alerts, 2);
    ck_assert_int_eq(reads, 4);        /* traced through the hook's entry too */
    free_trace(&t);
    spawn_free(&r);

    /* IDT gate 0x2E repointed: noticed when the installing call returns; calls stay traced */
    r = run_trace((char *[]){ "--syscall=int2e", "--format=json", "-o", TRACE, "--events=alert,syscall",
                              "--driver=build/examples/hooks-idt.sys", HOOKS, "idt", NULL });
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    ck_assert(has(r.out, "idt hook-saw-calls yes\n"));
    read_trace(TRACE, &t);
    unsigned long long gate_old = 0, gate_new = 0;
    alerts = reads = 0;
    int reads_before = -1, reads_hooked = -1;
    for (int i = 0; i < t.n; i++) {
        ck_assert(json_valid(t.line[i]));
        if (has(t.line[i], "\"ev\":\"syscall\"") && has(t.line[i], "\"name\":\"NtReadFile\""))
            reads++;
        if (!has(t.line[i], "\"ev\":\"alert\",\"what\":\"IDT gate 0x2E changed\""))
            continue;
        if (alerts++ == 0) {
            gate_old = hex_field(t.line[i], "old");
            gate_new = hex_field(t.line[i], "new");
            reads_before = reads;
        } else {
            ck_assert_uint_eq(hex_field(t.line[i], "old"), gate_new);
            ck_assert_uint_eq(hex_field(t.line[i], "new"), gate_old);
            reads_hooked = reads - reads_before;
        }
    }
    ck_assert_int_eq(alerts, 2);
    ck_assert(gate_old >= 0x80000000ull && gate_new != gate_old);
    ck_assert_int_eq(reads_hooked, 3);   /* through the hook */
    ck_assert_int_eq(reads, 4);          /* and one after it is gone */
    free_trace(&t);
    spawn_free(&r);
}
END_TEST

/* A number after key in ntvisor's bench-stats line (stderr), or -1. */
static long stat_of(const char *err, const char *key)
{
    const char *line = strstr(err, "ntvisor: bench-stats {");
    char pattern[64];
    snprintf(pattern, sizeof(pattern), "\"%s\":", key);
    const char *p = line ? strstr(line, pattern) : NULL;
    return p ? strtol(p + strlen(pattern), NULL, 10) : -1;
}

static long ioctls_besides_run(const char *err)
{
    static const char *const kinds[] = { "KVM_GET_REGS", "KVM_SET_REGS", "KVM_GET_SREGS", "KVM_SET_SREGS",
                                         "KVM_GET_MSRS", "KVM_SET_MSRS", "KVM_SET_GUEST_DEBUG",
                                         "KVM_GET_MP_STATE", "other" };
    long n = 0;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        long v = stat_of(err, kinds[i]);
        ck_assert_msg(v >= 0, "no %s in bench-stats:\n%s", kinds[i], err);
        n += v;
    }
    return n;
}

/* The counters of a traced run of the benchmark's loop of calls (NtYieldExecution). */
static struct spawn_result counted_trace(const char *mechanism, bool one_exit, const char *calls)
{
    setenv("NTVISOR_BENCH_STATS", "1", 1);
    struct spawn_result r = run_trace((char *[]){ (char *)mechanism, one_exit ? "--one-exit" : "--format=json",
                                                  "--format=json", "--events=exit", "-o", TRACE, SYSCALLS,
                                                  (char *)calls, NULL });
    unsetenv("NTVISOR_BENCH_STATS");
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    ck_assert_msg(stat_of(r.err, "monitor_exits") > 0, "no bench-stats line:\n%s", r.err);
    return r;
}

/* 500 more traced calls: at most 2 exits each reach the monitor (entry and return; the loop's
   console line may differ by a few characters), exactly 1 with --one-exit, and no ioctl besides
   KVM_RUN where KVM syncs registers (at most one per call otherwise is the goal; KVM_GET_REGS and
   KVM_GET_SREGS it is). */
START_TEST(trace_call_costs_two_monitor_exits_and_no_ioctl)
{
    static const char *const mechanisms[] = { "--syscall=int2e", "--syscall=sysenter" };
    for (size_t k = 0; k < 4; k++) {
        size_t m = k % 2;
        bool one_exit = k >= 2;
        struct spawn_result few = counted_trace(mechanisms[m], one_exit, "50");
        struct spawn_result more = counted_trace(mechanisms[m], one_exit, "550");
        long exits = stat_of(more.err, "monitor_exits") - stat_of(few.err, "monitor_exits");
        long per_call = one_exit ? 1 : 2;
        ck_assert_msg(exits >= per_call * 500 && exits <= per_call * 500 + 32, "%s%s: %ld exits for 500 calls",
                      mechanisms[m], one_exit ? " --one-exit" : "", exits);
        long ioctls = ioctls_besides_run(more.err) - ioctls_besides_run(few.err);
        if (strstr(more.err, "\"sync_regs\":true"))
            ck_assert_msg(ioctls == 0, "%s: %ld ioctls besides KVM_RUN for 500 calls", mechanisms[m], ioctls);
        else
            ck_assert_msg(ioctls <= 3 * 2 * 500, "%s: %ld ioctls for 500 calls", mechanisms[m], ioctls);
        spawn_free(&few);
        spawn_free(&more);
    }
}
END_TEST

/* A sysret event without what differs from run to run: numbering, times, and the clock's value. */
static void sysret_key(const char *line, char *key, size_t len)
{
    static const char *const varying[] = { "\"seq\":", "\"t_ns\":", "\"duration_ns\":", "\"call_seq\":" };
    snprintf(key, len, "%s", line);
    for (size_t i = 0; i < sizeof(varying) / sizeof(varying[0]); i++) {
        char *p = strstr(key, varying[i]);
        if (!p)
            continue;
        char *end = p + strlen(varying[i]);
        while (*end && *end != ',' && *end != '}')
            end++;
        memmove(p, *end == ',' ? end + 1 : end, strlen(end) + 1);
    }
    char *args = strstr(key, "\"args\":");
    if (strstr(key, "\"name\":\"NtQuerySystemTime\"") && args)
        *args = '\0';
}

/* The trace's sysret events, one key per call, in the order calls returned. */
static int sysret_keys(const char *path, char keys[][1024], int max)
{
    struct trace t;
    int n = 0;
    read_trace(path, &t);
    for (int i = 0; i < t.n && n < max; i++) {
        ck_assert(json_valid(t.line[i]));
        if (has(t.line[i], "\"ev\":\"sysret\""))
            sysret_key(t.line[i], keys[n++], sizeof(keys[0]));
    }
    free_trace(&t);
    return n;
}

/* --one-exit reports what the normal mode does: each call's service, arguments, NTSTATUS, outputs
   and return address, in the order the calls returned (NtTerminateProcess unfinished in both),
   for hello and for the tour with its driver (nested kernel-mode Zw calls), by both mechanisms. */
START_TEST(one_exit_reports_the_same_calls)
{
    static char normal[256][1024], one[256][1024];
    static const char *const runs[][3] = {
        { "--syscall=sysenter", HELLO, NULL }, { "--syscall=int2e", HELLO, NULL },
        { "--syscall=sysenter", "--driver=" NTZW_SYS, TOUR }, { "--syscall=int2e", "--driver=" NTZW_SYS, TOUR },
    };
    for (size_t k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
        char *argv[2][8];
        int n[2];
        for (int mode = 0; mode < 2; mode++) {
            int a = 0;
            if (mode)
                argv[mode][a++] = "--one-exit";
            argv[mode][a++] = "--format=json";
            argv[mode][a++] = "-o";
            argv[mode][a++] = TRACE;
            for (int i = 0; i < 3 && runs[k][i]; i++)
                argv[mode][a++] = (char *)runs[k][i];
            argv[mode][a] = NULL;
            struct spawn_result r = run_trace(argv[mode]);
            ck_assert_msg(r.status == 0 || r.status == 3, "status %d; stderr:\n%s", r.status, r.err);
            spawn_free(&r);
            n[mode] = sysret_keys(TRACE, mode ? one : normal, 256);
        }
        ck_assert_int_ge(n[0], 6);
        ck_assert_int_eq(n[1], n[0]);
        for (int i = 0; i < n[0]; i++)
            ck_assert_str_eq(one[i], normal[i]);
        ck_assert(has(normal[n[0] - 1], "\"name\":\"NtTerminateProcess\",\"unfinished\":true"));
    }
}
END_TEST

/*
 * The articles' scenario 2 from outside: a driver acting for the user thread
 * calls NtReadFile directly (previous mode stays User: access violation on a
 * kernel buffer) and ZwReadFile (through KiSystemService with a kernel-mode
 * frame: previous mode Kernel, success), nested in the user's IOCTL.
 */
START_TEST(trace_kernel_zw_and_direct_calls)
{
    struct spawn_result r = run_trace((char *[]){ "--syscall=sysenter", "--format=json", "-o", TRACE,
                                                  "--deep=NtReadFile", "-e", "trace=NtReadFile,NtDeviceIoControlFile",
                                                  "--driver=build/examples/ntzw.sys", NTZW, "kernel", NULL });
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    ck_assert(has(r.out, "2 ZwReadFile(kernel-buffer) 0x00000000 STATUS_SUCCESS\n"));
    struct trace t;
    read_trace(TRACE, &t);
    int depth = 0, zw = 0, direct = 0;
    long long zw_seq = 0, direct_seq = 0;
    for (int i = 0; i < t.n; i++) {
        const char *l = t.line[i];
        ck_assert(json_valid(l));
        long long seq = atoll(strstr(l, "\"seq\":") + 6);
        if (has(l, "\"name\":\"NtDeviceIoControlFile\""))
            depth += has(l, "\"ev\":\"syscall\"") ? 1 : -1;
        if (has(l, "\"ev\":\"syscall\",\"via\":\"kernel-zw\"") && has(l, "\"name\":\"NtReadFile\"")) {
            ck_assert(has(l, "\"prev_mode\":\"Kernel\",\"cpl\":0"));
            ck_assert_int_eq(depth, 1);   /* inside the user's IOCTL */
            if (!zw_seq)
                zw_seq = seq;
            zw++;
        }
        if (has(l, "\"ev\":\"syscall\",\"via\":\"direct\"") && has(l, "\"name\":\"NtReadFile\"")) {
            ck_assert(has(l, "\"prev_mode\":\"User\",\"cpl\":0"));
            ck_assert_int_eq(depth, 1);
            if (!direct_seq)
                direct_seq = seq;
            direct++;
        }
        char want[48];
        snprintf(want, sizeof(want), "\"call_seq\":%lld,", zw_seq);
        if (zw_seq && has(l, "\"ev\":\"sysret\"") && has(l, want))
            ck_assert(has(l, "\"status\":\"0x00000000\""));
        snprintf(want, sizeof(want), "\"call_seq\":%lld,", direct_seq);
        if (direct_seq && has(l, "\"ev\":\"sysret\"") && has(l, want))
            ck_assert(has(l, "\"status\":\"0xc0000005\",\"status_name\":\"STATUS_ACCESS_VIOLATION\""));
    }
    ck_assert_int_eq(depth, 0);
    ck_assert_int_ge(zw, 1);
    ck_assert_int_ge(direct, 2);    /* scenario 2's kernel buffer, scenario 3's user buffer */
    ck_assert(direct_seq < zw_seq);
    free_trace(&t);
    spawn_free(&r);
}
END_TEST

/* The line of the first call of a service in a text trace, or NULL. */
static const char *text_call(const struct trace *t, const char *service, int nth)
{
    char want[80];
    snprintf(want, sizeof(want), "] %s(", service);
    for (int i = 0; i < t->n; i++)
        if ((has(t->line[i], want) || (has(t->line[i], "<... resumed> ") && has(t->line[i], want + 2))) &&
            !has(t->line[i], "<unfinished ...>") && nth-- == 0)
            return t->line[i];
    return NULL;
}

/*
 * -X and -y over the tour: its NtCreateFile's flags by name (tour.c passes
 * GENERIC_READ | GENERIC_WRITE, FILE_ATTRIBUTE_NORMAL, FILE_OVERWRITE_IF,
 * FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE), its IOCTL as a
 * CTL_CODE, and each handle named after what opened it until it is closed.
 */
START_TEST(trace_symbolic_arguments_and_handle_names)
{
    struct spawn_result r = run_trace((char *[]){ "-y", "-o", TRACE, "--driver=build/examples/ntzw.sys", TOUR, NULL });
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    struct trace t;
    read_trace(TRACE, &t);
    const char *create = text_call(&t, "NtCreateFile", 0);
    ck_assert_ptr_nonnull(create);
    ck_assert_msg(has(create, "NtCreateFile(FileHandle=0x0012") && has(create, " [0x4<\\??\\C:\\tour.log>], "
                                                                             "DesiredAccess=GENERIC_READ|GENERIC_WRITE, "),
                  "%s", create);
    ck_assert_msg(has(create, "Attributes=OBJ_CASE_INSENSITIVE}"), "%s", create);
    ck_assert_msg(has(create, ", FileAttributes=FILE_ATTRIBUTE_NORMAL, ShareAccess=0, CreateDisposition=FILE_OVERWRITE_IF, "
                              "CreateOptions=FILE_SYNCHRONOUS_IO_NONALERT|FILE_NON_DIRECTORY_FILE, "), "%s", create);
    const char *write = text_call(&t, "NtWriteFile", 0);
    ck_assert_ptr_nonnull(write);
    ck_assert_msg(has(write, "NtWriteFile(FileHandle=0x4<\\??\\C:\\tour.log>, "), "%s", write);
    const char *reopen = text_call(&t, "NtOpenFile", 0);
    ck_assert_msg(reopen && has(reopen, "DesiredAccess=GENERIC_READ, ") &&
                  has(reopen, "ShareAccess=FILE_SHARE_READ, OpenOptions=FILE_SYNCHRONOUS_IO_NONALERT)"), "%s", reopen);
    const char *ioctl = text_call(&t, "NtDeviceIoControlFile", 0);
    ck_assert_ptr_nonnull(ioctl);
    ck_assert_msg(has(ioctl, "(FileHandle=0x8<\\??\\NtZw>, ") &&
                  has(ioctl, ", IoControlCode=CTL_CODE(0x8000, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS), "), "%s", ioctl);
    /* the driver's ZwReadFile, in the program's process, uses the program's handle */
    int kernel_reads = 0;
    for (int i = 0; i < t.n; i++)
        kernel_reads += has(t.line[i], "[1:1 kernel-zw] NtReadFile(FileHandle=0x4<\\??\\C:\\tour.log>, ");
    ck_assert_int_eq(kernel_reads, 1);
    /* closed: named on its NtClose, then no more */
    ck_assert_str_eq(strstr(text_call(&t, "NtClose", 0), "NtClose"),
                     "NtClose(Handle=0x4<\\??\\C:\\tour.log>) = STATUS_SUCCESS (0x0)");
    ck_assert_str_eq(strstr(text_call(&t, "NtClose", 1), "NtClose"), "NtClose(Handle=0x8<\\??\\NtZw>) = STATUS_SUCCESS (0x0)");
    ck_assert_str_eq(strstr(text_call(&t, "NtClose", 2), "NtClose"),
                     "NtClose(Handle=0x4<\\??\\C:\\tour.log>) = STATUS_SUCCESS (0x0)");
    ck_assert_str_eq(strstr(text_call(&t, "NtClose", 3), "NtClose"), "NtClose(Handle=0x4) = STATUS_INVALID_HANDLE (0xc0000008)");
    free_trace(&t);
    spawn_free(&r);

    r = run_trace((char *[]){ "-X", "bogus", TOUR, NULL });
    ck_assert_int_eq(r.status, 2);
    ck_assert(has(r.err, "-X must be raw, abbrev or verbose, not 'bogus'"));
    spawn_free(&r);
}
END_TEST

/* -X verbose and -yy in JSON: numbers with their names, "decoded" beside them; an unnamed event is <Event>. */
START_TEST(trace_json_decoded_and_event_handles)
{
    struct spawn_result r = run_trace((char *[]){ "--format=json", "-X", "verbose", "-yy", "-o", TRACE, "--events=syscall",
                                                  OBJECTS, NULL });
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    struct trace t;
    read_trace(TRACE, &t);
    int creates = 0, sets = 0;
    for (int i = 0; i < t.n; i++) {
        const char *l = t.line[i];
        ck_assert(json_valid(l));
        if (creates == 0 && has(l, "\"ev\":\"syscall\"") && has(l, "\"name\":\"NtCreateEvent\"")) {
            ck_assert_msg(has(l, "{\"name\":\"DesiredAccess\",\"raw\":\"0x001f0003\",\"value\":\"0x1f0003 /* EVENT_ALL_ACCESS */\","
                                 "\"decoded\":\"EVENT_ALL_ACCESS\"}"), "%s", l);
            ck_assert_msg(has(l, "{\"name\":\"EventType\",\"raw\":\"0x00000000\",\"value\":\"0 /* NotificationEvent */\","
                                 "\"decoded\":\"NotificationEvent\"}"), "%s", l);
            creates++;
        }
        if (creates == 1 && has(l, "\"ev\":\"sysret\"") && has(l, "\"name\":\"NtCreateEvent\"")) {
            ck_assert_msg(has(l, "<Event>]\",\"decoded\":\"Event\"}"), "%s", l);
            creates++;
        }
        if (has(l, "\"ev\":\"syscall\"") && has(l, "\"name\":\"NtSetEvent\"") && sets++ == 0)
            ck_assert_msg(has(l, "<Event>\",\"decoded\":\"Event\"}"), "%s", l);
    }
    ck_assert_int_eq(creates, 2);
    ck_assert_int_ge(sets, 1);
    free_trace(&t);
    spawn_free(&r);
}
END_TEST

/* -e trace=%class: the tour's file services only; mixed with a name; negated; handles named even so. */
START_TEST(trace_service_classes)
{
    struct spawn_result r = run_trace((char *[]){ "--format=json", "-o", TRACE, "-e", "trace=%file", TOUR, NULL });
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    struct trace t;
    read_trace(TRACE, &t);
    const char *names[256];
    int n = syscall_names(&t, names, 256), creates = 0, opens = 0;
    ck_assert_int_ge(n, 5);
    for (int i = 0; i < n; i++) {
        ck_assert_msg(strstr(names[i], "File") != NULL, "%s under %%file", names[i]);
        creates += !strcmp(names[i], "NtCreateFile");
        opens += !strcmp(names[i], "NtOpenFile");
    }
    ck_assert_int_eq(creates, 1);
    ck_assert_int_eq(opens, 2);   /* the log again, and \??\NtZw (which fails without the driver) */
    free_trace(&t);
    spawn_free(&r);

    r = run_trace((char *[]){ "--format=json", "-o", TRACE, "-e", "trace=%file,NtClose", TOUR, NULL });
    read_trace(TRACE, &t);
    n = syscall_names(&t, names, 256);
    int closes = 0;
    for (int i = 0; i < n; i++) {
        closes += !strcmp(names[i], "NtClose");
        ck_assert_msg(strstr(names[i], "File") || !strcmp(names[i], "NtClose"), "%s", names[i]);
    }
    ck_assert_int_eq(closes, 3);
    free_trace(&t);
    spawn_free(&r);

    /* all but the file services; their handles are named all the same */
    r = run_trace((char *[]){ "-y", "-o", TRACE, "-e", "trace=!%file", TOUR, NULL });
    read_trace(TRACE, &t);
    ck_assert_ptr_null(strstr(t.text, "File("));
    ck_assert(has(t.text, "] NtClose(Handle=0x4<\\??\\C:\\tour.log>) = STATUS_SUCCESS (0x0)\n"));
    ck_assert(has(t.text, "] NtDisplayString("));
    free_trace(&t);
    spawn_free(&r);

    r = run_trace((char *[]){ "-e", "trace=%nope", TOUR, NULL });
    ck_assert_int_eq(r.status, 2);
    ck_assert(has(r.err, "'%nope' is not a class (%file, %memory, %sync, %process, %registry, %handle)"));
    spawn_free(&r);
}
END_TEST

/*
 * Scenario 4 from outside: the logging driver's ZwWriteFile from its dispatch
 * routine runs in the program's process; from a work item it runs in the
 * System process on the worker thread, where the program's handle is
 * STATUS_INVALID_HANDLE (ntvlog-user.sys, built with USER_HANDLE) and an
 * OBJ_KERNEL_HANDLE one works (ntvlog.sys).
 */
/* One build of the logging driver traced: its ZwWriteFile calls, where they ran and what they returned. */
static void check_work_item_handles(const char *driver, int expect_system_ok, int expect_system_refused)
{
    struct spawn_result r = run_trace((char *[]){ "--format=json", "-o", TRACE, "--events=syscall",
                                                  "-e", "trace=NtWriteFile", (char *)driver, NTVLOG, NULL });
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    struct trace t;
    read_trace(TRACE, &t);
    int user_space = 0, system_ok = 0, system_refused = 0;
    for (int i = 0; i < t.n; i++) {
        const char *l = t.line[i];
        ck_assert(json_valid(l));
        if (has(l, "\"ev\":\"syscall\"")) {
            ck_assert(has(l, "\"via\":\"kernel-zw\",\"prev_mode\":\"Kernel\",\"cpl\":0"));
            ck_assert(has(l, "\"pid\":1,\"tid\":1,\"image\":\"ntvlog.exe\"") ||
                      has(l, "\"pid\":2,\"tid\":2,\"image\":\"System\""));
            continue;
        }
        if (has(l, "\"pid\":1,\"tid\":1,") && has(l, "\"status\":\"0x00000000\""))
            user_space++;
        if (has(l, "\"pid\":2,\"tid\":2,")) {
            bool kernel_handle = hex_field(strstr(l, "\"name\":\"FileHandle\""), "raw") >= 0x80000000ull;
            if (kernel_handle) {
                ck_assert(has(l, "\"status\":\"0x00000000\""));
                system_ok++;
            } else {
                ck_assert(has(l, "\"status\":\"0xc0000008\",\"status_name\":\"STATUS_INVALID_HANDLE\""));
                system_refused++;
            }
        }
    }
    ck_assert_int_eq(user_space, 1);   /* the dispatch routine's, in the program's process */
    ck_assert_int_eq(system_ok, expect_system_ok);
    ck_assert_int_eq(system_refused, expect_system_refused);
    free_trace(&t);
    spawn_free(&r);
}

/* the work item's and the timer DPC's work item's writes: refused with a process handle, done with a kernel one */
START_TEST(trace_work_item_handles)
{
    check_work_item_handles("--driver=build/examples/ntvlog-user.sys", 0, 2);
    check_work_item_handles("--driver=build/examples/ntvlog.sys", 2, 0);
}
END_TEST

/*
 * Exceptions taken in ring 3 are ring changes too: the trace names the vector
 * and the faulting EIP, and that EIP is the one the kernel itself reports.
 * An interrupt's return names the vector it ends. Both trap mechanisms: with
 * patches, an interrupt must not slip into the step over one.
 */
static const struct { const char *kind; unsigned vector, status; } ring3_exceptions[] = {
    { "kernel-read", 14, 0xC0000005 }, { "ud2", 6, 0xC000001D }, { "divide", 0, 0xC0000094 },
};

START_TEST(trace_ring3_exceptions)
{
    const unsigned n_cases = sizeof(ring3_exceptions) / sizeof(ring3_exceptions[0]);
    const unsigned c = (unsigned)_i % n_cases;
    const char *kind = ring3_exceptions[c].kind;
    if ((unsigned)_i >= n_cases)
        setenv("NTVISOR_TRAP", "patch", 1);
    struct spawn_result r = run_trace((char *[]){ "--format=json", "-o", TRACE, "--events=ring", FAULTS,
                                                  (char *)kind, NULL });
    unsetenv("NTVISOR_TRAP");
    ck_assert_msg(r.status == (int)(ring3_exceptions[c].status & 0xFF), "%s: status %d; stderr:\n%s",
                  kind, r.status, r.err);
    const char *report = strstr(r.out, "unhandled exception ");
    ck_assert_msg(report != NULL, "%s: no kernel report in:\n%s", kind, r.out);
    unsigned code, eip;
    ck_assert_int_eq(sscanf(report, "unhandled exception %x at %x", &code, &eip), 2);
    ck_assert_uint_eq(code, ring3_exceptions[c].status);

    struct trace t;
    read_trace(TRACE, &t);
    char expect[120];
    snprintf(expect, sizeof(expect), "\"from\":3,\"to\":0,\"via\":\"exception\",\"vector\":%u,\"rip\":\"0x%08x\"",
             ring3_exceptions[c].vector, eip);
    int exceptions = 0, matching = 0;
    for (int i = 0; i < t.n; i++) {
        const char *l = t.line[i];
        ck_assert(json_valid(l));
        ck_assert(has(l, "\"ev\":\"ring\""));
        if (has(l, "\"via\":\"exception\"")) {
            exceptions++;
            matching += has(l, expect);
        }
        if (has(l, "\"via\":\"iret\",\"vector\":")) {
            ck_assert(has(l, "\"from\":0,\"to\":3,"));
            ck_assert_msg(!has(l, "\"vector\":14,") && !has(l, "\"vector\":6,") && !has(l, "\"vector\":0,"),
                          "the process ended in its exception, yet: %s", l);
        }
    }
    ck_assert_int_eq(exceptions, 1);
    ck_assert_msg(matching == 1, "%s: no %s in the trace", kind, expect);
    free_trace(&t);
    spawn_free(&r);
}
END_TEST

/*
 * Every way into ring 0 has its way back: across system calls, interrupts and
 * their returns, each ring event starts at the level the previous one reached,
 * and each interrupt taken in ring 3 is ended by an IRETD naming its vector.
 */
START_TEST(trace_ring_events_alternate)
{
    struct spawn_result r = run_trace((char *[]){ "--format=json", "-o", TRACE, "--events=ring", OBJECTS, NULL });
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    struct trace t;
    read_trace(TRACE, &t);
    int level = -1, entries = 0, interrupts = 0, interrupt_returns = 0;
    for (int i = 0; i < t.n; i++) {
        const char *l = t.line[i];
        ck_assert(json_valid(l));
        unsigned from, to;
        const char *levels = strstr(l, "\"from\":");
        ck_assert_msg(levels != NULL, "not a ring event: %s", l);
        ck_assert_int_eq(sscanf(levels, "\"from\":%u,\"to\":%u", &from, &to), 2);
        ck_assert_msg(level < 0 || (int)from == level, "line %d starts in ring %u after ring %d: %s", i, from,
                      level, l);
        ck_assert_uint_ne(from, to);
        level = (int)to;
        entries += to == 0;
        interrupts += has(l, "\"via\":\"interrupt\"");
        interrupt_returns += has(l, "\"via\":\"iret\",\"vector\":");
    }
    ck_assert_int_gt(entries, 10);
    ck_assert_int_eq(interrupts, interrupt_returns);
    free_trace(&t);
    spawn_free(&r);
}
END_TEST

/*
 * kd's system-call stops are the tracer's: with debug registers ruled out they
 * come through patched instructions, and kd sees the guest's own bytes.
 */
START_TEST(kd_stops_through_the_tracers_patches)
{
    setenv("NTVISOR_TRAP", "patch", 1);
    char *argv[] = { NTVISOR, "kd", "--syscall=int2e", "--stop=NtDisplayString", "-c",
                     "u nt!KiSystemService L1; g; r eax; q", HELLO, NULL };
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(argv, &r), 0);
    unsetenv("NTVISOR_TRAP");
    ck_assert_msg(r.status == 0, "status %d; stderr:\n%s", r.status, r.err);
    ck_assert(has(r.out, "*** kd: stop 1: system call 0x43 via nt!KiSystemService (--stop=NtDisplayString)"));
    ck_assert(has(r.out, "kd> u nt!KiSystemService L1\nnt!KiSystemService:\n"));
    ck_assert(has(r.out, "6a00             push    0x0\n"));
    ck_assert_ptr_null(strstr(r.out, "out     0xf8"));
    const char *hello = strstr(r.out, "Hello from ring 3, through NtDisplayString.\n");
    const char *stop2 = strstr(r.out, "*** kd: stop 2: system call 0x43 via nt!KiSystemService");
    ck_assert(hello && stop2 && hello < stop2);
    ck_assert(has(stop2, "kd> r eax\neax=00000043\n"));
    spawn_free(&r);
}
END_TEST

Suite *trace_suite(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("trace");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, trace_hello_int2e);
    tcase_add_test(tc, trace_hello_sysenter);
    tcase_add_test(tc, trace_hello_text);
    tcase_add_test(tc, trace_filters);
    tcase_add_test(tc, trace_summary);
    tcase_add_test(tc, trace_services_statuses);
    tcase_add_test(tc, trace_patch_fallback);
    tcase_add_test(tc, trace_unfinished_on_timeout_and_sigint);
    tcase_add_test(tc, trace_deep_sees_direct_calls);
    tcase_add_test(tc, trace_alerts_on_hooks);
    tcase_add_test(tc, trace_call_costs_two_monitor_exits_and_no_ioctl);
    tcase_add_test(tc, one_exit_reports_the_same_calls);
    tcase_add_test(tc, trace_kernel_zw_and_direct_calls);
    tcase_add_test(tc, trace_work_item_handles);
    tcase_add_test(tc, trace_ring_events_alternate);
    tcase_add_loop_test(tc, trace_ring3_exceptions, 0, 2 * sizeof(ring3_exceptions) / sizeof(ring3_exceptions[0]));
    tcase_add_test(tc, kd_stops_through_the_tracers_patches);
    suite_add_tcase(s, tc);
    /* -X, -y, -e trace=%class: what the arguments say (CK_RUN_CASE=arguments runs these alone) */
    tc = tcase_create("arguments");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, trace_symbolic_arguments_and_handle_names);
    tcase_add_test(tc, trace_json_decoded_and_event_handles);
    tcase_add_test(tc, trace_service_classes);
    suite_add_tcase(s, tc);
    return s;
}
