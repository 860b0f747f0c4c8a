/* Check suite for ntdb/x86_desc.c. Expected values come from the descriptor
 * layouts in the Intel SDM vol. 3A (3.4.5, 3.5, 5.8.3, 6.11, 7.2.2), written
 * out as literal bytes here rather than derived from x86_desc.h. */
#include <check.h>
#include "check_run.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntdb/x86_desc.h"

static const uint8_t INT_GATE[8]  = { 0xc0, 0x62, 0x08, 0x00, 0x00, 0xee, 0x46, 0x80 };
static const uint8_t FLAT_CODE[8] = { 0xff, 0xff, 0x00, 0x00, 0x00, 0x9b, 0xcf, 0x00 };
static const uint8_t FLAT_DATA[8] = { 0xff, 0xff, 0x00, 0x00, 0x00, 0x93, 0xcf, 0x00 };

static void format(const uint8_t raw[8], char *buf, size_t len)
{
    int n = x86_desc_format(raw, buf, len);
    ck_assert_int_gt(n, 0);
    ck_assert_uint_lt((size_t)n, len);
    ck_assert_uint_eq(strlen(buf), (size_t)n);
}

/* ---------------------------------------------------------------- decode */

START_TEST(decode_known_interrupt_gate)
{
    struct x86_desc d;
    memset(&d, 0xA5, sizeof(d));
    x86_desc_decode(INT_GATE, &d);
    ck_assert(d.present);
    ck_assert_uint_eq(d.dpl, 3);
    ck_assert(d.system);
    ck_assert_uint_eq(d.type, 0xE);
    ck_assert_int_eq(d.kind, X86_DESC_INT_GATE32);
    ck_assert(x86_desc_kind_is_gate(d.kind));
    ck_assert_uint_eq(d.selector, 0x0008);
    ck_assert_uint_eq(x86_sel_index(d.selector), 1);
    ck_assert(!x86_sel_is_ldt(d.selector));
    ck_assert_uint_eq(x86_sel_rpl(d.selector), 0);
    ck_assert_uint_eq(d.offset, 0x804662c0u);
    ck_assert_uint_eq(d.param_count, 0);
    /* segment fields are not meaningful for a gate and are cleared */
    ck_assert_uint_eq(d.base, 0);
    ck_assert_uint_eq(d.limit, 0);
    ck_assert(!d.code && !d.readable && !d.writable && !d.granularity_4k && !d.db32);
    ck_assert_str_eq(x86_desc_kind_name(d.kind), "32-bit interrupt gate");
}
END_TEST

START_TEST(decode_flat_code_segment)
{
    struct x86_desc d;
    memset(&d, 0xA5, sizeof(d));
    x86_desc_decode(FLAT_CODE, &d);
    ck_assert(d.present);
    ck_assert_uint_eq(d.dpl, 0);
    ck_assert(!d.system);
    ck_assert_uint_eq(d.type, 0xB);
    ck_assert_int_eq(d.kind, X86_DESC_CODE);
    ck_assert(!x86_desc_kind_is_gate(d.kind));
    ck_assert_uint_eq(d.base, 0);
    ck_assert_uint_eq(d.limit, 0xffffffffu);
    ck_assert(d.granularity_4k);
    ck_assert(d.db32);
    ck_assert(!d.long_mode);
    ck_assert(!d.avl);
    ck_assert(d.code);
    ck_assert(d.readable);
    ck_assert(d.accessed);
    ck_assert(!d.conforming);
    ck_assert(!d.writable && !d.expand_down);
    ck_assert_uint_eq(d.selector, 0);
    ck_assert_uint_eq(d.offset, 0);
}
END_TEST

START_TEST(decode_flat_data_segment)
{
    struct x86_desc d;
    x86_desc_decode(FLAT_DATA, &d);
    ck_assert_int_eq(d.kind, X86_DESC_DATA);
    ck_assert(!d.code && d.writable && d.accessed && !d.expand_down && !d.readable && !d.conforming);
    ck_assert(d.db32 && d.granularity_4k);
    ck_assert_uint_eq(d.limit, 0xffffffffu);
}
END_TEST

START_TEST(decode_scattered_base_and_limit)
{
    /* base 0x12345678 in bytes 2,3,4,7; limit 0xABCDE in bytes 0,1 and 6 low nibble;
       ring-3 expand-down read-only data, byte granular, 16-bit, AVL set */
    const uint8_t raw[8] = { 0xde, 0xbc, 0x78, 0x56, 0x34, 0xf4, 0x1a, 0x12 };
    struct x86_desc d;
    x86_desc_decode(raw, &d);
    ck_assert_uint_eq(d.base, 0x12345678u);
    ck_assert_uint_eq(d.limit, 0xABCDEu);
    ck_assert(!d.granularity_4k);
    ck_assert(!d.db32);
    ck_assert(d.avl);
    ck_assert(!d.long_mode);
    ck_assert(d.present);
    ck_assert_uint_eq(d.dpl, 3);
    ck_assert_int_eq(d.kind, X86_DESC_DATA);
    ck_assert(d.expand_down);
    ck_assert(!d.writable);
    ck_assert(!d.accessed);
}
END_TEST

START_TEST(decode_4k_granularity_scales_limit)
{
    /* limit field 0x00001 with G: 2 pages, last byte 0x1FFF */
    const uint8_t raw[8] = { 0x01, 0x00, 0x00, 0x00, 0x00, 0x9a, 0x80, 0x00 };
    struct x86_desc d;
    x86_desc_decode(raw, &d);
    ck_assert_uint_eq(d.limit, 0x1FFFu);
    /* limit field 0 with G: one page */
    const uint8_t raw2[8] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x9a, 0x80, 0x00 };
    x86_desc_decode(raw2, &d);
    ck_assert_uint_eq(d.limit, 0xFFFu);
    /* limit field 0 without G: one byte */
    const uint8_t raw3[8] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x9a, 0x00, 0x00 };
    x86_desc_decode(raw3, &d);
    ck_assert_uint_eq(d.limit, 0);
}
END_TEST

START_TEST(decode_code_variants)
{
    struct x86_desc d;
    /* conforming execute-only, DPL 2, 16-bit, not accessed */
    const uint8_t a[8] = { 0xff, 0xff, 0, 0, 0, 0xdc, 0x00, 0 };
    x86_desc_decode(a, &d);
    ck_assert_int_eq(d.kind, X86_DESC_CODE);
    ck_assert_uint_eq(d.dpl, 2);
    ck_assert(d.conforming && !d.readable && !d.accessed && !d.db32 && !d.expand_down);
    /* 64-bit code (L set) */
    const uint8_t b[8] = { 0xff, 0xff, 0, 0, 0, 0x9b, 0xaf, 0 };
    x86_desc_decode(b, &d);
    ck_assert(d.long_mode && !d.db32 && d.granularity_4k);
}
END_TEST

START_TEST(decode_not_present)
{
    uint8_t raw[8];
    memcpy(raw, INT_GATE, 8);
    raw[5] &= 0x7f;
    struct x86_desc d;
    x86_desc_decode(raw, &d);
    ck_assert(!d.present);
    ck_assert_int_eq(d.kind, X86_DESC_INT_GATE32);
    ck_assert_uint_eq(d.offset, 0x804662c0u);
}
END_TEST

/* every system type, from the table in SDM 3.5 (32-bit mode) */
START_TEST(decode_system_types)
{
    static const struct { unsigned type; enum x86_desc_kind kind; bool gate; } t[16] = {
        { 0x0, X86_DESC_RESERVED, false },     { 0x1, X86_DESC_TSS16_AVAIL, false },
        { 0x2, X86_DESC_LDT, false },          { 0x3, X86_DESC_TSS16_BUSY, false },
        { 0x4, X86_DESC_CALL_GATE16, true },   { 0x5, X86_DESC_TASK_GATE, true },
        { 0x6, X86_DESC_INT_GATE16, true },    { 0x7, X86_DESC_TRAP_GATE16, true },
        { 0x8, X86_DESC_RESERVED, false },     { 0x9, X86_DESC_TSS32_AVAIL, false },
        { 0xA, X86_DESC_RESERVED, false },     { 0xB, X86_DESC_TSS32_BUSY, false },
        { 0xC, X86_DESC_CALL_GATE32, true },   { 0xD, X86_DESC_RESERVED, false },
        { 0xE, X86_DESC_INT_GATE32, true },    { 0xF, X86_DESC_TRAP_GATE32, true },
    };
    for (unsigned i = 0; i < 16; i++) {
        uint8_t raw[8] = { 0x34, 0x12, 0x28, 0x00, 0x00, (uint8_t)(0x80 | t[i].type), 0x78, 0x56 };
        struct x86_desc d;
        x86_desc_decode(raw, &d);
        ck_assert_msg(d.system, "type %u", i);
        ck_assert_uint_eq(d.type, t[i].type);
        ck_assert_msg(d.kind == t[i].kind, "type 0x%X: kind %d, want %d", i, d.kind, t[i].kind);
        ck_assert_int_eq(x86_desc_kind_is_gate(d.kind), t[i].gate);
        ck_assert(!d.code && !d.readable && !d.writable && !d.conforming && !d.expand_down);
    }
}
END_TEST

START_TEST(decode_tss)
{
    /* 32-bit busy TSS at 0x80042000, limit 0x20AB, DPL 0, byte granular */
    const uint8_t raw[8] = { 0xab, 0x20, 0x00, 0x20, 0x04, 0x8b, 0x00, 0x80 };
    struct x86_desc d;
    x86_desc_decode(raw, &d);
    ck_assert_int_eq(d.kind, X86_DESC_TSS32_BUSY);
    ck_assert_uint_eq(d.base, 0x80042000u);
    ck_assert_uint_eq(d.limit, 0x20ABu);
    ck_assert(d.present);
    ck_assert_uint_eq(d.selector, 0);
    ck_assert_uint_eq(d.offset, 0);
    ck_assert_str_eq(x86_desc_kind_name(d.kind), "32-bit TSS (busy)");
}
END_TEST

START_TEST(decode_call_gate_params)
{
    /* 32-bit call gate, DPL 3, 0x001B:0x00401000, byte 4 = 0xFF: only bits 4:0 count */
    const uint8_t raw[8] = { 0x00, 0x10, 0x1b, 0x00, 0xff, 0xec, 0x40, 0x00 };
    struct x86_desc d;
    x86_desc_decode(raw, &d);
    ck_assert_int_eq(d.kind, X86_DESC_CALL_GATE32);
    ck_assert_uint_eq(d.param_count, 0x1F);
    ck_assert_uint_eq(d.selector, 0x1B);
    ck_assert_uint_eq(d.offset, 0x00401000u);
    ck_assert_uint_eq(d.dpl, 3);
    /* interrupt gates have no parameter count even when byte 4 is not zero */
    const uint8_t ig[8] = { 0x00, 0x10, 0x08, 0x00, 0x05, 0x8e, 0x40, 0x00 };
    x86_desc_decode(ig, &d);
    ck_assert_uint_eq(d.param_count, 0);
}
END_TEST

START_TEST(decode_task_and_16bit_gates)
{
    struct x86_desc d;
    /* task gate for TSS selector 0x0050; offset bytes are ignored */
    const uint8_t tg[8] = { 0x11, 0x22, 0x50, 0x00, 0x00, 0x85, 0x33, 0x44 };
    x86_desc_decode(tg, &d);
    ck_assert_int_eq(d.kind, X86_DESC_TASK_GATE);
    ck_assert_uint_eq(d.selector, 0x0050);
    ck_assert_uint_eq(d.offset, 0);
    /* 16-bit trap gate: only offset 15:0 exists */
    const uint8_t g16[8] = { 0x34, 0x12, 0x10, 0x00, 0x00, 0x87, 0x78, 0x56 };
    x86_desc_decode(g16, &d);
    ck_assert_int_eq(d.kind, X86_DESC_TRAP_GATE16);
    ck_assert_uint_eq(d.offset, 0x1234);
    ck_assert_uint_eq(d.selector, 0x10);
}
END_TEST

/* ---------------------------------------------------------------- selectors */

START_TEST(selector_helpers)
{
    ck_assert_uint_eq(x86_sel_index(0x001B), 3);
    ck_assert(!x86_sel_is_ldt(0x001B));
    ck_assert_uint_eq(x86_sel_rpl(0x001B), 3);
    ck_assert_uint_eq(x86_sel_index(0x000F), 1);
    ck_assert(x86_sel_is_ldt(0x000F));
    ck_assert_uint_eq(x86_sel_rpl(0x000F), 3);
    ck_assert_uint_eq(x86_sel_index(0xFFF8), 8191);
    ck_assert(!x86_sel_is_ldt(0xFFF8));
    ck_assert_uint_eq(x86_sel_rpl(0xFFF8), 0);
    ck_assert_uint_eq(x86_sel_rpl(0x0032), 2);
}
END_TEST

/* ---------------------------------------------------------------- encode */

START_TEST(encode_flat_code_matches_known_bytes)
{
    uint8_t raw[8];
    memset(raw, 0xEE, sizeof(raw));
    ck_assert_int_eq(x86_desc_encode_segment(raw, 0, 0xffffffffu, 0x9b, X86_FLAG_DB), 0);
    ck_assert_mem_eq(raw, FLAT_CODE, 8);
    /* a G bit passed in the flags is not trusted: granularity follows the limit */
    ck_assert_int_eq(x86_desc_encode_segment(raw, 0, 0xffffffffu, 0x93, 0xC), 0);
    ck_assert_mem_eq(raw, FLAT_DATA, 8);
}
END_TEST

START_TEST(encode_segment_granularity)
{
    uint8_t raw[8];
    struct x86_desc d;
    /* the largest byte-granular limit */
    ck_assert_int_eq(x86_desc_encode_segment(raw, 0x12345678, 0xFFFFF, 0x93, 0), 0);
    const uint8_t want[8] = { 0xff, 0xff, 0x78, 0x56, 0x34, 0x93, 0x0f, 0x12 };
    ck_assert_mem_eq(raw, want, 8);
    /* one more needs pages: 0x1FFFFF = 0x200 pages */
    ck_assert_int_eq(x86_desc_encode_segment(raw, 0, 0x1FFFFF, 0x93, X86_FLAG_DB), 0);
    const uint8_t want2[8] = { 0xff, 0x01, 0x00, 0x00, 0x00, 0x93, 0xc0, 0x00 };
    ck_assert_mem_eq(raw, want2, 8);
    x86_desc_decode(raw, &d);
    ck_assert_uint_eq(d.limit, 0x1FFFFF);
    ck_assert(d.granularity_4k);
    /* above 1 MiB, a limit that is not a page end cannot be encoded */
    memset(raw, 0xEE, sizeof(raw));
    ck_assert_int_eq(x86_desc_encode_segment(raw, 0, 0x100000, 0x93, 0), -1);
    static const uint8_t zero[8];
    ck_assert_mem_eq(raw, zero, 8);
    ck_assert_int_eq(x86_desc_encode_segment(raw, 0, 0xFFFFFFFE, 0x93, 0), -1);
    ck_assert_int_eq(x86_desc_encode_segment(raw, 0, 0x100FFF, 0x93, 0), 0);
    x86_desc_decode(raw, &d);
    ck_assert_uint_eq(d.limit, 0x100FFF);
}
END_TEST

START_TEST(encode_segment_roundtrip_all_access_bytes)
{
    static const uint32_t limits[] = { 0, 1, 0x67, 0xFFFF, 0xFFFFF, 0x1FFFFF, 0x7FFFFFFF, 0xFFFFFFFF };
    static const uint32_t bases[] = { 0, 0xFFDFF000, 0x00010203, 0xFFFFFFFF };
    for (unsigned acc = 0; acc < 256; acc++)
        for (unsigned fl = 0; fl < 16; fl++)
            for (size_t li = 0; li < sizeof(limits) / sizeof(limits[0]); li++) {
                uint32_t base = bases[(acc + fl + li) % 4];
                uint8_t raw[8];
                struct x86_desc d;
                ck_assert_int_eq(x86_desc_encode_segment(raw, base, limits[li], (uint8_t)acc,
                                                         (uint8_t)fl), 0);
                ck_assert_uint_eq(raw[5], acc);
                x86_desc_decode(raw, &d);
                ck_assert_uint_eq(d.present, !!(acc & 0x80));
                ck_assert_uint_eq(d.dpl, (acc >> 5) & 3);
                ck_assert_uint_eq(d.system, !(acc & 0x10));
                ck_assert_uint_eq(d.type, acc & 0xF);
                if (d.system && (x86_desc_kind_is_gate(d.kind) || d.kind == X86_DESC_RESERVED))
                    continue;   /* no base/limit in these */
                ck_assert_uint_eq(d.base, base);
                ck_assert_uint_eq(d.limit, limits[li]);
                ck_assert_uint_eq(d.granularity_4k, limits[li] > 0xFFFFF);
                ck_assert_uint_eq(d.db32, !!(fl & 4));
                ck_assert_uint_eq(d.long_mode, !!(fl & 2));
                ck_assert_uint_eq(d.avl, !!(fl & 1));
                if (!d.system) {
                    ck_assert_uint_eq(d.code, !!(acc & 8));
                    ck_assert_uint_eq(d.accessed, !!(acc & 1));
                    ck_assert_uint_eq(d.code ? d.readable : d.writable, !!(acc & 2));
                    ck_assert_uint_eq(d.code ? d.conforming : d.expand_down, !!(acc & 4));
                }
            }
}
END_TEST

START_TEST(encode_known_interrupt_gate)
{
    uint8_t raw[8];
    memset(raw, 0xEE, sizeof(raw));
    ck_assert_int_eq(x86_desc_encode_gate(raw, 0x0008, 0x804662c0u, X86_TYPE_INT_GATE32, 3, true), 0);
    ck_assert_mem_eq(raw, INT_GATE, 8);
    /* DPL 0 trap gate, not present */
    ck_assert_int_eq(x86_desc_encode_gate(raw, 0x0008, 0x80401234u, X86_TYPE_TRAP_GATE32, 0, false), 0);
    const uint8_t want[8] = { 0x34, 0x12, 0x08, 0x00, 0x00, 0x0f, 0x40, 0x80 };
    ck_assert_mem_eq(raw, want, 8);
}
END_TEST

START_TEST(encode_gate_roundtrip)
{
    static const unsigned gates[] = { 0x4, 0x5, 0x6, 0x7, 0xC, 0xE, 0xF };
    for (size_t i = 0; i < sizeof(gates) / sizeof(gates[0]); i++)
        for (unsigned dpl = 0; dpl < 4; dpl++)
            for (int p = 0; p < 2; p++) {
                uint8_t raw[8];
                struct x86_desc d;
                ck_assert_int_eq(x86_desc_encode_gate(raw, 0xABCD, 0x89ABCDEFu, gates[i], dpl, p), 0);
                x86_desc_decode(raw, &d);
                ck_assert_uint_eq(d.type, gates[i]);
                ck_assert(d.system);
                ck_assert(x86_desc_kind_is_gate(d.kind));
                ck_assert_uint_eq(d.dpl, dpl);
                ck_assert_uint_eq(d.present, (bool)p);
                ck_assert_uint_eq(d.selector, 0xABCD);
                ck_assert_uint_eq(d.param_count, 0);
                if (gates[i] == 0x5)
                    ck_assert_uint_eq(d.offset, 0);
                else if (gates[i] & 8)
                    ck_assert_uint_eq(d.offset, 0x89ABCDEFu);
                else {
                    ck_assert_uint_eq(d.offset, 0xCDEF);
                    ck_assert_uint_eq(raw[6], 0);   /* reserved in 286 gates */
                    ck_assert_uint_eq(raw[7], 0);
                }
            }
}
END_TEST

START_TEST(encode_gate_rejects)
{
    static const unsigned bad[] = { 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xA, 0xB, 0xD, 0x10, 0x1E, ~0u };
    static const uint8_t zero[8];
    uint8_t raw[8];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(raw, 0xEE, sizeof(raw));
        ck_assert_msg(x86_desc_encode_gate(raw, 8, 0x1000, bad[i], 0, true) == -1, "type 0x%X", bad[i]);
        ck_assert_mem_eq(raw, zero, 8);
    }
    memset(raw, 0xEE, sizeof(raw));
    ck_assert_int_eq(x86_desc_encode_gate(raw, 8, 0x1000, X86_TYPE_INT_GATE32, 4, true), -1);
    ck_assert_mem_eq(raw, zero, 8);
}
END_TEST

/* ---------------------------------------------------------------- names and text */

START_TEST(kind_names)
{
    ck_assert_str_eq(x86_desc_kind_name(X86_DESC_CODE), "code segment");
    ck_assert_str_eq(x86_desc_kind_name(X86_DESC_DATA), "data segment");
    ck_assert_str_eq(x86_desc_kind_name(X86_DESC_TRAP_GATE32), "32-bit trap gate");
    ck_assert_str_eq(x86_desc_kind_name(X86_DESC_INT_GATE16), "16-bit interrupt gate");
    ck_assert_str_eq(x86_desc_kind_name(X86_DESC_TASK_GATE), "task gate");
    ck_assert_str_eq(x86_desc_kind_name(X86_DESC_LDT), "LDT");
    ck_assert_str_eq(x86_desc_kind_name((enum x86_desc_kind)999), "unknown");
    /* every kind a decode can give has its own name */
    const char *seen[32] = { 0 };
    size_t nseen = 0;
    for (unsigned b5 = 0; b5 < 256; b5++) {
        uint8_t raw[8] = { 0, 0, 0, 0, 0, (uint8_t)b5, 0, 0 };
        struct x86_desc d;
        x86_desc_decode(raw, &d);
        const char *name = x86_desc_kind_name(d.kind);
        ck_assert_str_ne(name, "unknown");
        size_t j;
        for (j = 0; j < nseen; j++)
            if (!strcmp(seen[j], name))
                break;
        if (j == nseen)
            seen[nseen++] = name;
    }
    ck_assert_uint_eq(nseen, 2 + 1 + 12);   /* code, data, reserved, 12 defined system types */
}
END_TEST

START_TEST(format_interrupt_gate)
{
    char buf[512];
    format(INT_GATE, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "bytes c0 62 08 00 00 ee 46 80\n"));
    ck_assert_ptr_nonnull(strstr(buf, "32-bit interrupt gate, present, DPL 3\n"));
    ck_assert_ptr_nonnull(strstr(buf, "0008:804662c0"));
    ck_assert_ptr_nonnull(strstr(buf, "index 1, GDT, RPL 0"));
    ck_assert_ptr_null(strstr(buf, "base"));
    ck_assert_uint_eq(buf[strlen(buf) - 1], '\n');
}
END_TEST

START_TEST(format_code_segment)
{
    char buf[512];
    format(FLAT_CODE, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "code segment, present, DPL 0\n"));
    ck_assert_ptr_nonnull(strstr(buf, "base 00000000, limit ffffffff (4 KiB granularity)"));
    ck_assert_ptr_nonnull(strstr(buf, "32-bit"));
    ck_assert_ptr_nonnull(strstr(buf, "execute/read"));
    ck_assert_ptr_nonnull(strstr(buf, "non-conforming"));
    ck_assert_ptr_nonnull(strstr(buf, ", accessed"));
    ck_assert_ptr_null(strstr(buf, "not accessed"));
}
END_TEST

START_TEST(format_other_kinds)
{
    char buf[512];
    const uint8_t tss[8] = { 0xab, 0x20, 0x00, 0x20, 0x04, 0x89, 0x00, 0x80 };
    format(tss, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "32-bit TSS (available), present, DPL 0"));
    ck_assert_ptr_nonnull(strstr(buf, "base 80042000, limit 000020ab (byte granularity)"));

    const uint8_t tg[8] = { 0x00, 0x00, 0x50, 0x00, 0x00, 0x85, 0x00, 0x00 };
    format(tg, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "task gate, present, DPL 0"));
    ck_assert_ptr_nonnull(strstr(buf, "TSS selector 0050 (index 10, GDT, RPL 0)"));

    const uint8_t cg[8] = { 0x00, 0x10, 0x1f, 0x00, 0x02, 0xec, 0x40, 0x00 };
    format(cg, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "target 001f:00401000 (selector index 3, LDT, RPL 3)"));
    ck_assert_ptr_nonnull(strstr(buf, "2 parameter dwords"));

    const uint8_t data[8] = { 0xff, 0x0f, 0x00, 0xf0, 0xdf, 0x72, 0x40, 0xff };
    format(data, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "data segment, not present, DPL 3"));
    ck_assert_ptr_nonnull(strstr(buf, "base ffdff000, limit 00000fff (byte granularity)"));
    ck_assert_ptr_nonnull(strstr(buf, "read/write"));
    ck_assert_ptr_nonnull(strstr(buf, "expand-up"));
    ck_assert_ptr_nonnull(strstr(buf, "not accessed"));

    const uint8_t xo[8] = { 0xff, 0xff, 0x00, 0x00, 0x00, 0x99, 0x00, 0x00 };
    format(xo, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "  16-bit, execute-only, non-conforming, accessed\n"));
    const uint8_t cr[8] = { 0xff, 0xff, 0x00, 0x00, 0x00, 0xde, 0x40, 0x00 };
    format(cr, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "code segment, present, DPL 2\n"));
    ck_assert_ptr_nonnull(strstr(buf, "  32-bit, execute/read, conforming, not accessed\n"));
    const uint8_t ro[8] = { 0xff, 0xff, 0x00, 0x00, 0x00, 0x95, 0x10, 0x00 };
    format(ro, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "  16-bit, read-only, expand-down, accessed, AVL set\n"));

    const uint8_t rsv[8] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x8d, 0x00, 0x00 };
    format(rsv, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "reserved system type 0xD, present, DPL 0"));

    static const uint8_t zero[8];
    format(zero, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "null descriptor"));
}
END_TEST

START_TEST(format_truncates_like_snprintf)
{
    char full[512], small[16];
    int n = x86_desc_format(INT_GATE, full, sizeof(full));
    ck_assert_int_gt(n, (int)sizeof(small));
    memset(small, 'X', sizeof(small));
    ck_assert_int_eq(x86_desc_format(INT_GATE, small, sizeof(small)), n);
    ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
    ck_assert(!strncmp(small, full, sizeof(small) - 1));
    /* exactly one byte short */
    char *exact = malloc((size_t)n);
    ck_assert_ptr_nonnull(exact);
    ck_assert_int_eq(x86_desc_format(INT_GATE, exact, (size_t)n), n);
    ck_assert_uint_eq(strlen(exact), (size_t)n - 1);
    free(exact);
    /* no buffer at all: only the length */
    ck_assert_int_eq(x86_desc_format(INT_GATE, NULL, 0), n);
    char one = 'X';
    ck_assert_int_eq(x86_desc_format(INT_GATE, &one, 1), n);
    ck_assert_int_eq(one, '\0');
}
END_TEST

START_TEST(format_every_access_byte)
{
    /* the formatter copes with anything: all 256 access bytes x 16 flag nibbles */
    for (unsigned b5 = 0; b5 < 256; b5++)
        for (unsigned b6 = 0; b6 < 256; b6 += 0x11) {
            uint8_t raw[8] = { 0xff, 0xff, 0x12, 0x34, 0x56, (uint8_t)b5, (uint8_t)b6, 0x78 };
            char buf[512];
            format(raw, buf, sizeof(buf));
            ck_assert_ptr_nonnull(strstr(buf, (b5 & 0x80) ? "present" : "not present"));
        }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("x86_desc");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, decode_known_interrupt_gate);
    tcase_add_test(tc, decode_flat_code_segment);
    tcase_add_test(tc, decode_flat_data_segment);
    tcase_add_test(tc, decode_scattered_base_and_limit);
    tcase_add_test(tc, decode_4k_granularity_scales_limit);
    tcase_add_test(tc, decode_code_variants);
    tcase_add_test(tc, decode_not_present);
    tcase_add_test(tc, decode_system_types);
    tcase_add_test(tc, decode_tss);
    tcase_add_test(tc, decode_call_gate_params);
    tcase_add_test(tc, decode_task_and_16bit_gates);
    tcase_add_test(tc, selector_helpers);
    suite_add_tcase(s, tc);

    tc = tcase_create("encode");
    tcase_add_test(tc, encode_flat_code_matches_known_bytes);
    tcase_add_test(tc, encode_segment_granularity);
    tcase_add_test(tc, encode_segment_roundtrip_all_access_bytes);
    tcase_add_test(tc, encode_known_interrupt_gate);
    tcase_add_test(tc, encode_gate_roundtrip);
    tcase_add_test(tc, encode_gate_rejects);
    suite_add_tcase(s, tc);

    tc = tcase_create("format");
    tcase_add_test(tc, kind_names);
    tcase_add_test(tc, format_interrupt_gate);
    tcase_add_test(tc, format_code_segment);
    tcase_add_test(tc, format_other_kinds);
    tcase_add_test(tc, format_truncates_like_snprintf);
    tcase_add_test(tc, format_every_access_byte);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(suite());
}
