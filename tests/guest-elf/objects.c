/*
 * objects: handles, events, waits, delays and virtual memory from ring 3.
 * One line per check: "<check> <NTSTATUS hex> <NTSTATUS name>", plus facts
 * ("<fact> <value>") the end-to-end tests compare.
 */
#include <ntapi.h>

#define KERNEL_ADDRESS        ((PVOID)0x80100000)
#define UNMAPPED_USER_ADDRESS ((PVOID)0x10000000)

static void Report(const char *Check, NTSTATUS Status)
{
    printf("%s 0x%08X %s\n", Check, (unsigned)Status, RtlNtStatusName(Status));
}

static LONGLONG Now(void)
{
    LARGE_INTEGER t;
    NtQuerySystemTime(&t);
    return t.QuadPart;
}

static void Events(void)
{
    HANDLE e = 0, e2 = 0, q = 0;
    LONG previous = 7;
    LARGE_INTEGER zero = { .QuadPart = 0 }, short50ms = { .QuadPart = -500000 };

    Report("NtCreateEvent(notification)", NtCreateEvent(&e, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE));
    printf("handle-is-user %s\n", ((ULONG)e & 0x80000003) == 0 && e ? "yes" : "no");
    Report("NtWaitForSingleObject(unsignalled,0)", NtWaitForSingleObject(e, FALSE, &zero));
    LONGLONG before = Now();
    Report("NtWaitForSingleObject(unsignalled,50ms)", NtWaitForSingleObject(e, FALSE, &short50ms));
    LONGLONG waited = Now() - before;
    /* the CMOS clock ticks in seconds: only a gross overrun is visible */
    printf("wait-took-less-than-2s %s\n", waited < 20000000 ? "yes" : "no");
    Report("NtSetEvent", NtSetEvent(e, &previous));
    printf("previous-state %d\n", (int)previous);
    Report("NtWaitForSingleObject(signalled)", NtWaitForSingleObject(e, FALSE, NULL));
    Report("NtWaitForSingleObject(still-signalled)", NtWaitForSingleObject(e, FALSE, &zero));
    Report("NtResetEvent", NtResetEvent(e, &previous));
    printf("previous-state %d\n", (int)previous);
    Report("NtWaitForSingleObject(reset)", NtWaitForSingleObject(e, FALSE, &zero));

    Report("NtCreateEvent(synchronization,set)", NtCreateEvent(&e2, EVENT_ALL_ACCESS, NULL, SynchronizationEvent, TRUE));
    Report("NtWaitForSingleObject(auto-reset)", NtWaitForSingleObject(e2, FALSE, &zero));
    Report("NtWaitForSingleObject(auto-reset-again)", NtWaitForSingleObject(e2, FALSE, &zero));

    /* access: a handle granting only EVENT_QUERY_STATE may not set or wait */
    Report("NtCreateEvent(query-only)", NtCreateEvent(&q, EVENT_QUERY_STATE, NULL, NotificationEvent, FALSE));
    Report("NtSetEvent(query-only)", NtSetEvent(q, NULL));
    Report("NtWaitForSingleObject(query-only)", NtWaitForSingleObject(q, FALSE, &zero));

    /* bad input */
    Report("NtCreateEvent(bad-type)", NtCreateEvent(&q, EVENT_ALL_ACCESS, NULL, (EVENT_TYPE)2, FALSE));
    Report("NtCreateEvent(kernel-handle-pointer)", NtCreateEvent(KERNEL_ADDRESS, EVENT_ALL_ACCESS, NULL,
                                                                 NotificationEvent, FALSE));
    Report("NtCreateEvent(unmapped-handle-pointer)", NtCreateEvent(UNMAPPED_USER_ADDRESS, EVENT_ALL_ACCESS, NULL,
                                                                   NotificationEvent, FALSE));
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, NULL, 0, NULL, NULL);
    oa.Length = 4;
    Report("NtCreateEvent(bad-attributes-length)", NtCreateEvent(&q, EVENT_ALL_ACCESS, &oa, NotificationEvent, FALSE));
    Report("NtCreateEvent(attributes-in-kernel)", NtCreateEvent(&q, EVENT_ALL_ACCESS, KERNEL_ADDRESS,
                                                                NotificationEvent, FALSE));
    /* OBJ_KERNEL_HANDLE from user mode is ignored: the handle lands in the process's table */
    HANDLE k = 0;
    InitializeObjectAttributes(&oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    Report("NtCreateEvent(OBJ_KERNEL_HANDLE)", NtCreateEvent(&k, EVENT_ALL_ACCESS, &oa, NotificationEvent, FALSE));
    printf("kernel-handle-flag-ignored %s\n", ((ULONG)k & 0x80000000) == 0 ? "yes" : "no");
    Report("NtClose(OBJ_KERNEL_HANDLE-event)", NtClose(k));
    Report("NtWaitForSingleObject(timeout-in-kernel)", NtWaitForSingleObject(e, FALSE, KERNEL_ADDRESS));
    Report("NtSetEvent(process-handle)", NtSetEvent(NtCurrentProcess(), NULL));
    Report("NtSetEvent(kernel-handle-value)", NtSetEvent((HANDLE)0x80000004, NULL));
    Report("NtSetEvent(previous-in-kernel)", NtSetEvent(e, KERNEL_ADDRESS));
    Report("NtWaitForSingleObject(process)", NtWaitForSingleObject(NtCurrentProcess(), FALSE, &zero));

    Report("NtClose(event)", NtClose(e));
    Report("NtClose(event-again)", NtClose(e));
    Report("NtSetEvent(closed)", NtSetEvent(e, NULL));
    Report("NtClose(NtCurrentProcess)", NtClose(NtCurrentProcess()));
    Report("NtClose(NtCurrentThread)", NtClose(NtCurrentThread()));
    Report("NtClose(kernel-handle-value)", NtClose((HANDLE)0x80000004));
    Report("NtClose(NULL)", NtClose(NULL));
    Report("NtClose(sync-event)", NtClose(e2));
    Report("NtClose(query-only)", NtClose(q));

    /* a closed handle's value is handed out again */
    HANDLE again = 0;
    NtCreateEvent(&again, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE);
    printf("closed-handle-reused %s\n", again == q || again == e2 || again == e ? "yes" : "no");
    NtClose(again);
}

static void Delays(void)
{
    LARGE_INTEGER d = { .QuadPart = -200000 };   /* 20 ms */
    Report("NtDelayExecution(20ms)", NtDelayExecution(FALSE, &d));
    d.QuadPart = Now() + 100000;                   /* absolute, 10 ms ahead */
    Report("NtDelayExecution(absolute)", NtDelayExecution(FALSE, &d));
    d.QuadPart = 0;
    Report("NtDelayExecution(0)", NtDelayExecution(FALSE, &d));
    Report("NtDelayExecution(NULL)", NtDelayExecution(FALSE, NULL));
    Report("NtDelayExecution(kernel)", NtDelayExecution(FALSE, KERNEL_ADDRESS));
}

static void Memory(void)
{
    PVOID base = NULL, base2;
    SIZE_T size = 3 * PAGE_SIZE + 1, size2;
    ULONG old = 0;

    Report("NtAllocateVirtualMemory(commit)", NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size,
                                                                      MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE));
    printf("allocation-64k-aligned %s\n", ((ULONG)base & 0xFFFF) == 0 && base ? "yes" : "no");
    printf("allocation-size 0x%x\n", (unsigned)size);
    volatile ULONG *p = base;
    p[0] = 0x12345678;
    p[3 * PAGE_SIZE / 4 + 1] = 0x9abcdef0;
    printf("memory-zeroed-and-writable %s\n", p[1] == 0 && p[0] == 0x12345678 ? "yes" : "no");

    /* read-only: the kernel cannot write there on our behalf either */
    base2 = base;
    size2 = PAGE_SIZE;
    Report("NtProtectVirtualMemory(readonly)", NtProtectVirtualMemory(NtCurrentProcess(), &base2, &size2,
                                                                      PAGE_READONLY, &old));
    printf("old-protection 0x%x\n", (unsigned)old);
    printf("readonly-still-readable %s\n", p[0] == 0x12345678 ? "yes" : "no");
    Report("NtQuerySystemTime(into-readonly)", NtQuerySystemTime((PLARGE_INTEGER)base));
    Report("NtProtectVirtualMemory(noaccess)", NtProtectVirtualMemory(NtCurrentProcess(), &base2, &size2,
                                                                      PAGE_NOACCESS, &old));
    printf("old-protection 0x%x\n", (unsigned)old);
    Report("NtQuerySystemTime(into-noaccess)", NtQuerySystemTime((PLARGE_INTEGER)base));
    Report("NtProtectVirtualMemory(readwrite)", NtProtectVirtualMemory(NtCurrentProcess(), &base2, &size2,
                                                                       PAGE_READWRITE, &old));
    printf("contents-kept %s\n", p[0] == 0x12345678 ? "yes" : "no");
    Report("NtProtectVirtualMemory(bad-protection)", NtProtectVirtualMemory(NtCurrentProcess(), &base2, &size2,
                                                                            0x3, &old));

    /* reserve, then commit a page inside */
    PVOID r = NULL;
    SIZE_T rs = 0x20000;
    Report("NtAllocateVirtualMemory(reserve)", NtAllocateVirtualMemory(NtCurrentProcess(), &r, 0, &rs,
                                                                       MEM_RESERVE, PAGE_READWRITE));
    base2 = r;
    size2 = PAGE_SIZE;
    Report("NtProtectVirtualMemory(reserved-only)", NtProtectVirtualMemory(NtCurrentProcess(), &base2, &size2,
                                                                           PAGE_READONLY, &old));
    base2 = (PUCHAR)r + 0x1800;
    size2 = 0x10;
    Report("NtAllocateVirtualMemory(commit-in-reserve)", NtAllocateVirtualMemory(NtCurrentProcess(), &base2, 0,
                                                                                 &size2, MEM_COMMIT, PAGE_READWRITE));
    printf("commit-rounded %s\n", base2 == (PUCHAR)r + 0x1000 && size2 == PAGE_SIZE ? "yes" : "no");
    base2 = r;
    size2 = PAGE_SIZE;
    Report("NtAllocateVirtualMemory(reserve-over-reserve)", NtAllocateVirtualMemory(NtCurrentProcess(), &base2, 0,
                                                                                    &size2, MEM_RESERVE, PAGE_READWRITE));
    base2 = (PVOID)0x00400000;
    Report("NtAllocateVirtualMemory(over-image)", NtAllocateVirtualMemory(NtCurrentProcess(), &base2, 0, &size2,
                                                                          MEM_RESERVE, PAGE_READWRITE));
    base2 = (PVOID)0x20000000;
    size2 = PAGE_SIZE;
    Report("NtAllocateVirtualMemory(commit-unreserved)", NtAllocateVirtualMemory(NtCurrentProcess(), &base2, 0,
                                                                                 &size2, MEM_COMMIT, PAGE_READWRITE));
    Report("NtAllocateVirtualMemory(at-address)", NtAllocateVirtualMemory(NtCurrentProcess(), &base2, 0, &size2,
                                                                          MEM_COMMIT | MEM_RESERVE, PAGE_READONLY));
    printf("at-address-base 0x%08x\n", (unsigned)base2);

    /* bad input */
    PVOID b = NULL;
    SIZE_T s = PAGE_SIZE;
    Report("NtAllocateVirtualMemory(zero-bits)", NtAllocateVirtualMemory(NtCurrentProcess(), &b, 22, &s,
                                                                         MEM_COMMIT, PAGE_READWRITE));
    Report("NtAllocateVirtualMemory(no-type)", NtAllocateVirtualMemory(NtCurrentProcess(), &b, 0, &s, 0,
                                                                       PAGE_READWRITE));
    Report("NtAllocateVirtualMemory(bad-type)", NtAllocateVirtualMemory(NtCurrentProcess(), &b, 0, &s,
                                                                        MEM_COMMIT | 0x1, PAGE_READWRITE));
    Report("NtAllocateVirtualMemory(bad-protect)", NtAllocateVirtualMemory(NtCurrentProcess(), &b, 0, &s,
                                                                           MEM_COMMIT, 0));
    s = 0;
    Report("NtAllocateVirtualMemory(zero-size)", NtAllocateVirtualMemory(NtCurrentProcess(), &b, 0, &s,
                                                                         MEM_RESERVE, PAGE_READWRITE));
    s = 0x7FFF0000;
    Report("NtAllocateVirtualMemory(huge)", NtAllocateVirtualMemory(NtCurrentProcess(), &b, 0, &s,
                                                                    MEM_RESERVE, PAGE_READWRITE));
    s = PAGE_SIZE;
    b = (PVOID)0x7FFE0000;
    Report("NtAllocateVirtualMemory(above-vad-limit)", NtAllocateVirtualMemory(NtCurrentProcess(), &b, 0, &s,
                                                                               MEM_RESERVE, PAGE_READWRITE));
    b = NULL;
    s = 0x10000000;   /* more than this guest has */
    Report("NtAllocateVirtualMemory(too-much)", NtAllocateVirtualMemory(NtCurrentProcess(), &b, 0, &s,
                                                                        MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE));
    Report("NtAllocateVirtualMemory(base-in-kernel)", NtAllocateVirtualMemory(NtCurrentProcess(), KERNEL_ADDRESS, 0,
                                                                              &s, MEM_RESERVE, PAGE_READWRITE));
    Report("NtAllocateVirtualMemory(size-unmapped)", NtAllocateVirtualMemory(NtCurrentProcess(), &b, 0,
                                                                             UNMAPPED_USER_ADDRESS, MEM_RESERVE,
                                                                             PAGE_READWRITE));
    Report("NtAllocateVirtualMemory(bad-process)", NtAllocateVirtualMemory((HANDLE)0x1234, &b, 0, &s,
                                                                           MEM_RESERVE, PAGE_READWRITE));

    /* free */
    base2 = (PUCHAR)base + PAGE_SIZE;
    size2 = 0;
    Report("NtFreeVirtualMemory(release-not-at-base)", NtFreeVirtualMemory(NtCurrentProcess(), &base2, &size2,
                                                                           MEM_RELEASE));
    Report("NtFreeVirtualMemory(bad-type)", NtFreeVirtualMemory(NtCurrentProcess(), &base2, &size2,
                                                                MEM_RELEASE | MEM_DECOMMIT));
    size2 = PAGE_SIZE;
    Report("NtFreeVirtualMemory(decommit-page)", NtFreeVirtualMemory(NtCurrentProcess(), &base2, &size2,
                                                                     MEM_DECOMMIT));
    Report("NtProtectVirtualMemory(decommitted)", NtProtectVirtualMemory(NtCurrentProcess(), &base2, &size2,
                                                                         PAGE_READONLY, &old));
    base2 = (PVOID)0x00400000;
    size2 = 0;
    Report("NtFreeVirtualMemory(image)", NtFreeVirtualMemory(NtCurrentProcess(), &base2, &size2, MEM_RELEASE));
    base2 = (PVOID)0x30000000;
    Report("NtFreeVirtualMemory(not-allocated)", NtFreeVirtualMemory(NtCurrentProcess(), &base2, &size2,
                                                                      MEM_RELEASE));
    base2 = base;
    size2 = 0;
    Report("NtFreeVirtualMemory(release)", NtFreeVirtualMemory(NtCurrentProcess(), &base2, &size2, MEM_RELEASE));
    printf("released-size 0x%x\n", (unsigned)size2);
    Report("NtFreeVirtualMemory(release-again)", NtFreeVirtualMemory(NtCurrentProcess(), &base2, &size2,
                                                                     MEM_RELEASE));
    PVOID again = NULL;
    size2 = PAGE_SIZE;
    NtAllocateVirtualMemory(NtCurrentProcess(), &again, 0, &size2, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    printf("released-range-reused %s\n", again == base ? "yes" : "no");
    printf("reused-memory-zeroed %s\n", *(volatile ULONG *)again == 0 ? "yes" : "no");
}

int main(int argc, char **argv)
{
    const char *part = argc > 1 ? argv[1] : "all";
    if (!strcmp(part, "all") || !strcmp(part, "events"))
        Events();
    if (!strcmp(part, "all") || !strcmp(part, "delays"))
        Delays();
    if (!strcmp(part, "all") || !strcmp(part, "memory"))
        Memory();
    if (!strcmp(part, "noaccess")) {
        /* touching a PAGE_NOACCESS page from ring 3 ends the process with an access violation */
        PVOID b = NULL;
        SIZE_T s = PAGE_SIZE;
        NtAllocateVirtualMemory(NtCurrentProcess(), &b, 0, &s, MEM_COMMIT | MEM_RESERVE, PAGE_NOACCESS);
        printf("noaccess: touching\n");
        return *(volatile int *)b;
    }
    if (!strcmp(part, "wait-forever")) {
        HANDLE e;
        NtCreateEvent(&e, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE);
        printf("wait-forever: waiting\n");
        NtWaitForSingleObject(e, FALSE, NULL);
        printf("wait-forever: woke up\n");
    }
    return 0;
}
