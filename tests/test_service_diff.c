/* Check suite for ntdb/service_diff.c: what moved between two builds, on
 * small made-up tables and on the real ones built into ntvisor. */
#include <check.h>
#include "check_run.h"
#include <string.h>
#include "ntdb/service_diff.h"
#include "ntdb/service_table.h"

static struct svc_table parse(const char *tsv)
{
    struct svc_table t;
    char err[256];
    ck_assert_msg(svc_table_parse(tsv, strlen(tsv), &t, err, sizeof(err)) == 0, "%s", err);
    return t;
}

static struct svc_table builtin(const char *build)
{
    struct svc_table t;
    char err[256];
    ck_assert_msg(svc_table_builtin(build, &t, err, sizeof(err)) == 0, "%s", err);
    return t;
}

static const struct svc_change *change_of(const struct svc_diff *d, const char *name)
{
    for (size_t i = 0; i < d->count; i++)
        if (!strcmp((d->changes[i].from ? d->changes[i].from : d->changes[i].to)->name, name))
            return &d->changes[i];
    return NULL;
}

START_TEST(each_kind_of_change)
{
    struct svc_table a = parse("index\tname\targc\n0x000\tNtA\t1\n0x001\tNtB\t2\n0x002\tNtC\t3\n0x003\tNtGone\t0\n");
    struct svc_table b = parse("index\tname\targc\n0x000\tNtA\t1\n0x001\tNtC\t3\n0x002\tNtB\t4\n0x003\tNtNew\t5\n");
    struct svc_diff d;
    ck_assert_int_eq(svc_table_diff(&a, &b, &d), 0);
    ck_assert_uint_eq(d.unchanged, 1);   /* NtA */
    ck_assert_uint_eq(d.count, 4);
    /* sorted by name: NtB, NtC, NtGone, NtNew */
    ck_assert_str_eq(d.changes[0].from->name, "NtB");
    ck_assert_int_eq(d.changes[0].kind, SVC_MOVED);
    ck_assert_uint_eq(d.changes[0].from->index, 1);
    ck_assert_uint_eq(d.changes[0].to->index, 2);
    ck_assert_uint_eq(d.changes[0].to->argc, 4);
    ck_assert_int_eq(d.changes[1].kind, SVC_MOVED);
    ck_assert_str_eq(d.changes[1].to->name, "NtC");
    ck_assert_int_eq(d.changes[2].kind, SVC_REMOVED);
    ck_assert_ptr_null(d.changes[2].to);
    ck_assert_str_eq(d.changes[2].from->name, "NtGone");
    ck_assert_int_eq(d.changes[3].kind, SVC_ADDED);
    ck_assert_ptr_null(d.changes[3].from);
    ck_assert_str_eq(d.changes[3].to->name, "NtNew");
    svc_diff_free(&d);
    svc_table_free(&a);
    svc_table_free(&b);
}
END_TEST

START_TEST(argument_count_alone)
{
    struct svc_table a = parse("index\tname\targc\n0x000\tNtA\t1\n");
    struct svc_table b = parse("index\tname\targc\n0x000\tNtA\t2\n");
    struct svc_diff d;
    ck_assert_int_eq(svc_table_diff(&a, &b, &d), 0);
    ck_assert_uint_eq(d.count, 1);
    ck_assert_int_eq(d.changes[0].kind, SVC_ARGC);
    svc_diff_free(&d);
    svc_table_free(&a);
    svc_table_free(&b);
}
END_TEST

/* The articles' example: NtReadFile is 0xB7 on XP SP1 and elsewhere on Windows 7. */
START_TEST(xp_to_windows_7)
{
    struct svc_table xp = builtin("5.1.2600-sp1-windows-xp"), w7 = builtin("6.1.7601-sp1-windows-7");
    struct svc_diff d;
    ck_assert_int_eq(svc_table_diff(&xp, &w7, &d), 0);
    const struct svc_change *c = change_of(&d, "NtReadFile");
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->kind, SVC_MOVED);
    ck_assert_uint_eq(c->from->index, 0xB7);
    ck_assert_uint_eq(c->to->index, svc_table_find(&w7, "NtReadFile")->index);
    /* every service of either table is accounted for exactly once */
    size_t both = d.unchanged, added = 0, removed = 0;
    for (size_t i = 0; i < d.count; i++) {
        both += d.changes[i].kind == SVC_MOVED || d.changes[i].kind == SVC_ARGC;
        added += d.changes[i].kind == SVC_ADDED;
        removed += d.changes[i].kind == SVC_REMOVED;
        if (i)
            ck_assert_int_lt(strcmp((d.changes[i - 1].from ? d.changes[i - 1].from : d.changes[i - 1].to)->name,
                                    (d.changes[i].from ? d.changes[i].from : d.changes[i].to)->name), 0);
    }
    ck_assert_uint_eq(both + removed, xp.count);
    ck_assert_uint_eq(both + added, w7.count);
    ck_assert_uint_gt(added, 0);
    svc_diff_free(&d);
    svc_table_free(&xp);
    svc_table_free(&w7);
}
END_TEST

START_TEST(a_build_against_itself)
{
    struct svc_table a = builtin(NULL), b = builtin(NULL);
    struct svc_diff d;
    ck_assert_int_eq(svc_table_diff(&a, &b, &d), 0);
    ck_assert_uint_eq(d.count, 0);
    ck_assert_uint_eq(d.unchanged, a.count);
    svc_diff_free(&d);
    svc_table_free(&a);
    svc_table_free(&b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("service_diff");
    TCase *tc = tcase_create("diff");
    tcase_add_test(tc, each_kind_of_change);
    tcase_add_test(tc, argument_count_alone);
    tcase_add_test(tc, xp_to_windows_7);
    tcase_add_test(tc, a_build_against_itself);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(suite());
}
