/* Check suite for ntdb/service_slots.c, the one definition of the service-slot
 * ABI, on the real tables in data/nt-syscalls/ (run from the top of the tree,
 * or set NTVISOR_NT_SYSCALLS): the slots are the sorted union of every
 * build's names, each slot's argc is the first table's, the tables built into
 * ntvisor give the same slots as the files, and the services module numbers
 * each service by its slot. */
#include <check.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <ntvisor/abi.h>
#include "check_run.h"
#include "ntdb/service_slots.h"
#include "ntdb/service_table.h"

#define MAX_TABLES 64

static struct svc_table tables[MAX_TABLES];
static char builds[MAX_TABLES][128];
static size_t n_tables;
static char err[512];

static const char *tables_dir(void)
{
    const char *env = getenv("NTVISOR_NT_SYSCALLS");
    return env && *env ? env : "data/nt-syscalls";
}

static int by_string(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Every *.i386.ssdt.tsv, in the byte order the Makefile's $(sort) gives gensvc. */
static void load_all(void)
{
    DIR *d = opendir(tables_dir());
    ck_assert_msg(d != NULL, "%s: run from the top of the tree", tables_dir());
    struct dirent *e;
    n_tables = 0;
    while ((e = readdir(d))) {
        const char *suffix = ".i386.ssdt.tsv";
        size_t n = strlen(e->d_name), s = strlen(suffix);
        if (n <= s || strcmp(e->d_name + n - s, suffix))
            continue;
        ck_assert_uint_lt(n_tables, MAX_TABLES);
        snprintf(builds[n_tables++], sizeof(builds[0]), "%.*s", (int)(n - s), e->d_name);
    }
    closedir(d);
    qsort(builds, n_tables, sizeof(builds[0]), by_string);
    for (size_t i = 0; i < n_tables; i++) {
        char path[512];
        int n = snprintf(path, sizeof(path), "%s/%s.i386.ssdt.tsv", tables_dir(), builds[i]);
        ck_assert(n > 0 && (size_t)n < sizeof(path));
        ck_assert_msg(svc_table_load(path, &tables[i], err, sizeof(err)) == 0, "%s", err);
    }
    ck_assert_uint_ge(n_tables, 19);
}

static void free_all(void)
{
    for (size_t i = 0; i < n_tables; i++)
        svc_table_free(&tables[i]);
    n_tables = 0;
}

START_TEST(slots_are_the_sorted_union)
{
    struct svc_slots s;
    ck_assert_int_eq(svc_slots_of(tables, n_tables, &s, err, sizeof(err)), 0);
    ck_assert_uint_eq(s.count, 476);
    for (size_t i = 0; i < s.count; i++) {
        ck_assert_uint_eq(s.slot[i].index, i);
        if (i)
            ck_assert_msg(strcmp(s.slot[i - 1].name, s.slot[i].name) < 0, "slot %zu: %s after %s", i,
                          s.slot[i].name, s.slot[i - 1].name);
    }
    /* every name of every build has a slot, and every slot is some build's name */
    for (size_t t = 0; t < n_tables; t++)
        for (size_t j = 0; j < tables[t].count; j++) {
            long k = svc_slot_of(&s, tables[t].entries[j].name);
            ck_assert_msg(k >= 0, "%s: %s has no slot", builds[t], tables[t].entries[j].name);
            ck_assert_str_eq(s.slot[k].name, tables[t].entries[j].name);
        }
    for (size_t i = 0; i < s.count; i++) {
        size_t t = 0;
        while (t < n_tables && !svc_table_find(&tables[t], s.slot[i].name))
            t++;
        ck_assert_msg(t < n_tables, "slot %zu (%s) is in no table", i, s.slot[i].name);
        /* the first table that names it gives the argc (gensvc's weak routines and absent stubs) */
        ck_assert_uint_eq(s.slot[i].argc, svc_table_find(&tables[t], s.slot[i].name)->argc);
    }
    svc_slots_free(&s);
    ck_assert_ptr_null(s.slot);
    ck_assert_uint_eq(s.count, 0);
}
END_TEST

START_TEST(known_slots)
{
    struct svc_slots s;
    ck_assert_int_eq(svc_slots_of(tables, n_tables, &s, err, sizeof(err)), 0);
    ck_assert_str_eq(s.slot[0].name, "NtAcceptConnectPort");
    ck_assert_int_eq(svc_slot_of(&s, "NtAcceptConnectPort"), 0);
    /* ntdll's NtReadFile is at 0x77F50000 + 325 * 16 = 0x77F51450 under every build */
    ck_assert_int_eq(svc_slot_of(&s, "NtReadFile"), 325);
    ck_assert_uint_eq(s.slot[325].argc, 9);
    ck_assert_int_eq(svc_slot_of(&s, "NtYieldExecution"), 475);
    /* XP SP1 has 4 arguments, the first table (Windows 10 1507) 8 */
    ck_assert_uint_eq(s.slot[svc_slot_of(&s, "NtLoadKeyEx")].argc, 8);
    ck_assert_int_eq(svc_slot_of(&s, "NtNoSuchService"), -1);
    ck_assert_int_eq(svc_slot_of(&s, ""), -1);
    ck_assert_int_eq(svc_slot_of(&s, "NtZzz"), -1);
    svc_slots_free(&s);
}
END_TEST

START_TEST(builtin_slots_equal_the_files)
{
    struct svc_slots files, builtin;
    ck_assert_int_eq(svc_slots_of(tables, n_tables, &files, err, sizeof(err)), 0);
    ck_assert_msg(svc_slots_builtin(&builtin, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(builtin.count, files.count);
    for (size_t i = 0; i < files.count; i++) {
        ck_assert_str_eq(builtin.slot[i].name, files.slot[i].name);
        ck_assert_uint_eq(builtin.slot[i].argc, files.slot[i].argc);
    }
    svc_slots_free(&files);
    svc_slots_free(&builtin);
}
END_TEST

/* The services module of every build: service i's slot holds service i's name. */
START_TEST(services_module_numbers_by_slot)
{
    struct svc_slots s;
    ck_assert_int_eq(svc_slots_of(tables, n_tables, &s, err, sizeof(err)), 0);
    for (size_t t = 0; t < n_tables; t++) {
        unsigned char *data;
        size_t size;
        ck_assert_msg(svc_services_module(builds[t], &data, &size, err, sizeof(err)) == 0, "%s: %s",
                      builds[t], err);
        struct ntv_services_header h;
        ck_assert_uint_eq(size, sizeof(h) + tables[t].count * sizeof(struct ntv_services_entry));
        memcpy(&h, data, sizeof(h));
        ck_assert_str_eq(h.magic, NTV_SERVICES_MAGIC);
        ck_assert_uint_eq(h.count, tables[t].count);
        for (size_t i = 0; i < tables[t].count; i++) {
            struct ntv_services_entry e;
            memcpy(&e, data + sizeof(h) + i * sizeof(e), sizeof(e));
            ck_assert_uint_lt(e.slot, s.count);
            ck_assert_str_eq(s.slot[e.slot].name, tables[t].entries[i].name);
            ck_assert_uint_eq(e.argument_bytes, tables[t].entries[i].argc * 4);
        }
        free(data);
    }
    svc_slots_free(&s);
}
END_TEST

/* Made-up tables: the order of the tables picks the argc; no tables, no slots. */
START_TEST(first_table_gives_argc)
{
    struct svc_table t[2];
    const char *a = "index\tname\targc\n0x000\tNtB\t1\n0x001\tNtA\t2\n";
    const char *b = "index\tname\targc\n0x000\tNtA\t5\n0x001\tNtC\t3\n";
    ck_assert_int_eq(svc_table_parse(a, strlen(a), &t[0], err, sizeof(err)), 0);
    ck_assert_int_eq(svc_table_parse(b, strlen(b), &t[1], err, sizeof(err)), 0);
    struct svc_slots s;
    ck_assert_int_eq(svc_slots_of(t, 2, &s, err, sizeof(err)), 0);
    ck_assert_uint_eq(s.count, 3);
    ck_assert_str_eq(s.slot[0].name, "NtA");
    ck_assert_uint_eq(s.slot[0].argc, 2);
    ck_assert_str_eq(s.slot[1].name, "NtB");
    ck_assert_str_eq(s.slot[2].name, "NtC");
    svc_slots_free(&s);

    struct svc_table swapped[2] = { t[1], t[0] };
    ck_assert_int_eq(svc_slots_of(swapped, 2, &s, err, sizeof(err)), 0);
    ck_assert_uint_eq(s.slot[0].argc, 5);
    svc_slots_free(&s);

    ck_assert_int_eq(svc_slots_of(t, 0, &s, err, sizeof(err)), 0);
    ck_assert_uint_eq(s.count, 0);
    ck_assert_int_eq(svc_slot_of(&s, "NtA"), -1);
    svc_slots_free(&s);
    svc_table_free(&t[0]);
    svc_table_free(&t[1]);
}
END_TEST

static Suite *slots_suite(void)
{
    Suite *s = suite_create("service_slots");
    TCase *tc = tcase_create("real tables");
    tcase_add_checked_fixture(tc, load_all, free_all);
    tcase_add_test(tc, slots_are_the_sorted_union);
    tcase_add_test(tc, known_slots);
    tcase_add_test(tc, builtin_slots_equal_the_files);
    tcase_add_test(tc, services_module_numbers_by_slot);
    suite_add_tcase(s, tc);
    TCase *made = tcase_create("made-up tables");
    tcase_add_test(made, first_table_gives_argc);
    suite_add_tcase(s, made);
    return s;
}

int main(void)
{
    return check_run(slots_suite());
}
