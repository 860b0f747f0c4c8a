/* Check suite for ntdb/service_table.c: every shipped table in
 * data/nt-syscalls/ loads with known values, and hostile text and files are
 * rejected with the offending line number. Parsed text is always copied into
 * a malloc'd buffer of exactly its length (no terminating NUL), so ASan
 * catches any read past the end. Run from the top of the tree, or set
 * NTVISOR_NT_SYSCALLS to the tables' directory. */
#include <check.h>
#include "check_run.h"
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ntdb/service_table.h"

#ifndef NT_SYSCALLS_DIR
#define NT_SYSCALLS_DIR "data/nt-syscalls"
#endif
#define HEADER "index\tname\targc\n"

static const char *tables_dir(void)
{
    const char *env = getenv("NTVISOR_NT_SYSCALLS");
    return env && *env ? env : NT_SYSCALLS_DIR;
}

static char err[512];

/* Parses exactly len bytes of text from a buffer of exactly that size. */
static int parse_n(const char *text, size_t len, struct svc_table *t)
{
    char *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, text, len);
    t->entries = (void *)0x1;   /* must be reset by the parser */
    t->count = 12345;
    memset(err, 0, sizeof(err));
    int rc = svc_table_parse(copy, len, t, err, sizeof(err));
    free(copy);
    if (rc < 0) {
        ck_assert_ptr_null(t->entries);
        ck_assert_uint_eq(t->count, 0);
        ck_assert_msg(err[0] != '\0', "failure without a message");
    }
    return rc;
}

static int parse(const char *text, struct svc_table *t)
{
    return parse_n(text, strlen(text), t);
}

/* Asserts the text is rejected and the message names this line. */
#define REJECT_AT(text, line) reject_at((text), sizeof(text) - 1, (line), __LINE__)
static void reject_at(const char *text, size_t len, unsigned line, int srcline)
{
    struct svc_table t;
    char want[32];
    ck_assert_msg(parse_n(text, len, &t) == -1, "test line %d: accepted", srcline);
    snprintf(want, sizeof(want), "line %u:", line);
    ck_assert_msg(strstr(err, want) != NULL, "test line %d: error \"%s\" does not name %s", srcline,
                  err, want);
}

static void accept(const char *text, size_t len, size_t count, struct svc_table *t)
{
    int rc = parse_n(text, len, t);
    ck_assert_msg(rc == 0, "rejected: %s", err);
    ck_assert_uint_eq(t->count, count);
    for (size_t i = 0; i < t->count; i++)
        ck_assert_uint_eq(t->entries[i].index, i);
}

/* ---------------------------------------------------------------- the shipped tables */

static void load_table(const char *build, struct svc_table *t)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s.i386.ssdt.tsv", tables_dir(), build);
    int rc = svc_table_load(path, t, err, sizeof(err));
    ck_assert_msg(rc == 0, "%s: %s", path, err);
}

static void expect(const struct svc_table *t, const char *name, unsigned index, unsigned argc)
{
    const struct svc_entry *e = svc_table_find(t, name);
    ck_assert_msg(e != NULL, "%s missing", name);
    ck_assert_str_eq(e->name, name);
    ck_assert_uint_eq(e->index, index);
    ck_assert_uint_eq(e->argc, argc);
    ck_assert_ptr_eq(e, &t->entries[index]);
}

START_TEST(every_shipped_table_loads)
{
    DIR *d = opendir(tables_dir());
    ck_assert_msg(d != NULL, "%s: %s (run from the top of the tree)", tables_dir(), strerror(errno));
    struct dirent *de;
    unsigned tables = 0;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 4 || strcmp(de->d_name + n - 4, ".tsv") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", tables_dir(), de->d_name);

        /* count the service lines independently of the parser */
        FILE *f = fopen(path, "r");
        ck_assert_ptr_nonnull(f);
        char line[256];
        size_t lines = 0;
        while (fgets(line, sizeof(line), f))
            if (line[0] != '\n' && line[0] != '\r')
                lines++;
        fclose(f);

        struct svc_table t;
        int rc = svc_table_load(path, &t, err, sizeof(err));
        ck_assert_msg(rc == 0, "%s: %s", path, err);
        ck_assert_uint_eq(t.count, lines - 1);
        ck_assert_uint_gt(t.count, 200);
        ck_assert_uint_le(t.count, SVC_MAX_SERVICES);
        for (size_t i = 0; i < t.count; i++) {
            ck_assert_uint_eq(t.entries[i].index, i);
            ck_assert(!strncmp(t.entries[i].name, "Nt", 2));
            ck_assert_uint_le(t.entries[i].argc, SVC_MAX_ARGC);
            ck_assert_ptr_eq(svc_table_find(&t, t.entries[i].name), &t.entries[i]);
        }
        ck_assert_msg(svc_table_find(&t, "NtReadFile") != NULL, "%s: no NtReadFile", path);
        ck_assert_uint_eq(svc_table_find(&t, "NtReadFile")->argc, 9);
        svc_table_free(&t);
        ck_assert_ptr_null(t.entries);
        ck_assert_uint_eq(t.count, 0);
        tables++;
    }
    closedir(d);
    ck_assert_uint_ge(tables, 19);
}
END_TEST

START_TEST(xp_sp1_known_services)
{
    struct svc_table t;
    load_table("5.1.2600-sp1-windows-xp", &t);
    ck_assert_uint_eq(t.count, 284);
    expect(&t, "NtReadFile", 0xB7, 9);
    expect(&t, "NtDisplayString", 0x43, 1);
    expect(&t, "NtAcceptConnectPort", 0x000, 6);
    expect(&t, "NtAccessCheck", 0x001, 8);
    ck_assert_uint_eq(t.entries[283].index, 283);
    ck_assert_ptr_null(svc_table_find(&t, "NtNoSuchService"));
    ck_assert_ptr_null(svc_table_find(&t, "ntreadfile"));
    ck_assert_ptr_null(svc_table_find(&t, "NtReadFil"));
    ck_assert_ptr_null(svc_table_find(&t, ""));
    svc_table_free(&t);
    svc_table_free(&t);   /* idempotent */
    ck_assert_ptr_null(svc_table_find(&t, "NtReadFile"));
}
END_TEST

START_TEST(server_2003_sp0_known_services)
{
    struct svc_table t;
    load_table("5.2.3790-sp0-windows-2003", &t);
    expect(&t, "NtReadFile", 0xBF, 9);
    ck_assert_uint_eq(t.count, 295);
    svc_table_free(&t);
}
END_TEST

/* ---------------------------------------------------------------- text that parses */

START_TEST(minimal_and_crlf)
{
    struct svc_table t;
    static const char lf[] = HEADER "0x000\tNtA\t0\n0x001\tNtB_2\t32\n";
    accept(lf, sizeof(lf) - 1, 2, &t);
    ck_assert_str_eq(t.entries[0].name, "NtA");
    ck_assert_uint_eq(t.entries[0].argc, 0);
    ck_assert_str_eq(t.entries[1].name, "NtB_2");
    ck_assert_uint_eq(t.entries[1].argc, 32);
    svc_table_free(&t);

    static const char crlf[] = "index\tname\targc\r\n0x000\tNtA\t7\r\n0X001\tNtB\t03\r\n";
    accept(crlf, sizeof(crlf) - 1, 2, &t);
    ck_assert_str_eq(t.entries[0].name, "NtA");
    ck_assert_uint_eq(t.entries[0].argc, 7);
    ck_assert_uint_eq(t.entries[1].argc, 3);
    svc_table_free(&t);

    /* no final newline; upper- and lower-case hex; blank and CRLF-blank lines skipped */
    char *big = malloc(4096);
    ck_assert_ptr_nonnull(big);
    size_t n = 0;
    n += (size_t)sprintf(big + n, "%s", HEADER "\n");
    for (unsigned i = 0; i < 12; i++)
        n += (size_t)sprintf(big + n, "0x%0*X\tNtS%u\t%u\n\n", i & 1 ? 3 : 5, i, i, i % 33);
    n += (size_t)sprintf(big + n, "0x00c\tNtLast\t1");   /* no newline */
    accept(big, n, 13, &t);
    ck_assert_str_eq(t.entries[12].name, "NtLast");
    ck_assert_uint_eq(t.entries[12].argc, 1);
    svc_table_free(&t);
    free(big);
}
END_TEST

START_TEST(name_length_limit)
{
    struct svc_table t;
    char text[256], name[SVC_MAX_NAME + 2];
    memset(name, 'a', sizeof(name));
    name[0] = 'N';
    name[1] = 't';
    name[SVC_MAX_NAME] = '\0';   /* 63 characters: the longest allowed */
    int n = snprintf(text, sizeof(text), HEADER "0x000\t%s\t1\n", name);
    accept(text, (size_t)n, 1, &t);
    ck_assert_uint_eq(strlen(t.entries[0].name), SVC_MAX_NAME);
    ck_assert_str_eq(t.entries[0].name, name);
    svc_table_free(&t);

    name[SVC_MAX_NAME] = 'a';
    name[SVC_MAX_NAME + 1] = '\0';   /* 64 */
    n = snprintf(text, sizeof(text), HEADER "0x000\t%s\t1\n", name);
    reject_at(text, (size_t)n, 2, __LINE__);

    /* 300 characters */
    char huge[400];
    memset(huge, 'x', sizeof(huge));
    memcpy(huge, HEADER "0x000\tNt", sizeof(HEADER) - 1 + 8);
    memcpy(huge + sizeof(huge) - 3, "\t1\n", 3);
    reject_at(huge, sizeof(huge), 2, __LINE__);
}
END_TEST

START_TEST(exactly_4096_services)
{
    struct svc_table t;
    size_t cap = 4098 * 32, n = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    n += (size_t)snprintf(text, cap, HEADER);
    for (unsigned i = 0; i < SVC_MAX_SERVICES; i++)
        n += (size_t)snprintf(text + n, cap - n, "0x%03X\tNt%04X\t%u\n", i, i, i % 33);
    accept(text, n, SVC_MAX_SERVICES, &t);
    ck_assert_str_eq(t.entries[0xFFF].name, "Nt0FFF");
    ck_assert_uint_eq(svc_table_find(&t, "Nt0ABC")->index, 0xABC);
    svc_table_free(&t);

    /* one more (index 0x1000) is too many: the error names line 4098 */
    n += (size_t)snprintf(text + n, cap - n, "0x1000\tNt1000\t1\n");
    reject_at(text, n, SVC_MAX_SERVICES + 2, __LINE__);
    ck_assert_ptr_nonnull(strstr(err, "more than 4096"));
    free(text);
}
END_TEST

/* ---------------------------------------------------------------- hostile text */

START_TEST(empty_and_header)
{
    struct svc_table t;
    ck_assert_int_eq(parse_n("", 0, &t), -1);   /* a 1-byte buffer, len 0 */
    ck_assert_ptr_nonnull(strstr(err, "line 1:"));
    REJECT_AT("\n", 1);
    REJECT_AT("\n" HEADER "0x000\tNtA\t1\n", 1);       /* header not first */
    REJECT_AT("0x000\tNtA\t1\n", 1);                   /* missing header */
    REJECT_AT("index\tname\targs\n0x000\tNtA\t1\n", 1);
    REJECT_AT("Index\tName\tArgc\n0x000\tNtA\t1\n", 1);
    REJECT_AT("index name argc\n0x000\tNtA\t1\n", 1);
    REJECT_AT("index\tname\targc \n0x000\tNtA\t1\n", 1);
    REJECT_AT("index\tname\targc\t\n0x000\tNtA\t1\n", 1);
    REJECT_AT("index\tname\n0x000\tNtA\t1\n", 1);
    REJECT_AT("index\tname\targc\0\n0x000\tNtA\t1\n", 1);
    REJECT_AT("index\tname\targ", 1);                  /* truncated header */
    REJECT_AT("index\tname\targc\r\r\n0x000\tNtA\t1\n", 1);

    /* a header alone, or with blank lines only: no services */
    ck_assert_int_eq(parse(HEADER, &t), -1);
    ck_assert_ptr_nonnull(strstr(err, "no services"));
    ck_assert_int_eq(parse(HEADER "\n\n\r\n", &t), -1);
    ck_assert_int_eq(parse("index\tname\targc", &t), -1);
}
END_TEST

START_TEST(line_numbers_count_blank_lines)
{
    REJECT_AT(HEADER "0x000\tNtA\t1\n0x001\tNtB\tx\n", 3);
    REJECT_AT(HEADER "\n0x000\tNtA\t1\n\n0x001\tNtB\tx\n", 5);
    REJECT_AT(HEADER "\r\n\r\n\r\n0x000\tNtA\tx\r\n", 5);
    REJECT_AT(HEADER "0x000\tNtA\t1\r\r\n", 2);   /* only one CR is a line ending */
}
END_TEST

START_TEST(index_order)
{
    struct svc_table t;
    REJECT_AT(HEADER "0x001\tNtA\t1\n", 2);
    ck_assert_ptr_nonnull(strstr(err, "out of order"));
    REJECT_AT(HEADER "0x000\tNtA\t1\n0x002\tNtB\t1\n", 3);
    REJECT_AT(HEADER "0x000\tNtA\t1\n0x001\tNtB\t1\n0x001\tNtC\t1\n", 4);
    REJECT_AT(HEADER "0x000\tNtA\t1\n0x001\tNtB\t1\n0x000\tNtC\t1\n", 4);
    REJECT_AT(HEADER "0x1000\tNtA\t1\n", 2);
    REJECT_AT(HEADER "0xFFF\tNtA\t1\n", 2);
    REJECT_AT(HEADER "0xFFFFF\tNtA\t1\n", 2);
    /* leading zeros are fine */
    ck_assert_int_eq(parse(HEADER "0x00000\tNtA\t1\n0x1\tNtB\t1\n", &t), 0);
    svc_table_free(&t);
}
END_TEST

START_TEST(index_not_hex)
{
    REJECT_AT(HEADER "0x00G\tNtA\t1\n", 2);
    REJECT_AT(HEADER "000\tNtA\t1\n", 2);
    REJECT_AT(HEADER "0\tNtA\t1\n", 2);
    REJECT_AT(HEADER "0x\tNtA\t1\n", 2);
    REJECT_AT(HEADER "x000\tNtA\t1\n", 2);
    REJECT_AT(HEADER "-0x0\tNtA\t1\n", 2);
    REJECT_AT(HEADER " 0x000\tNtA\t1\n", 2);
    REJECT_AT(HEADER "0x000 \tNtA\t1\n", 2);
    REJECT_AT(HEADER "0x 00\tNtA\t1\n", 2);
    REJECT_AT(HEADER "\tNtA\t1\n", 2);
    REJECT_AT(HEADER "0x0000000000000000000\tNtA\t1\n", 2);   /* no overflow to 0 */
    REJECT_AT(HEADER "0x100000000\tNtA\t1\n", 2);
    REJECT_AT(HEADER "0x000\tNtA\t1\n0x0\x31\tNtB\t1\n0x00\x80\tNtC\t1\n", 4);
    ck_assert_ptr_nonnull(strstr(err, "hex"));
}
END_TEST

START_TEST(duplicate_name)
{
    REJECT_AT(HEADER "0x000\tNtA\t1\n0x001\tNtB\t1\n0x002\tNtA\t2\n", 4);
    ck_assert_ptr_nonnull(strstr(err, "NtA"));
    ck_assert_ptr_nonnull(strstr(err, "already"));
    REJECT_AT(HEADER "0x000\tNtReadFile\t9\n0x001\tNtReadFile\t9\n", 3);
    /* names differing only in case are different services */
    struct svc_table t;
    ck_assert_int_eq(parse(HEADER "0x000\tNtA\t1\n0x001\tNta\t1\n", &t), 0);
    svc_table_free(&t);
}
END_TEST

START_TEST(bad_names)
{
    REJECT_AT(HEADER "0x000\tZwReadFile\t9\n", 2);
    ck_assert_ptr_nonnull(strstr(err, "name"));
    REJECT_AT(HEADER "0x000\tntReadFile\t9\n", 2);
    REJECT_AT(HEADER "0x000\tNTReadFile\t9\n", 2);
    REJECT_AT(HEADER "0x000\tReadFile\t9\n", 2);
    REJECT_AT(HEADER "0x000\tNt\t9\n", 2);
    REJECT_AT(HEADER "0x000\t\t9\n", 2);
    REJECT_AT(HEADER "0x000\tNt-Read\t9\n", 2);
    REJECT_AT(HEADER "0x000\tNt Read\t9\n", 2);
    REJECT_AT(HEADER "0x000\tNtRead \t9\n", 2);
    REJECT_AT(HEADER "0x000\tNtRead.\t9\n", 2);
    REJECT_AT(HEADER "0x000\tNtRead/\t9\n", 2);
    REJECT_AT(HEADER "0x000\tNtRead%s\t9\n", 2);
    REJECT_AT(HEADER "0x000\tNtR\xc3\xa9\x61\x64\t9\n", 2);   /* UTF-8 */
    REJECT_AT(HEADER "0x000\tNtRead\x7f\t9\n", 2);
    REJECT_AT(HEADER "0x000\tNtRead\x01\t9\n", 2);
    REJECT_AT(HEADER "0x000\tNtRead\r\t9\n", 2);
}
END_TEST

START_TEST(bad_argc)
{
    REJECT_AT(HEADER "0x000\tNtA\t33\n", 2);
    ck_assert_ptr_nonnull(strstr(err, "argc"));
    REJECT_AT(HEADER "0x000\tNtA\t999\n", 2);
    REJECT_AT(HEADER "0x000\tNtA\t1000\n", 2);
    REJECT_AT(HEADER "0x000\tNtA\t4294967297\n", 2);   /* no wrap-around to 1 */
    REJECT_AT(HEADER "0x000\tNtA\t-1\n", 2);
    REJECT_AT(HEADER "0x000\tNtA\t+1\n", 2);
    REJECT_AT(HEADER "0x000\tNtA\t1a\n", 2);
    REJECT_AT(HEADER "0x000\tNtA\t0x1\n", 2);
    REJECT_AT(HEADER "0x000\tNtA\tnine\n", 2);
    REJECT_AT(HEADER "0x000\tNtA\t\n", 2);
    REJECT_AT(HEADER "0x000\tNtA\t 1\n", 2);
    REJECT_AT(HEADER "0x000\tNtA\t1 \n", 2);
    REJECT_AT(HEADER "0x000\tNtA\t1.0\n", 2);
}
END_TEST

START_TEST(wrong_field_count)
{
    REJECT_AT(HEADER "0x000\tNtA\t1\t\n", 2);
    ck_assert_ptr_nonnull(strstr(err, "3 tab-separated fields"));
    REJECT_AT(HEADER "0x000\tNtA\t1\textra\n", 2);
    REJECT_AT(HEADER "0x000\tNtA\n", 2);
    REJECT_AT(HEADER "0x000\tNtA", 2);
    REJECT_AT(HEADER "0x000\n", 2);
    REJECT_AT(HEADER "0x000 NtA 1\n", 2);
    REJECT_AT(HEADER "0x000,NtA,1\n", 2);
    REJECT_AT(HEADER "\t\t\n", 2);
    REJECT_AT(HEADER "\t\t\t\n", 2);
    REJECT_AT(HEADER " \n", 2);                        /* whitespace is not a blank line */
    REJECT_AT(HEADER "0x000\t\tNtA\t1\n", 2);
}
END_TEST

START_TEST(embedded_nul)
{
    REJECT_AT(HEADER "0x000\tNt\0A\t1\n", 2);
    REJECT_AT(HEADER "0x000\tNtA\0\t1\n", 2);
    REJECT_AT(HEADER "0x0\0\tNtA\t1\n", 2);
    REJECT_AT(HEADER "0x000\tNtA\t1\0\n", 2);
    REJECT_AT(HEADER "0x000\tNtA\t1\n\0", 3);
    REJECT_AT(HEADER "0x000\tNtA\t1\n\0\n0x001\tNtB\t1\n", 3);
    /* the parser goes by len, not by NUL: text after a NUL is still seen */
    REJECT_AT(HEADER "0x000\tNtA\t1\n\0x001\tNtB\t1\n", 3);
}
END_TEST

START_TEST(error_buffer_handling)
{
    struct svc_table t;
    static const char bad[] = HEADER "0x000\tNtA\t1\n0x001\tNtB\tx\n";
    /* no message wanted */
    ck_assert_int_eq(svc_table_parse(bad, sizeof(bad) - 1, &t, NULL, 0), -1);
    /* a small buffer is truncated and terminated, nothing written past it */
    char small[9];
    memset(small, 'Z', sizeof(small));
    ck_assert_int_eq(svc_table_parse(bad, sizeof(bad) - 1, &t, small, 8), -1);
    ck_assert_str_eq(small, "line 3:");
    ck_assert_int_eq(small[8], 'Z');
}
END_TEST

/* ---------------------------------------------------------------- files */

static char tmpdir[64];

static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/ntv-svc-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    if (!d)
        return;
    struct dirent *de;
    char path[384];
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(path, sizeof(path), "%s/%s", tmpdir, de->d_name);
        if (remove(path) != 0)
            rmdir(path);
    }
    closedir(d);
    rmdir(tmpdir);
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(missing_file)
{
    struct svc_table t;
    char path[128];
    snprintf(path, sizeof(path), "%s/does-not-exist.tsv", tmpdir);
    ck_assert_int_eq(svc_table_load(path, &t, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, path));
    ck_assert_ptr_nonnull(strstr(err, strerror(ENOENT)));
}
END_TEST

START_TEST(directory_path)
{
    struct svc_table t;
    ck_assert_int_eq(svc_table_load(tmpdir, &t, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, tmpdir));
}
END_TEST

START_TEST(file_size_limit)
{
    struct svc_table t;
    const size_t MiB = 1u << 20;
    char path[128];
    snprintf(path, sizeof(path), "%s/big.tsv", tmpdir);

    /* a valid table padded with blank lines to exactly 1 MiB loads */
    char *data = malloc(MiB + 1);
    ck_assert_ptr_nonnull(data);
    memset(data, '\n', MiB + 1);
    static const char head[] = HEADER "0x000\tNtA\t1\n0x001\tNtB\t2\n";
    memcpy(data, head, sizeof(head) - 1);
    write_file(path, data, MiB);
    ck_assert_msg(svc_table_load(path, &t, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(t.count, 2);
    svc_table_free(&t);

    /* a table whose last line sits at the very end of 1 MiB is read whole */
    static const char tail[] = "0x002\tNtLast\t3\n";
    memcpy(data + MiB - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
    write_file(path, data, MiB);
    ck_assert_msg(svc_table_load(path, &t, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(t.count, 3);
    ck_assert_str_eq(t.entries[2].name, "NtLast");
    svc_table_free(&t);

    /* one byte more is refused, not cut */
    data[MiB] = '\n';
    write_file(path, data, MiB + 1);
    ck_assert_int_eq(svc_table_load(path, &t, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "1 MiB"));
    free(data);
}
END_TEST

START_TEST(file_error_names_path_and_line)
{
    struct svc_table t;
    char path[128];
    snprintf(path, sizeof(path), "%s/bad.tsv", tmpdir);
    static const char text[] = HEADER "0x000\tNtA\t1\r\n0x001\tZwB\t1\r\n";
    write_file(path, text, sizeof(text) - 1);
    ck_assert_int_eq(svc_table_load(path, &t, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, path));
    ck_assert_ptr_nonnull(strstr(err, "line 3:"));

    /* an empty file */
    write_file(path, "", 0);
    ck_assert_int_eq(svc_table_load(path, &t, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "line 1:"));

    /* and a good one */
    static const char good[] = HEADER "0x000\tNtA\t1\r\n0x001\tNtB\t12\r\n";
    write_file(path, good, sizeof(good) - 1);
    ck_assert_msg(svc_table_load(path, &t, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(t.count, 2);
    ck_assert_uint_eq(svc_table_find(&t, "NtB")->argc, 12);
    svc_table_free(&t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("service_table");
    TCase *tc = tcase_create("shipped");
    tcase_add_test(tc, every_shipped_table_loads);
    tcase_add_test(tc, xp_sp1_known_services);
    tcase_add_test(tc, server_2003_sp0_known_services);
    suite_add_tcase(s, tc);

    tc = tcase_create("parse");
    tcase_add_test(tc, minimal_and_crlf);
    tcase_add_test(tc, name_length_limit);
    tcase_add_test(tc, exactly_4096_services);
    tcase_add_test(tc, empty_and_header);
    tcase_add_test(tc, line_numbers_count_blank_lines);
    tcase_add_test(tc, index_order);
    tcase_add_test(tc, index_not_hex);
    tcase_add_test(tc, duplicate_name);
    tcase_add_test(tc, bad_names);
    tcase_add_test(tc, bad_argc);
    tcase_add_test(tc, wrong_field_count);
    tcase_add_test(tc, embedded_nul);
    tcase_add_test(tc, error_buffer_handling);
    suite_add_tcase(s, tc);

    tc = tcase_create("files");
    tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, directory_path);
    tcase_add_test(tc, file_size_limit);
    tcase_add_test(tc, file_error_names_path_and_line);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(suite());
}
