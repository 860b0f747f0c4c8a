/* Check suite for ntdb/x86_gate64.c. Expected bytes are written out from the
 * 16-byte gate layout of the Intel SDM vol. 3A 6.14.1 (figure 6-8), not
 * derived from the code under test. */
#include <check.h>
#include "check_run.h"
#include <string.h>

#include "ntdb/x86_gate64.h"

/* IDT 0x2E on an x64 NT: KiSystemService at fffff800`02a8d440, KGDT64_R0_CODE, DPL 3 */
static const uint8_t INT2E[16] = { 0x40, 0xd4, 0x10, 0x00, 0x00, 0xee, 0xa8, 0x02,
                                   0x00, 0xf8, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00 };

START_TEST(decodes_nt_x64_system_service_gate)
{
    struct x86_gate64 g;
    x86_gate64_decode(INT2E, &g);
    ck_assert(g.valid);
    ck_assert(g.present);
    ck_assert_uint_eq(g.dpl, 3);
    ck_assert_uint_eq(g.type, 0xE);
    ck_assert_uint_eq(g.ist, 0);
    ck_assert_uint_eq(g.selector, 0x10);
    ck_assert_uint_eq(g.offset, 0xFFFFF80002A8D440ull);
}
END_TEST

START_TEST(encode_matches_the_manual_bytes)
{
    uint8_t raw[16];
    ck_assert_int_eq(x86_gate64_encode(raw, 0x10, 0xFFFFF80002A8D440ull, 0xE, 3, 0, true), 0);
    ck_assert_mem_eq(raw, INT2E, 16);
    ck_assert_int_eq(x86_gate64_encode(raw, 0x10, 0x1234, 0xF, 0, 7, false), 0);
    struct x86_gate64 g;
    x86_gate64_decode(raw, &g);
    ck_assert(g.valid && !g.present);
    ck_assert_uint_eq(g.type, 0xF);
    ck_assert_uint_eq(g.ist, 7);
    ck_assert_uint_eq(g.offset, 0x1234);
}
END_TEST

START_TEST(encode_refuses_what_long_mode_has_no_gate_for)
{
    uint8_t raw[16];
    memset(raw, 0xAA, sizeof raw);
    ck_assert_int_eq(x86_gate64_encode(raw, 0x10, 0, 0xC, 0, 0, true), -1);   /* call gate: GDT only */
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(raw[i], 0);
    ck_assert_int_eq(x86_gate64_encode(raw, 0x10, 0, 0xE, 4, 0, true), -1);
    ck_assert_int_eq(x86_gate64_encode(raw, 0x10, 0, 0xE, 0, 8, true), -1);
}
END_TEST

/* A hook that writes a 32-bit gate, sets S or dirties the upper type bits makes an invalid gate. */
START_TEST(hostile_gates_are_not_valid)
{
    uint8_t raw[16];
    struct x86_gate64 g;
    memcpy(raw, INT2E, 16);
    raw[5] = 0xE6;                       /* type 6: a 16-bit interrupt gate */
    x86_gate64_decode(raw, &g);
    ck_assert(!g.valid);
    memcpy(raw, INT2E, 16);
    raw[5] |= 0x10;                      /* S set */
    x86_gate64_decode(raw, &g);
    ck_assert(!g.valid);
    memcpy(raw, INT2E, 16);
    raw[13] = 0x0E;                      /* upper half's type field nonzero */
    x86_gate64_decode(raw, &g);
    ck_assert(!g.valid);
    memset(raw, 0xFF, 16);
    x86_gate64_decode(raw, &g);
    ck_assert(!g.valid);
    ck_assert_uint_eq(g.offset, 0xFFFFFFFFFFFFFFFFull);
}
END_TEST

START_TEST(format_names_target_and_fits_or_reports_length)
{
    char buf[512], small[8];
    int n = x86_gate64_format(INT2E, buf, sizeof buf);
    ck_assert_int_gt(n, 0);
    ck_assert_uint_eq(strlen(buf), (size_t)n);
    ck_assert_ptr_nonnull(strstr(buf, "64-bit interrupt gate (type 0xE), present, DPL 3"));
    ck_assert_ptr_nonnull(strstr(buf, "target 0010:fffff800`02a8d440"));
    ck_assert_ptr_nonnull(strstr(buf, "IST 0 (RSP0)"));
    ck_assert_int_eq(x86_gate64_format(INT2E, small, sizeof small), n);
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("x86_gate64");
    TCase *tc = tcase_create("gates");
    tcase_add_test(tc, decodes_nt_x64_system_service_gate);
    tcase_add_test(tc, encode_matches_the_manual_bytes);
    tcase_add_test(tc, encode_refuses_what_long_mode_has_no_gate_for);
    tcase_add_test(tc, hostile_gates_are_not_valid);
    tcase_add_test(tc, format_names_target_and_fits_or_reports_length);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(suite());
}
