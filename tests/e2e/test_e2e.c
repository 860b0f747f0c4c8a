/*
 * End-to-end tests: boot the real guest with `ntvisor run` and check what the
 * guest program did. Run from the top of the tree (paths are relative), on a
 * host whose /dev/kvm runs the guest -- natively, or inside the SVM lab where
 * `make test` puts this whole suite in one boot.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "spawn.h"

#define NTVISOR  "build/ntvisor"
#define HELLO    "build/examples/hello.exe"
#define SERVICES "build/tests/guest/services.exe"
#define FAULTS   "build/tests/guest/faults.exe"
#define SPIN     "build/tests/guest/spin.exe"
#define OBJECTS  "build/tests/guest/objects.exe"
#define FILES    "build/tests/guest/files.exe"

static void assert_line(const struct spawn_result *r, int n, const char *expect)
{
    char line[512];
    ck_assert_msg(nth_line(r->out, n, line, sizeof(line)) == 0, "no line %d in:\n%s", n, r->out);
    ck_assert_str_eq(line, expect);
}

static void assert_contains(const char *text, const char *needle)
{
    ck_assert_msg(strstr(text, needle) != NULL, "expected \"%s\" in:\n%s", needle, text);
}

/* ---------------------------------------------------------------- hello */

static void check_hello(const char *mechanism)
{
    struct spawn_result r = ntvisor("run", mechanism, HELLO, NULL);
    ck_assert_msg(r.status == 0, "status %d, stderr:\n%s", r.status, r.err);
    assert_line(&r, 0, "Hello from ring 3, through NtDisplayString.");
    assert_line(&r, 1, "Hello again, through ZwDisplayString: the same stub.");
    char line[256];
    unsigned year = 0;
    ck_assert_int_eq(nth_line(r.out, 2, line, sizeof(line)), 0);
    ck_assert_int_eq(sscanf(line, "NtQuerySystemTime: STATUS_SUCCESS, year %u", &year), 1);
    ck_assert_uint_ge(year, 2024);
    ck_assert_uint_le(year, 2200);
    assert_line(&r, 3, "hello: exiting with status 0");
    ck_assert_int_eq(nth_line(r.out, 4, line, sizeof(line)), -1);
    spawn_free(&r);
}

START_TEST(hello_int2e) { check_hello("--syscall=int2e"); }
END_TEST

START_TEST(hello_sysenter) { check_hello("--syscall=sysenter"); }
END_TEST

START_TEST(hello_exit_status_is_low_byte)
{
    struct spawn_result r = ntvisor("run", HELLO, "42", NULL);
    ck_assert_int_eq(r.status, 42);
    assert_line(&r, 3, "hello: exiting with status 42");
    spawn_free(&r);
    r = ntvisor("run", "--syscall=sysenter", HELLO, "300", NULL);
    ck_assert_int_eq(r.status, 300 & 0xFF);
    spawn_free(&r);
}
END_TEST

/* ---------------------------------------------------------------- services */

static const char *const service_lines[] = {
    "NtClose(0x1234) 0xC0000008 STATUS_INVALID_HANDLE",
    "ZwClose(0x1234) 0xC0000008 STATUS_INVALID_HANDLE",
    "NtYieldExecution 0x40000024 STATUS_NO_YIELD_PERFORMED",
    "NtReadFile(NULL-handle) 0xC0000008 STATUS_INVALID_HANDLE",
    "NtTerminateProcess(0x1234) 0xC0000008 STATUS_INVALID_HANDLE",
    "NtQueryPerformanceCounter 0x00000000 STATUS_SUCCESS",
    "counter-advances yes",
    "frequency-nonzero yes",
    "service(limit) 0xC000001C STATUS_INVALID_SYSTEM_SERVICE",
    "service(0xFFF) 0xC000001C STATUS_INVALID_SYSTEM_SERVICE",
    "service(table1) 0xC000001C STATUS_INVALID_SYSTEM_SERVICE",
    "NtQuerySystemTime(NULL) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtQuerySystemTime(kernel) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtQuerySystemTime(read-only) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtQuerySystemTime(misaligned) 0x80000002 STATUS_DATATYPE_MISALIGNMENT",
    "NtQuerySystemTime(unmapped) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtDisplayString(NULL) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtDisplayString(kernel) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtDisplayString(kernel-buffer) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtDisplayString(unmapped-buffer) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtDisplayString(crosses-probe-address) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtDisplayString(empty) 0x00000000 STATUS_SUCCESS",
    "NtDisplayString(length-over-maximum) 0xC000000D STATUS_INVALID_PARAMETER",
    "NtDisplayString(odd-length) 0xC000000D STATUS_INVALID_PARAMETER",
    "NtDisplayString(unreadable-tail) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "int2e(args-in-kernel) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "int2e(args-unmapped) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "int2e(args-wrap) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "int2e(args-ok) 0xC0000008 STATUS_INVALID_HANDLE",
};

static void check_services(const char *mechanism, const char *stub_line)
{
    struct spawn_result r = ntvisor("run", mechanism, SERVICES, NULL);
    ck_assert_msg(r.status == 0, "status %d, stderr:\n%s", r.status, r.err);
    assert_line(&r, 0, stub_line);
    size_t n = sizeof(service_lines) / sizeof(service_lines[0]);
    for (size_t i = 0; i < n; i++)
        assert_line(&r, (int)i + 1, service_lines[i]);
    char extra[256];
    ck_assert_int_eq(nth_line(r.out, (int)n + 1, extra, sizeof(extra)), -1);
    spawn_free(&r);
}

/* lea edx,[esp+8]; int 2Eh; ret  versus  mov edx,esp; sysenter; ret */
START_TEST(services_int2e) { check_services("--syscall=int2e", "SystemCallStub 8d 54 24 08 cd 2e c3"); }
END_TEST

START_TEST(services_sysenter) { check_services("--syscall=sysenter", "SystemCallStub 8b d4 0f 34 c3"); }
END_TEST

/* ---------------------------------------------------------------- ring-3 faults */

static const struct { const char *kind; unsigned status; } fault_cases[] = {
    { "kernel-read", 0xC0000005 }, { "kernel-write", 0xC0000005 }, { "shared-write", 0xC0000005 },
    { "null", 0xC0000005 },        { "cli", 0xC0000096 },          { "ud2", 0xC000001D },
    { "int3", 0x80000003 },        { "divide", 0xC0000094 },
};

START_TEST(ring3_fault_ends_process_not_kernel)
{
    const char *kind = fault_cases[_i].kind;
    struct spawn_result r = ntvisor("run", FAULTS, kind, NULL);
    char expect[160];
    ck_assert_msg(r.status == (int)(fault_cases[_i].status & 0xFF), "%s: status %d, stderr:\n%s",
                  kind, r.status, r.err);
    snprintf(expect, sizeof(expect), "faults: %s\n", kind);
    assert_contains(r.out, expect);
    /* the kernel itself reports the end of the process, then shuts down in order */
    snprintf(expect, sizeof(expect), "ntoskrnl: faults.exe (pid 16): unhandled exception %08x at ",
             fault_cases[_i].status);
    assert_contains(r.out, expect);
    ck_assert_ptr_null(strstr(r.out, "survived"));
    ck_assert_ptr_null(strstr(r.out, "STOP"));
    ck_assert_ptr_null(strstr(r.err, "bugcheck"));
    spawn_free(&r);
}
END_TEST

/* ---------------------------------------------------------------- monitor failure paths */

START_TEST(watchdog_ends_runaway_guest)
{
    struct spawn_result r = ntvisor("run", "--timeout=3", SPIN, NULL);
    ck_assert_int_eq(r.status, 124);
    assert_line(&r, 0, "spin: spinning");
    assert_contains(r.err, "ntvisor: timeout");
    spawn_free(&r);
}
END_TEST

START_TEST(halted_guest_is_ended_by_watchdog)
{
    /* no --timeout: the watchdog sees a vCPU halted with interrupts off */
    struct spawn_result r = ntvisor("run", "--kernel=build/tests/kernels/halt.elf", HELLO, NULL);
    ck_assert_int_eq(r.status, 123);
    assert_line(&r, 0, "halt: stopping");
    assert_contains(r.err, "ntvisor: the guest halted with interrupts disabled (HLT)");
    assert_contains(r.err, "eip=00100");   /* just past the HLT, in the tiny kernel */
    assert_contains(r.err, "efl=00000046");   /* IF clear */
    spawn_free(&r);
}
END_TEST

START_TEST(triple_fault_is_reported_with_state)
{
    struct spawn_result r = ntvisor("run", "--kernel=build/tests/kernels/triple.elf", HELLO, NULL);
    ck_assert_int_eq(r.status, 123);
    assert_contains(r.err, "ntvisor: triple fault");
    if (strstr(r.err, "reset state")) {
        /* AMD SVM: KVM resets the vCPU on shutdown; the dump says so and shows the reset state */
        assert_contains(r.err, "eip=0000fff0");
        assert_contains(r.err, "cs  f000 base=ffff0000");
    } else {
        assert_contains(r.err, "eip=00100");
        assert_contains(r.err, "cs  0008");
        assert_contains(r.err, "cr0=00000011");
        assert_contains(r.err, ": 0f 0b");  /* ud2 */
    }
    spawn_free(&r);
}
END_TEST

START_TEST(unexpected_io_is_reported)
{
    struct spawn_result r = ntvisor("run", "--kernel=build/tests/kernels/badio.elf", HELLO, NULL);
    ck_assert_int_eq(r.status, 123);
    assert_contains(r.err, "ntvisor: unexpected I/O: OUT to port 0x1234, 1 byte");
    assert_contains(r.err, "edx=00001234");
    assert_contains(r.err, "code at 00100012: ee f4");   /* out dx, al; hlt */
    spawn_free(&r);
}
END_TEST

START_TEST(kernel_bugcheck_is_reported)
{
    /* the image passes the monitor's checks, but 16 MiB cannot hold its 24 MiB of bss */
    struct spawn_result r = ntvisor("run", "--memory=16", "build/tests/guest/bigbss.exe", NULL);
    ck_assert_int_eq(r.status, 123);
    assert_contains(r.out, "*** STOP: 0x0000006B (0xC0000017,");
    assert_contains(r.out, "PROCESS1_INITIALIZATION_FAILED");
    assert_contains(r.err, "ntvisor: guest bugcheck 0x0000006B");
    spawn_free(&r);
}
END_TEST

/* ---------------------------------------------------------------- bad input */

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void check_rejected(const char *needle, const char *a1, const char *a2, const char *a3)
{
    struct spawn_result r = ntvisor(a1, a2, a3, NULL);
    ck_assert_msg(r.status == 2, "status %d for %s %s %s; stderr:\n%s", r.status, a1, a2, a3 ? a3 : "", r.err);
    assert_contains(r.err, "ntvisor: ");
    assert_contains(r.err, needle);
    ck_assert_str_eq(r.out, "");
    spawn_free(&r);
}

START_TEST(bad_command_lines)
{
    check_rejected("no program given", "run", NULL, NULL);
    check_rejected("--memory must be", "run", "--memory=8", HELLO);
    check_rejected("--memory must be", "run", "--memory=lots", HELLO);
    check_rejected("--syscall must be", "run", "--syscall=fast", HELLO);
    check_rejected("--timeout must be", "run", "--timeout=0", HELLO);
    check_rejected("unknown or incomplete option", "run", "--frobnicate", HELLO);
    check_rejected("cannot carry", "run", HELLO, "two words");
    check_rejected("unknown command", "fly", NULL, NULL);
}
END_TEST

START_TEST(bad_program_files)
{
    static const char text[] = "this is not an executable\n";
    write_file("/tmp/ntv-text.exe", text, sizeof(text));
    check_rejected("not a PE image", "run", "/tmp/ntv-text.exe", NULL);

    check_rejected("No such file", "run", "/tmp/ntv-does-not-exist.exe", NULL);

    /* the first 100 bytes of a good program: the PE headers are cut off */
    FILE *f = fopen(HELLO, "rb");
    unsigned char head[100];
    ck_assert_uint_eq(fread(head, 1, sizeof(head), f), sizeof(head));
    fclose(f);
    write_file("/tmp/ntv-truncated.exe", head, sizeof(head));
    check_rejected("points past the end of the file", "run", "/tmp/ntv-truncated.exe", NULL);

    /* a Linux executable: this very test binary */
    check_rejected("not a PE image", "run", "/proc/self/exe", NULL);
    /* a kernel that is not a Multiboot ELF: a PE program */
    check_rejected("not an ELF file", "run", "--kernel=" HELLO, HELLO);
}
END_TEST

START_TEST(help_and_info_tell_the_truth)
{
    struct spawn_result r = ntvisor("run", "--help", NULL);
    ck_assert_int_eq(r.status, 0);
    assert_contains(r.out, "usage: ntvisor run [options] <program> [args...]");
    assert_contains(r.out, "--syscall=auto|int2e|sysenter");
    spawn_free(&r);

    r = ntvisor("info", NULL);
    ck_assert_int_eq(r.status, 0);
    assert_contains(r.out, "kvm api version:  12");
    assert_contains(r.out, "runs the guest:   natively");
    spawn_free(&r);
}
END_TEST

/* ---------------------------------------------------------------- objects, waits, memory */

/* Runs a guest program and compares its whole output with expect (NULL-terminated). */
static void check_output(const char *const *expect, const char *first, ...)
{
    char *argv[16];
    int n = 0;
    argv[n++] = NTVISOR;
    argv[n++] = "run";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && n < 15; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    struct spawn_result r;
    ck_assert_int_eq(spawn_capture(argv, &r), 0);
    ck_assert_msg(r.status == 0, "status %d, stdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
    int i = 0;
    for (; expect[i]; i++)
        assert_line(&r, i, expect[i]);
    char extra[256];
    ck_assert_msg(nth_line(r.out, i, extra, sizeof(extra)) == -1, "unexpected line: %s", extra);
    spawn_free(&r);
}

static const char *const object_lines[] = {
    "NtCreateEvent(notification) 0x00000000 STATUS_SUCCESS",
    "handle-is-user yes",
    "NtWaitForSingleObject(unsignalled,0) 0x00000102 STATUS_TIMEOUT",
    "NtWaitForSingleObject(unsignalled,50ms) 0x00000102 STATUS_TIMEOUT",
    "wait-took-less-than-2s yes",
    "NtSetEvent 0x00000000 STATUS_SUCCESS",
    "previous-state 0",
    "NtWaitForSingleObject(signalled) 0x00000000 STATUS_SUCCESS",
    "NtWaitForSingleObject(still-signalled) 0x00000000 STATUS_SUCCESS",
    "NtResetEvent 0x00000000 STATUS_SUCCESS",
    "previous-state 1",
    "NtWaitForSingleObject(reset) 0x00000102 STATUS_TIMEOUT",
    "NtCreateEvent(synchronization,set) 0x00000000 STATUS_SUCCESS",
    "NtWaitForSingleObject(auto-reset) 0x00000000 STATUS_SUCCESS",
    "NtWaitForSingleObject(auto-reset-again) 0x00000102 STATUS_TIMEOUT",
    "NtCreateEvent(query-only) 0x00000000 STATUS_SUCCESS",
    "NtSetEvent(query-only) 0xC0000022 STATUS_ACCESS_DENIED",
    "NtWaitForSingleObject(query-only) 0xC0000022 STATUS_ACCESS_DENIED",
    "NtCreateEvent(bad-type) 0xC000000D STATUS_INVALID_PARAMETER",
    "NtCreateEvent(kernel-handle-pointer) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtCreateEvent(unmapped-handle-pointer) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtCreateEvent(bad-attributes-length) 0xC000000D STATUS_INVALID_PARAMETER",
    "NtCreateEvent(attributes-in-kernel) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtCreateEvent(OBJ_KERNEL_HANDLE) 0x00000000 STATUS_SUCCESS",
    "kernel-handle-flag-ignored yes",
    "NtClose(OBJ_KERNEL_HANDLE-event) 0x00000000 STATUS_SUCCESS",
    "NtWaitForSingleObject(timeout-in-kernel) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtSetEvent(process-handle) 0xC0000024 STATUS_OBJECT_TYPE_MISMATCH",
    "NtSetEvent(kernel-handle-value) 0xC0000008 STATUS_INVALID_HANDLE",
    "NtSetEvent(previous-in-kernel) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtWaitForSingleObject(process) 0xC0000024 STATUS_OBJECT_TYPE_MISMATCH",
    "NtClose(event) 0x00000000 STATUS_SUCCESS",
    "NtClose(event-again) 0xC0000008 STATUS_INVALID_HANDLE",
    "NtSetEvent(closed) 0xC0000008 STATUS_INVALID_HANDLE",
    "NtClose(NtCurrentProcess) 0xC0000008 STATUS_INVALID_HANDLE",
    "NtClose(NtCurrentThread) 0xC0000008 STATUS_INVALID_HANDLE",
    "NtClose(kernel-handle-value) 0xC0000008 STATUS_INVALID_HANDLE",
    "NtClose(NULL) 0xC0000008 STATUS_INVALID_HANDLE",
    "NtClose(sync-event) 0x00000000 STATUS_SUCCESS",
    "NtClose(query-only) 0x00000000 STATUS_SUCCESS",
    "closed-handle-reused yes",
    "NtDelayExecution(20ms) 0x00000000 STATUS_SUCCESS",
    "NtDelayExecution(absolute) 0x00000000 STATUS_SUCCESS",
    "NtDelayExecution(0) 0x00000000 STATUS_SUCCESS",
    "NtDelayExecution(NULL) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtDelayExecution(kernel) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtAllocateVirtualMemory(commit) 0x00000000 STATUS_SUCCESS",
    "allocation-64k-aligned yes",
    "allocation-size 0x4000",
    "memory-zeroed-and-writable yes",
    "NtProtectVirtualMemory(readonly) 0x00000000 STATUS_SUCCESS",
    "old-protection 0x4",
    "readonly-still-readable yes",
    "NtQuerySystemTime(into-readonly) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtProtectVirtualMemory(noaccess) 0x00000000 STATUS_SUCCESS",
    "old-protection 0x2",
    "NtQuerySystemTime(into-noaccess) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtProtectVirtualMemory(readwrite) 0x00000000 STATUS_SUCCESS",
    "contents-kept yes",
    "NtProtectVirtualMemory(bad-protection) 0xC0000045 STATUS_INVALID_PAGE_PROTECTION",
    "NtAllocateVirtualMemory(reserve) 0x00000000 STATUS_SUCCESS",
    "NtProtectVirtualMemory(reserved-only) 0xC000002D STATUS_NOT_COMMITTED",
    "NtAllocateVirtualMemory(commit-in-reserve) 0x00000000 STATUS_SUCCESS",
    "commit-rounded yes",
    "NtAllocateVirtualMemory(reserve-over-reserve) 0xC0000018 STATUS_CONFLICTING_ADDRESSES",
    "NtAllocateVirtualMemory(over-image) 0xC0000018 STATUS_CONFLICTING_ADDRESSES",
    "NtAllocateVirtualMemory(commit-unreserved) 0xC0000018 STATUS_CONFLICTING_ADDRESSES",
    "NtAllocateVirtualMemory(at-address) 0x00000000 STATUS_SUCCESS",
    "at-address-base 0x20000000",
    "NtAllocateVirtualMemory(zero-bits) 0xC00000F1 STATUS_INVALID_PARAMETER_3",
    "NtAllocateVirtualMemory(no-type) 0xC00000F3 STATUS_INVALID_PARAMETER_5",
    "NtAllocateVirtualMemory(bad-type) 0xC00000F3 STATUS_INVALID_PARAMETER_5",
    "NtAllocateVirtualMemory(bad-protect) 0xC0000045 STATUS_INVALID_PAGE_PROTECTION",
    "NtAllocateVirtualMemory(zero-size) 0xC00000F2 STATUS_INVALID_PARAMETER_4",
    "NtAllocateVirtualMemory(huge) 0xC00000F2 STATUS_INVALID_PARAMETER_4",
    "NtAllocateVirtualMemory(above-vad-limit) 0xC00000F0 STATUS_INVALID_PARAMETER_2",
    "NtAllocateVirtualMemory(too-much) 0xC0000017 STATUS_NO_MEMORY",
    "NtAllocateVirtualMemory(base-in-kernel) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtAllocateVirtualMemory(size-unmapped) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtAllocateVirtualMemory(bad-process) 0xC0000008 STATUS_INVALID_HANDLE",
    "NtFreeVirtualMemory(release-not-at-base) 0xC000009F STATUS_FREE_VM_NOT_AT_BASE",
    "NtFreeVirtualMemory(bad-type) 0xC00000F2 STATUS_INVALID_PARAMETER_4",
    "NtFreeVirtualMemory(decommit-page) 0x00000000 STATUS_SUCCESS",
    "NtProtectVirtualMemory(decommitted) 0xC000002D STATUS_NOT_COMMITTED",
    "NtFreeVirtualMemory(image) 0xC000001B STATUS_UNABLE_TO_DELETE_SECTION",
    "NtFreeVirtualMemory(not-allocated) 0xC00000A0 STATUS_MEMORY_NOT_ALLOCATED",
    "NtFreeVirtualMemory(release) 0x00000000 STATUS_SUCCESS",
    "released-size 0x4000",
    "NtFreeVirtualMemory(release-again) 0xC00000A0 STATUS_MEMORY_NOT_ALLOCATED",
    "released-range-reused yes",
    "reused-memory-zeroed yes",
    NULL
};

START_TEST(objects_events_delays_memory)
{
    check_output(object_lines, "--syscall=sysenter", OBJECTS, NULL);
}
END_TEST

START_TEST(noaccess_page_faults_in_ring3)
{
    struct spawn_result r = ntvisor("run", OBJECTS, "noaccess", NULL);
    ck_assert_int_eq(r.status, 0x05);
    assert_line(&r, 0, "noaccess: touching");
    assert_contains(r.out, "unhandled exception c0000005");
    spawn_free(&r);
}
END_TEST

START_TEST(wait_without_timeout_blocks_until_watchdog)
{
    struct spawn_result r = ntvisor("run", "--timeout=2", OBJECTS, "wait-forever", NULL);
    ck_assert_int_eq(r.status, 124);
    assert_line(&r, 0, "wait-forever: waiting");
    ck_assert_ptr_null(strstr(r.out, "woke up"));
    spawn_free(&r);
}
END_TEST

/* ---------------------------------------------------------------- files */

static const char *const file_lines[] = {
    "NtCreateFile(seed,open) 0x00000000 STATUS_SUCCESS",
    "iosb 0 1",
    "NtQueryInformationFile(standard) 0x00000000 STATUS_SUCCESS",
    "size 18 allocation 4096 directory 0",
    "NtReadFile(5) 0x00000000 STATUS_SUCCESS",
    "read 5 'first'",
    "NtQueryInformationFile(position) 0x00000000 STATUS_SUCCESS",
    "position 5",
    "NtReadFile(rest) 0x00000000 STATUS_SUCCESS",
    "read 13 ' line",
    "second",
    "'",
    "NtReadFile(at-eof) 0xC0000011 STATUS_END_OF_FILE",
    "NtReadFile(offset-6) 0x00000000 STATUS_SUCCESS",
    "read 4 'line'",
    "NtReadFile(kernel-buffer) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtReadFile(unmapped-buffer) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtReadFile(huge-length) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtReadFile(kernel-iosb) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtReadFile(kernel-offset) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtReadFile(negative-offset) 0xC000000D STATUS_INVALID_PARAMETER",
    "NtWriteFile(read-only-handle) 0xC0000022 STATUS_ACCESS_DENIED",
    "NtReadFile(NULL-handle) 0xC0000008 STATUS_INVALID_HANDLE",
    "NtReadFile(kernel-handle-value) 0xC0000008 STATUS_INVALID_HANDLE",
    "NtReadFile(event-handle) 0xC0000024 STATUS_OBJECT_TYPE_MISMATCH",
    "NtQueryInformationFile(bad-class) 0xC0000003 STATUS_INVALID_INFO_CLASS",
    "NtQueryInformationFile(short) 0xC0000004 STATUS_INFO_LENGTH_MISMATCH",
    "NtQueryInformationFile(kernel-buffer) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtDeviceIoControlFile(ramfs) 0xC0000010 STATUS_INVALID_DEVICE_REQUEST",
    "NtClose(file) 0x00000000 STATUS_SUCCESS",
    "NtReadFile(closed) 0xC0000008 STATUS_INVALID_HANDLE",
    "NtCreateFile(missing) 0xC0000034 STATUS_OBJECT_NAME_NOT_FOUND",
    "NtCreateFile(subdirectory) 0xC000003A STATUS_OBJECT_PATH_NOT_FOUND",
    "NtCreateFile(no-such-drive) 0xC000003A STATUS_OBJECT_PATH_NOT_FOUND",
    "NtCreateFile(no-such-device) 0xC0000034 STATUS_OBJECT_NAME_NOT_FOUND",
    "NtCreateFile(relative-name) 0xC000003B STATUS_OBJECT_PATH_SYNTAX_BAD",
    "NtCreateFile(wildcard) 0xC0000033 STATUS_OBJECT_NAME_INVALID",
    "NtCreateFile(bad-disposition) 0xC000000D STATUS_INVALID_PARAMETER",
    "NtCreateFile(directory-as-file) 0xC00000BA STATUS_FILE_IS_A_DIRECTORY",
    "NtCreateFile(exists) 0xC0000035 STATUS_OBJECT_NAME_COLLISION",
    "NtCreateFile(kernel-handle-pointer) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtCreateFile(kernel-attributes) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtCreateFile(kernel-name-buffer) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtCreateFile(odd-name-length) 0xC0000033 STATUS_OBJECT_NAME_INVALID",
    "NtCreateFile(new) 0x00000000 STATUS_SUCCESS",
    "iosb 0 2",
    "NtWriteFile(hello) 0x00000000 STATUS_SUCCESS",
    "NtWriteFile(world) 0x00000000 STATUS_SUCCESS",
    "NtWriteFile(append) 0x00000000 STATUS_SUCCESS",
    "NtWaitForSingleObject(io-event) 0x00000000 STATUS_SUCCESS",
    "NtWriteFile(kernel-buffer) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtWriteFile(sparse) 0x00000000 STATUS_SUCCESS",
    "NtOpenFile(new) 0x00000000 STATUS_SUCCESS",
    "NtReadFile(new) 0x00000000 STATUS_SUCCESS",
    "read 13 'hello, world!'",
    "size 8195",
    "NtCreateFile(overwrite) 0x00000000 STATUS_SUCCESS",
    "iosb 0 3",
    "NtWriteFile(no-offset-async) 0xC000000D STATUS_INVALID_PARAMETER",
    "size 0",
    "NtCreateFile(console) 0x00000000 STATUS_SUCCESS",
    "to the console",
    "NtWriteFile(console) 0x00000000 STATUS_SUCCESS",
    "NtWriteFile(console-unreadable-tail) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtReadFile(console) 0xC0000011 STATUS_END_OF_FILE",
    "NtDeviceIoControlFile(console) 0x00000000 STATUS_SUCCESS",
    "console-bytes 15 iosb 4",
    "NtDeviceIoControlFile(unknown) 0xC0000010 STATUS_INVALID_DEVICE_REQUEST",
    "NtDeviceIoControlFile(kernel-out) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "NtClose(console) 0x00000000 STATUS_SUCCESS",
    NULL
};

START_TEST(files_on_the_ram_volume_and_console)
{
    write_file("/tmp/ntv-seed.txt", "first line\nsecond\n", 18);
    check_output(file_lines, "--file=/tmp/ntv-seed.txt:seed.txt", FILES, NULL);
}
END_TEST

START_TEST(file_option_is_checked)
{
    check_rejected("--file=HOSTPATH[:NAME]", "run", "--file=/tmp/x:a b", HELLO);
    check_rejected("--file=HOSTPATH[:NAME]", "run", "--file=/tmp/x:a\\b", HELLO);
    check_rejected("--file=HOSTPATH[:NAME]", "run", "--file=", HELLO);
    check_rejected("No such file", "run", "--file=/tmp/ntv-no-such-file", HELLO);
    /* what the RAM volume cannot hold is refused before boot, not silently missing in the guest */
    FILE *big = fopen("/tmp/ntv-big-file", "wb");
    ck_assert_ptr_nonnull(big);
    ck_assert_int_eq(fseek(big, 4186112, SEEK_SET), 0);   /* one byte past RAMFS_MAX_FILE_PAGES pages */
    ck_assert_int_eq(fputc('x', big), 'x');
    fclose(big);
    check_rejected("more than the guest's RAM volume holds in one file", "run", "--file=/tmp/ntv-big-file", HELLO);
    struct spawn_result r = ntvisor("run", "--file=/tmp/ntv-big-file:one.txt", "--file=/tmp/ntv-big-file:ONE.TXT",
                                    HELLO, NULL);
    ck_assert_int_eq(r.status, 2);
    assert_contains(r.err, "another --file already names");
    spawn_free(&r);
}
END_TEST

/* ---------------------------------------------------------------- the articles' scenarios */

static const char *const ntzw_lines[] = {
    "1 same-address yes",
    "1 NtReadFile 0x00000000 STATUS_SUCCESS",
    "1 ZwReadFile 0x00000000 STATUS_SUCCESS",
    "1 same-data yes",
    "1 NtReadFile(kernel-buffer) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "1 ZwReadFile(kernel-buffer) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "5 NtWriteFile(kernel-pointer) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "5 NtWriteFile(kernel-alive) 0x00000000 STATUS_SUCCESS",
    "6 user(0x11C) 0xC000001C STATUS_INVALID_SYSTEM_SERVICE",
    "6 user(0xFFF) 0xC000001C STATUS_INVALID_SYSTEM_SERVICE",
    "6 user(0x1000) 0xC000001C STATUS_INVALID_SYSTEM_SERVICE",
    NULL
};

START_TEST(scenarios_from_user_mode)
{
    check_output(ntzw_lines, "--syscall=int2e", "build/examples/ntzw.exe", NULL);
    check_output(ntzw_lines, "--syscall=sysenter", "build/examples/ntzw.exe", NULL);
}
END_TEST

/* ---------------------------------------------------------------- kd */

/* The line after the first occurrence of marker (which ends with a newline), into buf. */
static const char *line_after(const char *text, const char *marker, int skip, char *buf, size_t len)
{
    const char *p = strstr(text, marker);
    ck_assert_msg(p != NULL, "expected \"%s\" in:\n%s", marker, text);
    p += strlen(marker);
    for (int i = 0; i < skip && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    ck_assert_msg(p && *p, "nothing after \"%s\" in:\n%s", marker, text);
    size_t n = strcspn(p, "\n");
    snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p);
    return buf;
}

static void assert_ends_with(const char *line, const char *suffix)
{
    size_t a = strlen(line), b = strlen(suffix);
    ck_assert_msg(a >= b && !strcmp(line + a - b, suffix), "expected \"%s\" to end with \"%s\"", line, suffix);
}

/* The articles' session, command by command, against our guest. */
START_TEST(kd_reproduces_the_articles)
{
    struct spawn_result r = ntvisor("kd", "--syscall=sysenter", "--stop=boot", "-c",
        "u ntdll!NtReadFile L4; u ntdll!ZwReadFile L1; ln 0x7ffe0300; u SharedUserData!SystemCallStub L3; "
        "rdmsr 176; !sst; u nt!ZwReadFile L6; !descriptor IDT 2e; !thread; q", HELLO, NULL);
    ck_assert_msg(r.status == 0, "status %d, stderr:\n%s\nstdout:\n%s", r.status, r.err, r.out);
    char line[256];
    assert_contains(r.out, "*** kd: stop 1: the program's entry point (--stop=boot)");
    /* u ntdll!NtReadFile: the stub */
    assert_ends_with(line_after(r.out, "kd> u ntdll!NtReadFile L4\nntdll!NtReadFile:\n", 0, line, sizeof(line)),
                     "mov     eax,0xb7");
    assert_ends_with(line_after(r.out, "kd> u ntdll!NtReadFile L4\nntdll!NtReadFile:\n", 1, line, sizeof(line)),
                     "mov     edx,0x7ffe0300");
    assert_ends_with(line_after(r.out, "kd> u ntdll!NtReadFile L4\nntdll!NtReadFile:\n", 2, line, sizeof(line)),
                     "call    edx");
    assert_ends_with(line_after(r.out, "kd> u ntdll!NtReadFile L4\nntdll!NtReadFile:\n", 3, line, sizeof(line)),
                     "ret     0x24");
    /* ZwReadFile is the same stub, under NtReadFile's name */
    assert_contains(r.out, "kd> u ntdll!ZwReadFile L1\nntdll!NtReadFile:\n");
    assert_contains(r.out, "kd> ln 0x7ffe0300\n(7ffe0300)   SharedUserData!SystemCallStub\n"
                           "Exact matches:\n    SharedUserData!SystemCallStub\n");
    assert_contains(r.out, "7ffe0300 8bd4             mov     edx,esp\n7ffe0302 0f34             sysenter\n");
    /* !sst: NtReadFile at 0xb7 with its 9 arguments, nothing hooked */
    assert_contains(r.out, "(nt!KiServiceTable), Limit 0x11c");
    ck_assert_msg(strstr(r.out, "\nb7: 0x") && strstr(strstr(r.out, "\nb7: 0x"), "  (nt!NtReadFile)  args 0x24 (9)\n") ==
                  strstr(r.out, "\nb7: 0x") + 15, "b7 is not NtReadFile:\n%s", r.out);
    assert_contains(r.out, "284 services, 0 outside nt\n");
    /* u nt!ZwReadFile: a fake interrupt frame and a call into KiSystemService */
    const char *zw = strstr(r.out, "kd> u nt!ZwReadFile L6\nnt!ZwReadFile:\n");
    ck_assert_ptr_nonnull(zw);
    assert_ends_with(line_after(zw, "nt!ZwReadFile:\n", 0, line, sizeof(line)), "mov     eax,0xb7");
    assert_ends_with(line_after(zw, "nt!ZwReadFile:\n", 1, line, sizeof(line)), "lea     edx,[esp+0x4]");
    assert_ends_with(line_after(zw, "nt!ZwReadFile:\n", 2, line, sizeof(line)), "pushfd");
    assert_ends_with(line_after(zw, "nt!ZwReadFile:\n", 3, line, sizeof(line)), "push    0x8");
    ck_assert_msg(strstr(line_after(zw, "nt!ZwReadFile:\n", 4, line, sizeof(line)), "call    nt!KiSystemService ("),
                  "no call into KiSystemService: %s", line);
    assert_ends_with(line_after(zw, "nt!ZwReadFile:\n", 5, line, sizeof(line)), "ret     0x24");
    /* !descriptor IDT 2e: a present DPL-3 32-bit interrupt gate to KiSystemService, through GDT entry 1 */
    const char *d = strstr(r.out, "kd> !descriptor IDT 2e\n");
    ck_assert_ptr_nonnull(d);
    assert_contains(d, "32-bit interrupt gate: present, DPL 3, system descriptor (S=0)\n");
    assert_contains(d, "target code segment selector 0008: GDT index 1, RPL 0\n");
    assert_ends_with(line_after(d, "target code segment selector 0008: GDT index 1, RPL 0\n", 0, line, sizeof(line)),
                     " (nt!KiSystemService)");
    assert_contains(d, "code segment: present, DPL 0, code/data descriptor (S=1)\n");
    assert_contains(d, "non-conforming, readable, accessed\n");
    assert_contains(r.out, "    PreviousMode       ");
    assert_contains(r.out, "Image: hello.exe");
    /* q: the guest never got to print */
    ck_assert_ptr_null(strstr(r.out, "Hello from ring 3"));

    /* rdmsr 176 is the address ln names nt!KiFastCallEntry */
    unsigned hi, lo;
    const char *m = strstr(r.out, "msr[176] = ");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(sscanf(m, "msr[176] = %8x:%8x", &hi, &lo), 2);
    ck_assert_uint_eq(hi, 0);
    char cmd[64], expect[128];
    snprintf(cmd, sizeof(cmd), "ln %x; q", lo);
    spawn_free(&r);
    r = ntvisor("kd", "-c", cmd, HELLO, NULL);
    ck_assert_msg(r.status == 0, "status %d, stderr:\n%s", r.status, r.err);
    snprintf(expect, sizeof(expect), "(%08x)   nt!KiFastCallEntry", lo);
    assert_contains(r.out, expect);
    assert_contains(r.out, "Exact matches:\n    nt!KiFastCallEntry\n");
    spawn_free(&r);
}
END_TEST

/* Service stops through INT 2Eh: every NtDisplayString (0x43 in XP SP1's table) stops before it prints. */
START_TEST(kd_stops_at_a_service_through_int2e)
{
    struct spawn_result r = ntvisor("kd", "--syscall=int2e", "--stop=NtDisplayString", "-c",
        "u SharedUserData!SystemCallStub L3; r eax; g; r eax; dt nt!_KTHREAD poi; q", HELLO, NULL);
    ck_assert_msg(r.status == 0, "status %d, stderr:\n%s\nstdout:\n%s", r.status, r.err, r.out);
    const char *s1 = strstr(r.out, "*** kd: stop 1: system call 0x43 via nt!KiSystemService (--stop=NtDisplayString)");
    const char *hello = strstr(r.out, "Hello from ring 3, through NtDisplayString.");
    const char *s2 = strstr(r.out, "*** kd: stop 2: system call 0x43 via nt!KiSystemService");
    ck_assert_msg(s1 && hello && s2 && s1 < hello && hello < s2, "stops out of order:\n%s", r.out);
    assert_contains(r.out, "cd2e             int     0x2e\n");
    assert_contains(s1, "kd> r eax\neax=00000043\n");
    assert_contains(s2, "kd> r eax\neax=00000043\n");
    assert_contains(s2, "^ Couldn't resolve 'poi'");
    ck_assert_ptr_null(strstr(r.out, "Hello again"));
    spawn_free(&r);

    r = ntvisor("kd", "--stop=first-syscall", "-c", "r eip; g", HELLO, NULL);
    ck_assert_msg(r.status == 0, "status %d, stderr:\n%s", r.status, r.err);
    assert_contains(r.out, "*** kd: stop 1: system call 0x43 via");
    assert_contains(r.out, "hello: exiting with status 0");
    ck_assert_ptr_null(strstr(r.out, "stop 2"));
    spawn_free(&r);
}
END_TEST

/* Bad commands and addresses print an error; the session goes on; the exit stop sees the final state. */
START_TEST(kd_survives_bad_commands)
{
    struct spawn_result r = ntvisor("kd", "--stop=exit", "-c",
        "bogus; u 0; dd 0 L4; !descriptor IDT 1000; dt KTHREAD 0; ln 1; !handle; !handle kernel; x nt!Ki*Entry; r cs",
        HELLO, "7", NULL);
    ck_assert_msg(r.status == 7, "status %d, stderr:\n%s", r.status, r.err);
    assert_contains(r.out, "hello: exiting with status 7");
    assert_contains(r.out, "(--stop=exit)");
    assert_contains(r.out, "^ Syntax error: unknown command 'bogus'");
    assert_contains(r.out, "^ Memory access error at 00000000");
    assert_contains(r.out, "00000000  ???????? ???????? ???????? ????????\n");
    assert_contains(r.out, "^ Index 0x1000 is beyond the IDT");
    assert_contains(r.out, "Image: hello.exe");
    assert_contains(r.out, "handle table at");
    assert_contains(r.out, "nt!KiFastCallEntry\n");
    assert_contains(r.out, "kd> r cs\ncs=0008\n");
    spawn_free(&r);

    r = ntvisor("kd", "--stop=nonsense!", HELLO, NULL);
    ck_assert_int_eq(r.status, 2);
    spawn_free(&r);
    r = ntvisor("kd", "--stop=NtNoSuchService", "-c", "q", HELLO, NULL);
    ck_assert_int_eq(r.status, 2);
    assert_contains(r.err, "no symbol nt!NtNoSuchService");
    spawn_free(&r);
}
END_TEST

/* ---------------------------------------------------------------- drivers: the kernel-mode scenarios */

#define NTZW_SYS   "build/examples/ntzw.sys"
#define NTVLOG_SYS "build/examples/ntvlog.sys"
#define NTVLOG_USER_SYS "build/examples/ntvlog-user.sys"

static const char *const ntzw_kernel_lines[] = {
    "2 previous-mode User",
    "2 NtReadFile(kernel-buffer) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "2 ZwReadFile(kernel-buffer) 0x00000000 STATUS_SUCCESS",
    "2 data 'okZw'",
    "3 NtReadFile(user-buffer) 0x00000000 STATUS_SUCCESS",
    "3 data 'okZw' iosb 4",
    "6 kernel(0x11C) 0xC000001C STATUS_INVALID_SYSTEM_SERVICE",
    "6 kernel(0xFFF) 0xC000001C STATUS_INVALID_SYSTEM_SERVICE",
    "6 kernel(0x1000) 0xC000001C STATUS_INVALID_SYSTEM_SERVICE",
    NULL
};

static void check_ntzw_kernel(const char *mechanism)
{
    const char *all[32];
    int n = 0;
    for (int i = 0; ntzw_lines[i]; i++)
        all[n++] = ntzw_lines[i];
    for (int i = 0; ntzw_kernel_lines[i]; i++)
        all[n++] = ntzw_kernel_lines[i];
    all[n] = NULL;
    check_output(all, mechanism, "--driver=" NTZW_SYS, "build/examples/ntzw.exe", "kernel", NULL);
}

START_TEST(scenarios_from_kernel_mode)
{
    check_ntzw_kernel("--syscall=int2e");
    check_ntzw_kernel("--syscall=sysenter");
}
END_TEST

/* ntvlog.sys: the log file opened with OBJ_KERNEL_HANDLE, written by ZwWriteFile and NtWriteFile */
static const char *const ntvlog_kernel_handle_lines[] = {
    "4 ZwCreateFile(kernel-handle) 0x00000000 STATUS_SUCCESS",
    "4 ZwWriteFile-dispatch(kernel-handle) 0x00000000 STATUS_SUCCESS",
    /* NtWriteFile called directly keeps the caller's previous mode, User: a kernel handle is not the caller's */
    "4 NtWriteFile-dispatch(kernel-handle) 0xC0000008 STATUS_INVALID_HANDLE",
    "4 dispatch-ran-in ntvlog.exe irql 0",
    "4 handle(kernel-handle) kernel-table",
    "4 ZwWriteFile-work-item(kernel-handle) 0x00000000 STATUS_SUCCESS",
    "4 NtWriteFile-work-item(kernel-handle) 0x00000000 STATUS_SUCCESS",
    "4 work-item-ran-in System irql 0",
    "4 ZwWriteFile-timer-dpc-work-item(kernel-handle) 0x00000000 STATUS_SUCCESS",
    "4 NtWriteFile-timer-dpc-work-item(kernel-handle) 0x00000000 STATUS_SUCCESS",
    "4 ZwClose(kernel-handle) 0x00000000 STATUS_SUCCESS",
    "4 log:",
    "Zw dispatch",
    "Zw work-item",
    "Nt work-item",
    "Zw timer-dpc-work-item",
    "Nt timer-dpc-work-item",
    NULL
};

/* ntvlog-user.sys (USER_HANDLE): a handle in the program's process table */
static const char *const ntvlog_process_handle_lines[] = {
    "4 ZwCreateFile(process-handle) 0x00000000 STATUS_SUCCESS",
    "4 ZwWriteFile-dispatch(process-handle) 0x00000000 STATUS_SUCCESS",
    /* previous mode User: the driver's I/O status block, in kernel memory, fails the probe */
    "4 NtWriteFile-dispatch(process-handle) 0xC0000005 STATUS_ACCESS_VIOLATION",
    "4 dispatch-ran-in ntvlog.exe irql 0",
    "4 handle(process-handle) process-table",
    /* in the System process the program's handle means nothing */
    "4 ZwWriteFile-work-item(process-handle) 0xC0000008 STATUS_INVALID_HANDLE",
    "4 NtWriteFile-work-item(process-handle) 0xC0000008 STATUS_INVALID_HANDLE",
    "4 work-item-ran-in System irql 0",
    "4 ZwWriteFile-timer-dpc-work-item(process-handle) 0xC0000008 STATUS_INVALID_HANDLE",
    "4 NtWriteFile-timer-dpc-work-item(process-handle) 0xC0000008 STATUS_INVALID_HANDLE",
    "4 ZwClose(process-handle) 0x00000000 STATUS_SUCCESS",
    "4 log:",
    "Zw dispatch",
    NULL
};

START_TEST(logging_driver_needs_a_kernel_handle)
{
    static const char *const mechanisms[] = { "--syscall=int2e", "--syscall=sysenter" };
    for (int i = 0; i < 2; i++) {
        check_output(ntvlog_kernel_handle_lines, mechanisms[i], "--driver=" NTVLOG_SYS, "build/examples/ntvlog.exe",
                     NULL);
        check_output(ntvlog_process_handle_lines, mechanisms[i], "--driver=" NTVLOG_USER_SYS,
                     "build/examples/ntvlog.exe", NULL);
    }
}
END_TEST

START_TEST(file_service_in_a_dpc_bugchecks)
{
    struct spawn_result r = ntvisor("run", "--driver=" NTVLOG_SYS, "build/examples/ntvlog.exe", "dpc", NULL);
    ck_assert_int_eq(r.status, 123);
    assert_contains(r.out, "*** STOP: 0x0000000A (");
    assert_contains(r.out, "IRQL_NOT_LESS_OR_EQUAL");
    assert_contains(r.err, "ntvisor: guest bugcheck 0x0000000A");
    ck_assert_ptr_null(strstr(r.out, "the DPC's write returned"));
    spawn_free(&r);
}
END_TEST

START_TEST(bad_drivers_are_refused)
{
    /* the monitor checks every header field... */
    check_rejected("a driver is a PE DLL", "run", "--driver=" HELLO, HELLO);
    check_rejected("No such file", "run", "--driver=/tmp/ntv-no-such-driver.sys", HELLO);
    struct spawn_result r = ntvisor("run", "--driver=" NTZW_SYS, "--driver=" NTZW_SYS, HELLO, NULL);
    ck_assert_int_eq(r.status, 2);
    assert_contains(r.err, "a driver named 'ntzw.sys' is already loaded");
    spawn_free(&r);
    /* ...and the kernel: a copy under another name gets its own slot, but its DriverEntry finds its
       device taken (STATUS_OBJECT_NAME_COLLISION, as on NT); reported, and the system boots on */
    FILE *in = fopen(NTZW_SYS, "rb");
    ck_assert_ptr_nonnull(in);
    static char image[1 << 20];
    size_t n = fread(image, 1, sizeof(image), in);
    fclose(in);
    write_file("/tmp/ntv-second.sys", image, n);
    r = ntvisor("run", "--driver=" NTZW_SYS, "--driver=/tmp/ntv-second.sys", HELLO, NULL);
    ck_assert_msg(r.status == 0, "status %d, stderr:\n%s", r.status, r.err);
    assert_line(&r, 0, "ntoskrnl: driver 'ntv-second.sys' not loaded (C0000035)");
    assert_line(&r, 1, "Hello from ring 3, through NtDisplayString.");
    spawn_free(&r);
    /* a truncated image passes nothing */
    write_file("/tmp/ntv-truncated.sys", image, 40);
    check_rejected("ntvisor: ", "run", "--driver=/tmp/ntv-truncated.sys", HELLO);
}
END_TEST

/* ---------------------------------------------------------------- hooks (for the tracer) */

static void check_hook(const char *kind, const char *mechanism, const char *keep)
{
    char driver[64], line[96];
    const char *calls[] = { "install 0x00000000 STATUS_SUCCESS", "replaced yes",
        "NtReadFile 0x00000000 STATUS_SUCCESS", "NtReadFile 0x00000000 STATUS_SUCCESS",
        "NtReadFile 0x00000000 STATUS_SUCCESS", "data 'hook'", "hook-saw-calls yes" };
    snprintf(driver, sizeof(driver), "--driver=build/examples/hooks-%s.sys", kind);
    struct spawn_result r = ntvisor("run", mechanism, driver, "build/examples/hooks.exe", kind, keep, NULL);
    ck_assert_msg(r.status == 0, "status %d, stdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
    int n = 0;
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        snprintf(line, sizeof(line), "%s %s", kind, calls[i]);
        assert_line(&r, n++, line);
    }
    if (keep) {
        snprintf(line, sizeof(line), "%s kept", kind);
        assert_line(&r, n++, line);
    } else {
        snprintf(line, sizeof(line), "%s remove 0x00000000 STATUS_SUCCESS", kind);
        assert_line(&r, n++, line);
        snprintf(line, sizeof(line), "%s restored yes", kind);
        assert_line(&r, n++, line);
        snprintf(line, sizeof(line), "%s NtReadFile(after) 0x00000000 STATUS_SUCCESS", kind);
        assert_line(&r, n++, line);
    }
    ck_assert_int_eq(nth_line(r.out, n, line, sizeof(line)), -1);
    spawn_free(&r);
}

START_TEST(hooks_keep_the_system_working)
{
    check_hook("sst", "--syscall=int2e", NULL);
    check_hook("sst", "--syscall=sysenter", "keep");
    check_hook("sysenter", "--syscall=sysenter", NULL);
    check_hook("sysenter", "--syscall=sysenter", "keep");
}
END_TEST

static Suite *e2e_suite(void)
{
    Suite *s = suite_create("e2e");
    TCase *tc = tcase_create("guest");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, hello_int2e);
    tcase_add_test(tc, hello_sysenter);
    tcase_add_test(tc, hello_exit_status_is_low_byte);
    tcase_add_test(tc, services_int2e);
    tcase_add_test(tc, services_sysenter);
    tcase_add_loop_test(tc, ring3_fault_ends_process_not_kernel, 0,
                        (int)(sizeof(fault_cases) / sizeof(fault_cases[0])));
    tcase_add_test(tc, watchdog_ends_runaway_guest);
    tcase_add_test(tc, halted_guest_is_ended_by_watchdog);
    tcase_add_test(tc, triple_fault_is_reported_with_state);
    tcase_add_test(tc, unexpected_io_is_reported);
    tcase_add_test(tc, kernel_bugcheck_is_reported);
    tcase_add_test(tc, bad_command_lines);
    tcase_add_test(tc, bad_program_files);
    tcase_add_test(tc, help_and_info_tell_the_truth);
    tcase_add_test(tc, kd_reproduces_the_articles);
    tcase_add_test(tc, kd_stops_at_a_service_through_int2e);
    tcase_add_test(tc, kd_survives_bad_commands);
    tcase_add_test(tc, objects_events_delays_memory);
    tcase_add_test(tc, noaccess_page_faults_in_ring3);
    tcase_add_test(tc, wait_without_timeout_blocks_until_watchdog);
    tcase_add_test(tc, files_on_the_ram_volume_and_console);
    tcase_add_test(tc, file_option_is_checked);
    tcase_add_test(tc, scenarios_from_user_mode);
    tcase_add_test(tc, scenarios_from_kernel_mode);
    tcase_add_test(tc, logging_driver_needs_a_kernel_handle);
    tcase_add_test(tc, file_service_in_a_dpc_bugchecks);
    tcase_add_test(tc, bad_drivers_are_refused);
    tcase_add_test(tc, hooks_keep_the_system_working);
    suite_add_tcase(s, tc);
    return s;
}

Suite *trace_suite(void);
Suite *build_suite(void);
Suite *syscall_suite(void);
Suite *pe_suite(void);
Suite *ntdll_suite(void);
Suite *amd64_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(e2e_suite());
    srunner_add_suite(sr, trace_suite());
    srunner_add_suite(sr, build_suite());
    srunner_add_suite(sr, syscall_suite());
    srunner_add_suite(sr, pe_suite());
    srunner_add_suite(sr, ntdll_suite());
    srunner_add_suite(sr, amd64_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
