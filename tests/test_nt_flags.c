/*
 * Check suite for ntdb/nt_flags.c: NT's flags and enumerations by name. The
 * values themselves are checked against mingw-w64's headers at build time
 * (tests/ddk/nt_flags_ddk.c, nt_flags_winnt.c); here, that every value reads
 * back as what it is: each name alone, 0, unknown bits, all bits, and random
 * values parsed back from their text give the value again.
 */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ntdb/nt_flags.h"

static char text[1024];

static const char *fmt(const struct nt_flags *t, uint64_t value)
{
    return nt_flags_format(t, value, text, sizeof(text));
}

/* The value a flag set's text names: its names' values ORed with a hex remainder; false if a word is no name. */
static bool parse_flags(const struct nt_flags *t, const char *s, uint64_t *value)
{
    char copy[1024], *save = NULL;
    snprintf(copy, sizeof(copy), "%s", s);
    *value = 0;
    for (char *w = strtok_r(copy, "|", &save); w; w = strtok_r(NULL, "|", &save)) {
        if (!strncmp(w, "0x", 2)) {
            *value |= strtoull(w, NULL, 16);
            continue;
        }
        if (!strcmp(w, "0"))
            continue;
        const struct nt_flags *u;
        size_t i = 0;
        for (u = t; u; u = u->more) {
            for (i = 0; i < u->count && strcmp(u->names[i].name, w); i++)
                ;
            if (i < u->count)
                break;
        }
        if (!u)
            return false;
        *value |= u->names[i].value;
    }
    return true;
}

START_TEST(the_issues_examples)
{
    ck_assert_str_eq(fmt(&nt_file_access, 0xC0000000u), "GENERIC_READ|GENERIC_WRITE");
    ck_assert_str_eq(fmt(&nt_create_disposition, 5), "FILE_OVERWRITE_IF");
    ck_assert_str_eq(fmt(&nt_create_options, 96), "FILE_SYNCHRONOUS_IO_NONALERT|FILE_NON_DIRECTORY_FILE");
    ck_assert_str_eq(fmt(&nt_share_access, 0x81), "FILE_SHARE_READ|0x80");
    ck_assert_str_eq(fmt(&nt_file_information_class, 4), "FileBasicInformation");
    ck_assert_str_eq(nt_ioctl_format(2147491848u, text, sizeof(text)),
                     "CTL_CODE(0x8000, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)");
    ck_assert_str_eq(nt_ioctl_format(0x0022200Bu, text, sizeof(text)),
                     "CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_NEITHER, FILE_ANY_ACCESS)");
    ck_assert_str_eq(nt_ioctl_format(0x0009C0E4u, text, sizeof(text)),
                     "CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x39, METHOD_BUFFERED, FILE_READ_ACCESS|FILE_WRITE_ACCESS)");
    ck_assert_str_eq(nt_ioctl_format(0xFFFFFFFFu, text, sizeof(text)),
                     "CTL_CODE(0xffff, 0xfff, METHOD_NEITHER, FILE_READ_ACCESS|FILE_WRITE_ACCESS)");
    ck_assert_str_eq(nt_ioctl_format(0, text, sizeof(text)), "CTL_CODE(0x0, 0x0, METHOD_BUFFERED, FILE_ANY_ACCESS)");
}
END_TEST

START_TEST(access_masks_by_object_type)
{
    ck_assert_str_eq(fmt(&nt_file_access, 0x00120089u), "FILE_READ_DATA|FILE_READ_EA|FILE_READ_ATTRIBUTES|READ_CONTROL|"
                                                         "SYNCHRONIZE");
    ck_assert_str_eq(fmt(&nt_file_access, 0x001F01FFu), "FILE_ALL_ACCESS");
    ck_assert_str_eq(fmt(&nt_file_access, 0x001F01FFu | 0x80000000u), "FILE_ALL_ACCESS|GENERIC_READ");
    ck_assert_str_eq(fmt(&nt_event_access, 0x001F0003u), "EVENT_ALL_ACCESS");
    ck_assert_str_eq(fmt(&nt_event_access, 0x00100002u), "EVENT_MODIFY_STATE|SYNCHRONIZE");
    ck_assert_str_eq(fmt(&nt_process_access, 0x0410u), "PROCESS_VM_READ|PROCESS_QUERY_INFORMATION");
    /* the same bits mean another right for another type; the generic table names none of them */
    ck_assert_str_eq(fmt(&nt_event_access, 0x0003u), "EVENT_QUERY_STATE|EVENT_MODIFY_STATE");
    ck_assert_str_eq(fmt(&nt_file_access, 0x0003u), "FILE_READ_DATA|FILE_WRITE_DATA");
    ck_assert_str_eq(fmt(&nt_access_mask, 0x0003u), "0x3");
    ck_assert_str_eq(fmt(&nt_access_mask, 0x02000000u), "MAXIMUM_ALLOWED");
    ck_assert_str_eq(fmt(&nt_access_mask, 0x000F0000u), "DELETE|READ_CONTROL|WRITE_DAC|WRITE_OWNER");
    /* bits 25-27 are reserved */
    ck_assert_str_eq(fmt(&nt_event_access, 0x0C000000u | 1), "EVENT_QUERY_STATE|0xc000000");
}
END_TEST

START_TEST(zero_unknown_and_all_bits)
{
    ck_assert_str_eq(fmt(&nt_share_access, 0), "0");
    ck_assert_str_eq(fmt(&nt_file_access, 0), "0");
    ck_assert_str_eq(fmt(&nt_ioctl_access, 0), "FILE_ANY_ACCESS");
    ck_assert_str_eq(fmt(&nt_create_disposition, 0), "FILE_SUPERSEDE");
    ck_assert_str_eq(fmt(&nt_event_type, 0), "NotificationEvent");
    ck_assert_str_eq(fmt(&nt_file_information_class, 0), "0");   /* the classes start at 1 */
    ck_assert_str_eq(fmt(&nt_create_disposition, 6), "6");
    ck_assert_str_eq(fmt(&nt_create_disposition, 0xFFFFFFFFu), "4294967295");
    ck_assert_str_eq(fmt(&nt_file_information_class, 76), "76");
    ck_assert_str_eq(fmt(&nt_share_access, 0xFFFFFFFFu), "FILE_SHARE_READ|FILE_SHARE_WRITE|FILE_SHARE_DELETE|0xfffffff8");
    ck_assert_str_eq(fmt(&nt_share_access, 0x100000000ull), "0x100000000");   /* 64-bit values too */
    ck_assert_str_eq(fmt(&nt_page_protect, 0x104), "PAGE_READWRITE|PAGE_GUARD");
    ck_assert_str_eq(fmt(&nt_mem_type, 0x3000), "MEM_COMMIT|MEM_RESERVE");
    ck_assert_str_eq(fmt(&nt_mem_type, 0x8000), "MEM_RELEASE");
    ck_assert_str_eq(fmt(&nt_obj_attributes, 0x1), "0x1");
    ck_assert_str_eq(fmt(&nt_file_attributes, 0x80), "FILE_ATTRIBUTE_NORMAL");
    ck_assert_str_eq(fmt(&nt_file_attributes, 0x8), "0x8");   /* a bit with no name */
    /* every table: all bits set reads back as all bits */
    for (const struct nt_flags *const *t = nt_flags_all; *t; t++) {
        uint64_t back;
        if ((*t)->is_enum)
            continue;
        ck_assert_msg(parse_flags(*t, fmt(*t, 0xFFFFFFFFu), &back) && back == 0xFFFFFFFFu, "%s: %s", (*t)->type, text);
    }
}
END_TEST

START_TEST(every_name_alone_reads_as_itself)
{
    for (const struct nt_flags *const *t = nt_flags_all; *t; t++)
        for (const struct nt_flags *u = *t; u; u = u->more)
            for (size_t i = 0; i < u->count; i++) {
                const struct nt_flag *f = &u->names[i];
                ck_assert_msg(f->name && f->name[0], "%s: a name is empty", (*t)->type);
                ck_assert_str_eq(fmt(*t, f->value), f->name);
                ck_assert_str_eq(nt_flags_name(*t, f->value), f->name);
                for (size_t k = 0; k < u->count; k++)   /* one name per value, and a name once */
                    ck_assert_msg(k == i || (u->names[k].value != f->value && strcmp(u->names[k].name, f->name)),
                                  "%s: %s and %s", (*t)->type, f->name, u->names[k].name);
            }
    ck_assert_ptr_null(nt_flags_name(&nt_create_disposition, 6));
    ck_assert_ptr_null(nt_flags_name(&nt_share_access, 3));
}
END_TEST

START_TEST(random_values_read_back)
{
    srand(14);
    for (int n = 0; n < 20000; n++) {
        uint64_t value = (uint64_t)rand() << 17 ^ (uint64_t)rand() ^ ((uint64_t)rand() << 33 & (n & 1 ? ~0ull : 0));
        for (const struct nt_flags *const *t = nt_flags_all; *t; t++) {
            uint64_t back;
            if ((*t)->is_enum) {
                const char *name = nt_flags_name(*t, value);
                char number[24];
                snprintf(number, sizeof(number), "%llu", (unsigned long long)value);
                ck_assert_str_eq(fmt(*t, value), name ? name : number);
                continue;
            }
            ck_assert_msg(parse_flags(*t, fmt(*t, value), &back), "%s: %s", (*t)->type, text);
            ck_assert_msg(back == value, "%s: 0x%llx reads as %s", (*t)->type, (unsigned long long)value, text);
        }
    }
}
END_TEST

START_TEST(small_output_buffers)
{
    for (size_t len = 0; len < 200; len++) {
        char *out = malloc(len ? len : 1);   /* exactly len bytes: ASan sees an overrun */
        ck_assert_ptr_nonnull(out);
        out[0] = 'Z';
        nt_flags_format(&nt_file_access, 0xFFFFFFFFu, out, len);
        if (len) {
            ck_assert_uint_lt(strlen(out), len);
            ck_assert(!strncmp(out, "FILE_ALL_ACCESS|GENERIC_READ|", len - 1 < 29 ? len - 1 : 29));
        } else {
            ck_assert_int_eq(out[0], 'Z');
        }
        nt_flags_format(&nt_create_disposition, 123456, out, len);
        nt_ioctl_format(0xFFFFFFFFu, out, len);
        if (len)
            ck_assert_uint_lt(strlen(out), len);
        free(out);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("nt_flags");
    TCase *tc = tcase_create("tables");
    tcase_add_test(tc, the_issues_examples);
    tcase_add_test(tc, access_masks_by_object_type);
    tcase_add_test(tc, zero_unknown_and_all_bits);
    tcase_add_test(tc, every_name_alone_reads_as_itself);
    tcase_add_test(tc, random_values_read_back);
    tcase_add_test(tc, small_output_buffers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(suite());
}
