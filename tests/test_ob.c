/*
 * The guest's object manager and handle tables, built for the host:
 * reference counting and deletion, handle values (kernel handles have the
 * top bit), reuse of closed handles, table growth and exhaustion, pool
 * failure, and ObReferenceObjectByHandle's checks in NT's order -- table of
 * the current process, kernel handles from user mode, type, access.
 */
#include <check.h>
#include "check_run.h"
#include <stdlib.h>
#include <string.h>
#include "ob.h"

/* ---- the host's stand-ins for the pool and the bugcheck */

static int live_allocations;
static int fail_allocation_after = -1;    /* -1: never fail */

PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    (void)PoolType;
    (void)Tag;
    if (NumberOfBytes == 0 || NumberOfBytes > EX_POOL_MAX_ALLOCATION)
        return NULL;
    if (fail_allocation_after == 0)
        return NULL;
    if (fail_allocation_after > 0)
        fail_allocation_after--;
    live_allocations++;
    return calloc(1, NumberOfBytes);
}

VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    (void)Tag;
    live_allocations--;
    free(P);
}

void KeBugCheckEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    (void)P1; (void)P2; (void)P3; (void)P4;
    exit((int)Code);   /* the exit tests below expect the bugcheck code */
}

/* ---- two object types */

static int deleted;
static PVOID last_deleted;

static void delete_event(PVOID Object)
{
    deleted++;
    last_deleted = Object;
}

#define EV_QUERY  0x0001
#define EV_MODIFY 0x0002
#define EV_ALL    0x001F0003
static OBJECT_TYPE event_type = { "Event", { 0x00020001, 0x00020002, 0x00120000, EV_ALL }, EV_ALL,
                                  delete_event, NULL, 0, 0 };
static OBJECT_TYPE file_type = { "File", { 0x00120089, 0x00120116, 0x001200A0, 0x001F01FF }, 0x001F01FF,
                                 NULL, NULL, 0, 0 };

typedef struct { ULONG State; ULONG Spare[7]; } TEST_EVENT;

static void setup(void)
{
    live_allocations = 0;
    fail_allocation_after = -1;
    deleted = 0;
    last_deleted = NULL;
    event_type.TotalNumberOfObjects = event_type.TotalNumberOfHandles = 0;
    file_type.TotalNumberOfObjects = file_type.TotalNumberOfHandles = 0;
}

static PVOID new_object(POBJECT_TYPE type)
{
    PVOID object = NULL;
    ck_assert_int_eq(ObCreateObject(type, sizeof(TEST_EVENT), &object), STATUS_SUCCESS);
    ck_assert_ptr_nonnull(object);
    return object;
}

#define H(v) ((HANDLE)(ULONG_PTR)(v))

/* ---------------------------------------------------------------- objects */

START_TEST(create_gives_one_reference_and_zeroed_aligned_body)
{
    TEST_EVENT *e = new_object(&event_type);
    POBJECT_HEADER h = OBJECT_TO_OBJECT_HEADER(e);
    ck_assert_int_eq(h->PointerCount, 1);
    ck_assert_int_eq(h->HandleCount, 0);
    ck_assert_ptr_eq(h->Type, &event_type);
    ck_assert_ptr_eq(ObGetObjectType(e), &event_type);
    ck_assert_uint_eq((ULONG_PTR)e % 8, 0);
    ck_assert_uint_eq(e->State, 0);
    ck_assert_uint_eq(event_type.TotalNumberOfObjects, 1);
    ObDereferenceObject(e);
    ck_assert_int_eq(live_allocations, 0);
}
END_TEST

START_TEST(last_dereference_deletes_once)
{
    PVOID e = new_object(&event_type);
    ObReferenceObject(e);
    ObReferenceObject(e);
    ck_assert_int_eq(OBJECT_TO_OBJECT_HEADER(e)->PointerCount, 3);
    ObDereferenceObject(e);
    ObDereferenceObject(e);
    ck_assert_int_eq(deleted, 0);
    ObDereferenceObject(e);
    ck_assert_int_eq(deleted, 1);
    ck_assert_ptr_eq(last_deleted, e);
    ck_assert_uint_eq(event_type.TotalNumberOfObjects, 0);
    ck_assert_int_eq(live_allocations, 0);
}
END_TEST

START_TEST(create_fails_cleanly_without_pool)
{
    PVOID e = (PVOID)1;
    fail_allocation_after = 0;
    ck_assert_int_eq(ObCreateObject(&event_type, 16, &e), STATUS_INSUFFICIENT_RESOURCES);
    ck_assert_ptr_eq(e, (PVOID)1);
    fail_allocation_after = -1;
    ck_assert_int_eq(ObCreateObject(&event_type, 0x10000, &e), STATUS_INSUFFICIENT_RESOURCES);
    ck_assert_uint_eq(event_type.TotalNumberOfObjects, 0);
    ck_assert_int_eq(live_allocations, 0);
}
END_TEST

START_TEST(dereference_below_zero_bugchecks)
{
    PVOID e = new_object(&file_type);
    ObDereferenceObject(e);   /* gone: file_type has no delete procedure, the memory is freed */
    /* a reference the handle holds may not be dropped by ObDereferenceObject either */
    PVOID f = new_object(&file_type);
    HANDLE_TABLE t;
    HANDLE h;
    ObpInitializeHandleTable(&t, FALSE);
    ck_assert_int_eq(ObpCreateHandle(&t, f, 0, &h), STATUS_SUCCESS);
    ObDereferenceObject(f);
    ObDereferenceObject(f);   /* the handle's reference: REFERENCE_BY_POINTER */
}
END_TEST

START_TEST(generic_access_maps_through_the_type)
{
    ck_assert_uint_eq(ObpMapDesiredAccess(&file_type, GENERIC_READ), 0x00120089);
    ck_assert_uint_eq(ObpMapDesiredAccess(&file_type, GENERIC_WRITE | 0x1), 0x00120117);
    ck_assert_uint_eq(ObpMapDesiredAccess(&file_type, MAXIMUM_ALLOWED), 0x001F01FF);
    ck_assert_uint_eq(ObpMapDesiredAccess(&event_type, 0x0C000000 | EV_QUERY), EV_QUERY);
}
END_TEST

/* ---------------------------------------------------------------- handle tables */

START_TEST(handles_are_multiples_of_four_and_kernel_ones_have_the_top_bit)
{
    HANDLE_TABLE process, kernel;
    ObpInitializeHandleTable(&process, FALSE);
    ObpInitializeHandleTable(&kernel, TRUE);
    PVOID e = new_object(&event_type);
    HANDLE h1, h2, k1;
    ck_assert_int_eq(ObpCreateHandle(&process, e, EV_ALL, &h1), STATUS_SUCCESS);
    ck_assert_int_eq(ObpCreateHandle(&process, e, EV_QUERY, &h2), STATUS_SUCCESS);
    ck_assert_int_eq(ObpCreateHandle(&kernel, e, EV_ALL, &k1), STATUS_SUCCESS);
    ck_assert_uint_eq((ULONG_PTR)h1, 4);
    ck_assert_uint_eq((ULONG_PTR)h2, 8);
    ck_assert_uint_eq((ULONG_PTR)k1, 0x80000004u);
    ck_assert(ObpIsKernelHandle(k1));
    ck_assert(!ObpIsKernelHandle(h1));
    ck_assert(!ObpIsKernelHandle(NtCurrentProcess()));
    ck_assert_int_eq(OBJECT_TO_OBJECT_HEADER(e)->HandleCount, 3);
    ck_assert_int_eq(OBJECT_TO_OBJECT_HEADER(e)->PointerCount, 4);
    ck_assert_uint_eq(event_type.TotalNumberOfHandles, 3);

    /* a handle is found only in the table of its kind; the tag bits are ignored */
    ck_assert_ptr_nonnull(ObpLookupHandle(&process, h1));
    ck_assert_ptr_eq(ObpLookupHandle(&process, H(5)), ObpLookupHandle(&process, h1));
    ck_assert_ptr_null(ObpLookupHandle(&kernel, h1));
    ck_assert_ptr_null(ObpLookupHandle(&process, k1));
    ck_assert_ptr_null(ObpLookupHandle(&process, H(0)));
    ck_assert_ptr_null(ObpLookupHandle(&process, H(0x1234)));
    ck_assert_ptr_null(ObpLookupHandle(&process, NtCurrentProcess()));
    ck_assert_ptr_null(ObpLookupHandle(&process, NtCurrentThread()));
    ck_assert_ptr_null(ObpLookupHandle(NULL, h1));

    ObDereferenceObject(e);   /* the creation reference: the handles keep it alive */
    ck_assert_int_eq(deleted, 0);
    ObpSweepHandleTable(&process);
    ck_assert_int_eq(deleted, 0);
    ck_assert_int_eq(ObpCloseHandle(&kernel, k1), STATUS_SUCCESS);
    ck_assert_int_eq(deleted, 1);
    ObpSweepHandleTable(&kernel);
    ck_assert_int_eq(live_allocations, 0);
}
END_TEST

START_TEST(closed_handles_are_invalid_and_reused_first)
{
    HANDLE_TABLE t;
    ObpInitializeHandleTable(&t, FALSE);
    PVOID a = new_object(&event_type), b = new_object(&event_type);
    HANDLE ha, hb, hc;
    ck_assert_int_eq(ObpCreateHandle(&t, a, EV_ALL, &ha), STATUS_SUCCESS);
    ck_assert_int_eq(ObpCreateHandle(&t, b, EV_ALL, &hb), STATUS_SUCCESS);
    ObDereferenceObject(a);
    ObDereferenceObject(b);

    ck_assert_int_eq(ObpCloseHandle(&t, ha), STATUS_SUCCESS);
    ck_assert_int_eq(deleted, 1);
    ck_assert_ptr_eq(last_deleted, a);
    ck_assert_int_eq(ObpCloseHandle(&t, ha), STATUS_INVALID_HANDLE);
    ck_assert_ptr_null(ObpLookupHandle(&t, ha));
    ck_assert_uint_eq(t.HandleCount, 1);

    PVOID c = new_object(&event_type);
    ck_assert_int_eq(ObpCreateHandle(&t, c, EV_ALL, &hc), STATUS_SUCCESS);
    ck_assert_ptr_eq(hc, ha);   /* the freed index comes back first */
    ObDereferenceObject(c);
    ObpSweepHandleTable(&t);
    ck_assert_int_eq(deleted, 3);
    ck_assert_uint_eq(event_type.TotalNumberOfHandles, 0);
    ck_assert_int_eq(live_allocations, 0);
}
END_TEST

START_TEST(table_grows_to_its_limit_then_refuses)
{
    HANDLE_TABLE t;
    ObpInitializeHandleTable(&t, TRUE);
    PVOID e = new_object(&event_type);
    HANDLE h = NULL, last = NULL;
    ULONG n = 0;
    while (ObpCreateHandle(&t, e, EV_ALL, &h) == STATUS_SUCCESS) {
        ck_assert_uint_eq((ULONG_PTR)h, KERNEL_HANDLE_MASK | ((n + 1) << 2));
        last = h;
        n++;
        ck_assert_uint_le(n, HANDLE_TABLE_MAX_ENTRIES);
    }
    ck_assert_uint_eq(n, HANDLE_TABLE_MAX_ENTRIES - 1);   /* entry 0 is never a handle */
    ck_assert_int_eq(ObpCreateHandle(&t, e, EV_ALL, &h), STATUS_INSUFFICIENT_RESOURCES);
    ck_assert_ptr_nonnull(ObpLookupHandle(&t, last));
    ck_assert_ptr_nonnull(ObpLookupHandle(&t, H(KERNEL_HANDLE_MASK | 4)));
    ck_assert_int_eq(OBJECT_TO_OBJECT_HEADER(e)->HandleCount, (LONG)n);
    ObDereferenceObject(e);
    ObpSweepHandleTable(&t);
    ck_assert_int_eq(deleted, 1);
    ck_assert_int_eq(live_allocations, 0);
}
END_TEST

START_TEST(table_growth_failure_leaves_the_table_intact)
{
    HANDLE_TABLE t;
    ObpInitializeHandleTable(&t, FALSE);
    PVOID e = new_object(&event_type);
    HANDLE h;
    for (int i = 0; i < 31; i++)            /* fills the first 32 entries (entry 0 unused) */
        ck_assert_int_eq(ObpCreateHandle(&t, e, EV_ALL, &h), STATUS_SUCCESS);
    fail_allocation_after = 0;
    ck_assert_int_eq(ObpCreateHandle(&t, e, EV_ALL, &h), STATUS_INSUFFICIENT_RESOURCES);
    fail_allocation_after = -1;
    ck_assert_uint_eq(t.HandleCount, 31);
    ck_assert_ptr_nonnull(ObpLookupHandle(&t, H(31 * 4)));
    ck_assert_int_eq(ObpCreateHandle(&t, e, EV_ALL, &h), STATUS_SUCCESS);
    ck_assert_uint_eq((ULONG_PTR)h, 32 * 4);
    ObDereferenceObject(e);
    ObpSweepHandleTable(&t);
    ck_assert_int_eq(live_allocations, 0);
}
END_TEST

/* ---------------------------------------------------------------- ObReferenceObjectByHandle */

START_TEST(reference_by_handle_checks_table_type_and_access)
{
    HANDLE_TABLE app, system, kernel;
    ObpInitializeHandleTable(&app, FALSE);
    ObpInitializeHandleTable(&system, FALSE);
    ObpInitializeHandleTable(&kernel, TRUE);
    PVOID e = new_object(&event_type);
    HANDLE hq, hk;
    ck_assert_int_eq(ObpCreateHandle(&app, e, EV_QUERY, &hq), STATUS_SUCCESS);
    ck_assert_int_eq(ObpCreateHandle(&kernel, e, EV_ALL, &hk), STATUS_SUCCESS);
    ObDereferenceObject(e);
    PVOID got = NULL;
    ACCESS_MASK granted = 0;

    /* in its own process, from user mode, asking for what was granted */
    ck_assert_int_eq(ObpReferenceObjectByHandleInTables(&app, &kernel, hq, EV_QUERY, &event_type, UserMode,
                                                        &got, &granted), STATUS_SUCCESS);
    ck_assert_ptr_eq(got, e);
    ck_assert_uint_eq(granted, EV_QUERY);
    ck_assert_int_eq(OBJECT_TO_OBJECT_HEADER(e)->PointerCount, 3);
    ObDereferenceObject(got);

    /* more than was granted: denied from user mode, not checked for kernel mode */
    got = NULL;
    ck_assert_int_eq(ObpReferenceObjectByHandleInTables(&app, &kernel, hq, EV_MODIFY, &event_type, UserMode,
                                                        &got, NULL), STATUS_ACCESS_DENIED);
    ck_assert_ptr_null(got);
    ck_assert_int_eq(ObpReferenceObjectByHandleInTables(&app, &kernel, hq, GENERIC_WRITE, &event_type, UserMode,
                                                        &got, NULL), STATUS_ACCESS_DENIED);
    ck_assert_int_eq(ObpReferenceObjectByHandleInTables(&app, &kernel, hq, EV_MODIFY, &event_type, KernelMode,
                                                        &got, NULL), STATUS_SUCCESS);
    ObDereferenceObject(got);

    /* the wrong type is a mismatch, whatever the mode; NULL type accepts any */
    ck_assert_int_eq(ObpReferenceObjectByHandleInTables(&app, &kernel, hq, 0, &file_type, KernelMode,
                                                        &got, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    ck_assert_int_eq(ObpReferenceObjectByHandleInTables(&app, &kernel, hq, 0, NULL, UserMode,
                                                        &got, NULL), STATUS_SUCCESS);
    ObDereferenceObject(got);

    /* the same handle value in another process (a System worker thread) names nothing */
    ck_assert_int_eq(ObpReferenceObjectByHandleInTables(&system, &kernel, hq, 0, &event_type, KernelMode,
                                                        &got, NULL), STATUS_INVALID_HANDLE);
    ck_assert_int_eq(ObpReferenceObjectByHandleInTables(NULL, &kernel, hq, 0, &event_type, KernelMode,
                                                        &got, NULL), STATUS_INVALID_HANDLE);

    /* a kernel handle works in every process for kernel mode, never for user mode */
    ck_assert_int_eq(ObpReferenceObjectByHandleInTables(&system, &kernel, hk, EV_MODIFY, &event_type,
                                                        KernelMode, &got, NULL), STATUS_SUCCESS);
    ObDereferenceObject(got);
    ck_assert_int_eq(ObpReferenceObjectByHandleInTables(&app, &kernel, hk, EV_MODIFY, &event_type,
                                                        UserMode, &got, NULL), STATUS_INVALID_HANDLE);

    /* NULL, never-opened, closed and pseudo-handles */
    ck_assert_int_eq(ObpReferenceObjectByHandleInTables(&app, &kernel, NULL, 0, NULL, KernelMode,
                                                        &got, NULL), STATUS_INVALID_HANDLE);
    ck_assert_int_eq(ObpReferenceObjectByHandleInTables(&app, &kernel, H(0x1234), 0, NULL, UserMode,
                                                        &got, NULL), STATUS_INVALID_HANDLE);
    ck_assert_int_eq(ObpReferenceObjectByHandleInTables(&app, &kernel, NtCurrentProcess(), 0, NULL, KernelMode,
                                                        &got, NULL), STATUS_INVALID_HANDLE);
    ck_assert_int_eq(ObpCloseHandle(&app, hq), STATUS_SUCCESS);
    ck_assert_int_eq(ObpReferenceObjectByHandleInTables(&app, &kernel, hq, 0, NULL, UserMode,
                                                        &got, NULL), STATUS_INVALID_HANDLE);

    ck_assert_int_eq(OBJECT_TO_OBJECT_HEADER(e)->PointerCount, 1);
    ck_assert_int_eq(deleted, 0);
    ck_assert_int_eq(ObpCloseHandle(&kernel, hk), STATUS_SUCCESS);
    ck_assert_int_eq(deleted, 1);
    ObpSweepHandleTable(&app);
    ObpSweepHandleTable(&system);
    ObpSweepHandleTable(&kernel);
    ck_assert_int_eq(live_allocations, 0);
}
END_TEST

static Suite *ob_suite(void)
{
    Suite *s = suite_create("ob");
    TCase *tc = tcase_create("objects");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, create_gives_one_reference_and_zeroed_aligned_body);
    tcase_add_test(tc, last_dereference_deletes_once);
    tcase_add_test(tc, create_fails_cleanly_without_pool);
    tcase_add_exit_test(tc, dereference_below_zero_bugchecks, REFERENCE_BY_POINTER);
    tcase_add_test(tc, generic_access_maps_through_the_type);
    suite_add_tcase(s, tc);

    tc = tcase_create("handles");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, handles_are_multiples_of_four_and_kernel_ones_have_the_top_bit);
    tcase_add_test(tc, closed_handles_are_invalid_and_reused_first);
    tcase_add_test(tc, table_grows_to_its_limit_then_refuses);
    tcase_add_test(tc, table_growth_failure_leaves_the_table_intact);
    tcase_add_test(tc, reference_by_handle_checks_table_type_and_access);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(ob_suite());
}
