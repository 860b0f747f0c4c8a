/*
 * Check suite for include/nt/svc_compact.h, NT x64's compacted KiServiceTable,
 * over every amd64 table in data/nt-syscalls/ (run from the top of the tree):
 * each service encoded the way the amd64 kernel lays its routines out, and
 * decoded back to its routine and stack-argument count; entries that cannot
 * be encoded are refused.
 */
#include <check.h>
#include "check_run.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nt/svc_compact.h"
#include "ntdb/service_table.h"

#define TABLES_DIR   "data/nt-syscalls"
#define TABLE_BASE   0xFFFFF80000123450ull   /* KiServiceTable in the kernel's range */

/* Every *.amd64.ssdt.tsv, loaded; returns how many. */
static size_t load_amd64_tables(struct svc_table *out, size_t max)
{
    DIR *d = opendir(TABLES_DIR);
    struct dirent *e;
    size_t n = 0;
    char path[512], err[256];
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) && n < max) {
        size_t len = strlen(e->d_name);
        const char *suffix = ".amd64.ssdt.tsv";
        if (len < strlen(suffix) || strcmp(e->d_name + len - strlen(suffix), suffix))
            continue;
        snprintf(path, sizeof path, "%s/%s", TABLES_DIR, e->d_name);
        ck_assert_msg(svc_table_load(path, &out[n], err, sizeof err) == 0, "%s: %s", path, err);
        n++;
    }
    closedir(d);
    return n;
}

/* Routines laid out like the kernel's: some before the table, most after, 0x40 apart. */
static uint64_t routine_of(unsigned i)
{
    return TABLE_BASE - 0x2000 + (uint64_t)i * 0x40;
}

START_TEST(every_amd64_table_round_trips)
{
    struct svc_table tables[32];
    size_t n = load_amd64_tables(tables, 32);
    ck_assert_uint_eq(n, 12);                     /* Vista RTM .. Windows 10 1709 */
    for (size_t t = 0; t < n; t++) {
        for (size_t i = 0; i < tables[t].count; i++) {
            const struct svc_entry *s = &tables[t].entries[i];
            int32_t entry;
            unsigned stack = svc_compact_stack_args(s->argc);
            ck_assert_msg(svc_compact_encode(TABLE_BASE, routine_of(s->index), stack, &entry),
                          "%s argc %u", s->name, s->argc);
            ck_assert_uint_eq(svc_compact_routine(TABLE_BASE, entry), routine_of(s->index));
            ck_assert_uint_eq(svc_compact_args(entry), stack);
            ck_assert_uint_eq(stack + (s->argc < 4 ? s->argc : 4), s->argc);
        }
        svc_table_free(&tables[t]);
    }
}
END_TEST

/* Windows 7 SP1 x64: NtReadFile is 0x003 with 9 arguments, five of them on the stack. */
START_TEST(nt_read_file_on_windows_7_sp1)
{
    struct svc_table t;
    char err[256];
    ck_assert_int_eq(svc_table_load(TABLES_DIR "/6.1.7601-sp1-windows-7.amd64.ssdt.tsv", &t, err, sizeof err), 0);
    const struct svc_entry *s = svc_table_find(&t, "NtReadFile");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->index, 3);
    ck_assert_uint_eq(svc_compact_stack_args(s->argc), 5);
    int32_t entry;
    ck_assert(svc_compact_encode(TABLE_BASE, TABLE_BASE + 0x2F2C0, 5, &entry));
    ck_assert_int_eq(entry, 0x2F2C05);            /* written out: 0x2F2C0 << 4 | 5 */
    svc_table_free(&t);
}
END_TEST

START_TEST(routines_below_the_table_decode_by_arithmetic_shift)
{
    int32_t entry;
    ck_assert(svc_compact_encode(TABLE_BASE, TABLE_BASE - 0x10, 2, &entry));
    ck_assert_int_eq(entry, (int32_t)0xFFFFFF02);
    ck_assert_uint_eq(svc_compact_routine(TABLE_BASE, entry), TABLE_BASE - 0x10);
    ck_assert_uint_eq(svc_compact_args(entry), 2);
}
END_TEST

START_TEST(what_cannot_be_encoded_is_refused)
{
    int32_t entry = 0x1234;
    ck_assert(!svc_compact_encode(TABLE_BASE, TABLE_BASE + (1ull << 27), 0, &entry));
    ck_assert(!svc_compact_encode(TABLE_BASE, TABLE_BASE - (1ull << 27) - 1, 0, &entry));
    ck_assert(!svc_compact_encode(TABLE_BASE, TABLE_BASE, 16, &entry));
    ck_assert_int_eq(entry, 0x1234);              /* untouched */
    ck_assert(svc_compact_encode(TABLE_BASE, TABLE_BASE + (1ull << 27) - 1, 15, &entry));
    ck_assert(svc_compact_encode(TABLE_BASE, TABLE_BASE - (1ull << 27), 15, &entry));
    ck_assert_uint_eq(svc_compact_routine(TABLE_BASE, entry), TABLE_BASE - (1ull << 27));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("svc_compact");
    TCase *tc = tcase_create("compaction");
    tcase_add_test(tc, every_amd64_table_round_trips);
    tcase_add_test(tc, nt_read_file_on_windows_7_sp1);
    tcase_add_test(tc, routines_below_the_table_decode_by_arithmetic_shift);
    tcase_add_test(tc, what_cannot_be_encoded_is_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(suite());
}
