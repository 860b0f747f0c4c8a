/*
 * Check suite for the tracer's decoders (tracer/decode.c), its output
 * (tracer/trace_output.c) and the NTSTATUS names (ntdb/ntstatus_names.c),
 * fed hostile guest input.
 *
 * Guest memory is a malloc'd buffer of exactly MEM_SIZE bytes (ASan catches
 * any read outside it) with 32-bit non-PAE page tables built here (SDM vol.
 * 3A 4.3), CR4.PSE on:
 *
 * Guest-physical layout:
 *   0x001000  page directory (CR3)
 *   0x002000  page table for 0x00000000-0x003FFFFF
 *   0x003000  page table for 0xFFC00000-0xFFFFFFFF
 *   0x010000+ data pages (identity mapped, see below)
 *   0x02F000  the "stack" page
 *   0x03F000  what 0xFFFFF000 maps
 *   0x3FF000  the last page of memory
 *
 * Linear layout:
 *   0x00000000            not present (the NULL page)
 *   0x00010000-0x0001FFFF identity mapped, user, writable
 *   0x00020000            not present: the hole after the data pages
 *   0x00030000            -> 0x10000000 (beyond memory)
 *   0x00040000            -> 0x3FF000, the last page of memory; 0x41000 not present
 *   0x0012F000            -> 0x02F000 (NT's first thread stack is near here)
 *   0x00130000            not present
 *   0x80000000            4 MiB page -> 0 (KSEG0: all of memory)
 *   0xFFFFF000            -> 0x03F000; the next byte would be 0x00000000 (not present)
 */
#include <check.h>
#include "check_run.h"
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/decode.h"
#include "tracer/trace_handles.h"
#include "vmm/guest_mem.h"
#include "ntdb/ntstatus_names.h"
#include "ntdb/service_table.h"
#include "tracer/trace_output.h"
#include <nt/ntstatus.h>

#define MEM_SIZE  0x400000u
#define CR0_PG    0x80000000u
#define CR0_PE    0x00000001u
#define CR4_PSE   0x00000010u
#define P  0x001u
#define W  0x002u
#define U  0x004u
#define PS 0x080u

#define PD        0x1000u
#define PT_LOW    0x2000u
#define PT_HIGH   0x3000u

#define DATA      0x00010000u      /* 16 mapped pages */
#define HOLE      0x00020000u      /* not present */
#define BEYOND    0x00030000u      /* maps beyond memory */
#define LASTPAGE  0x00040000u      /* the last page of memory; the next page is not present */
#define STACK     0x0012F000u
#define KSEG0     0x80000000u
#define TOP       0xFFFFF000u

static uint8_t *mem;
static struct guest_view view;

/* ------------------------------------------------------------------ the fake guest */

static void put32_phys(uint32_t gpa, uint32_t v)
{
    ck_assert_uint_le((uint64_t)gpa + 4, MEM_SIZE);
    memcpy(mem + gpa, &v, 4);
}

static void map(uint32_t va, uint32_t gpa_flags)
{
    uint32_t pt = va >= 0xFFC00000u ? PT_HIGH : PT_LOW;
    ck_assert(va < 0x00400000u || va >= 0xFFC00000u);
    put32_phys(pt + ((va >> 12) & 0x3FF) * 4, gpa_flags);
}

static void setup(void)
{
    mem = malloc(MEM_SIZE);
    ck_assert_ptr_nonnull(mem);
    for (uint32_t a = 0; a < MEM_SIZE; a++)
        mem[a] = (uint8_t)(0xA5 ^ (a >> 12) ^ a);   /* never all zero: a read of garbage shows */
    memset(mem + PD, 0, 0x3000);

    put32_phys(PD + (0x00000000u >> 22) * 4, PT_LOW | P | W | U);
    put32_phys(PD + (0xFFC00000u >> 22) * 4, PT_HIGH | P | W | U);
    put32_phys(PD + (KSEG0 >> 22) * 4, 0x00000000u | P | W | PS);
    for (uint32_t va = DATA; va < HOLE; va += 0x1000)
        map(va, va | P | W | U);
    map(BEYOND, 0x10000000u | P | W | U);
    map(LASTPAGE, (MEM_SIZE - 0x1000) | P | W | U);
    map(STACK, 0x2F000u | P | W | U);
    map(TOP, 0x3F000u | P | W | U);

    view.mem.mem = mem;
    view.mem.size = MEM_SIZE;
    view.cr0 = CR0_PG | CR0_PE;
    view.cr3 = PD;
    view.cr4 = CR4_PSE;
}

static void teardown(void)
{
    free(mem);
    mem = NULL;
}

/* Writes bytes at a linear address, page by page; every page must be mapped. */
static void poke(uint32_t va, const void *src, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint64_t gpa;
        ck_assert_msg(gmem_translate(&view.mem, view.cr0, view.cr3, view.cr4, va + (uint32_t)i, &gpa, NULL, NULL),
                      "poke: 0x%08x not mapped", va + (uint32_t)i);
        mem[gpa] = ((const uint8_t *)src)[i];
    }
}

static void poke16(uint32_t va, uint16_t v) { poke(va, &v, 2); }
static void poke32(uint32_t va, uint32_t v) { poke(va, &v, 4); }

/* A UNICODE_STRING {Length, MaximumLength, Buffer} at va. */
static void put_us(uint32_t va, uint16_t length, uint16_t max, uint32_t buffer)
{
    poke16(va, length);
    poke16(va + 2, max);
    poke32(va + 4, buffer);
}

/* ASCII text as UTF-16LE at va, no terminator; returns its Length in bytes. */
static uint16_t put_wtext(uint32_t va, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        poke16(va + 2 * (uint32_t)i, (uint8_t)s[i]);
    return (uint16_t)(2 * n);
}

/* OBJECT_ATTRIBUTES {Length, RootDirectory, ObjectName, Attributes, SecurityDescriptor, SecurityQoS}. */
static void put_oa(uint32_t va, uint32_t name, uint32_t attributes)
{
    uint32_t oa[6] = { 24, 0, name, attributes, 0, 0 };
    poke(va, oa, sizeof(oa));
}

/* ------------------------------------------------------------------ rendering helpers */

static char rendered[4096];
static const struct decode_ctx plain = { &view, NULL, 1 };   /* the defaults: names, handles as numbers */

/*
 * Renders argument 0 of kind k (argument 1 is its length, for buffers) into an
 * output buffer of exactly outlen bytes (malloc'd: ASan sees any overrun);
 * returns a copy.
 */
static const char *render_len(enum arg_kind k, uint32_t value, uint32_t length, bool at_return, size_t outlen)
{
    struct arg_proto a = { "X", k, 1 };
    uint32_t args[2] = { value, length };
    char *out = outlen ? malloc(outlen) : NULL;
    ck_assert(outlen == 0 || out != NULL);
    char *r = arg_render(&plain, &a, args, 2, 0, at_return, out, outlen);
    ck_assert_ptr_eq(r, out);
    if (outlen) {
        ck_assert_uint_lt(strlen(out), outlen);
        snprintf(rendered, sizeof(rendered), "%s", out);
    } else {
        rendered[0] = '\0';
    }
    free(out);
    return rendered;
}

static const char *render(enum arg_kind k, uint32_t value, bool at_return)
{
    return render_len(k, value, 0, at_return, 1024);
}

static const char *render_buf(enum arg_kind k, uint32_t value, uint32_t length, bool at_return)
{
    return render_len(k, value, length, at_return, 1024);
}

static const char *utf16(uint32_t va, uint32_t length, size_t outlen)
{
    char *out = malloc(outlen ? outlen : 1);
    ck_assert_ptr_nonnull(out);
    memset(out, 'Z', outlen ? outlen : 1);
    decode_utf16(&view, va, length, out, outlen);
    if (outlen) {
        ck_assert_uint_lt(strlen(out), outlen);
        snprintf(rendered, sizeof(rendered), "%s", out);
    } else {
        ck_assert_int_eq(out[0], 'Z');   /* nothing written */
        rendered[0] = '\0';
    }
    free(out);
    return rendered;
}

static const char *bytes(uint32_t va, uint32_t length, size_t outlen)
{
    char *out = malloc(outlen ? outlen : 1);
    ck_assert_ptr_nonnull(out);
    memset(out, 'Z', outlen ? outlen : 1);
    decode_bytes(&view, va, length, out, outlen);
    if (outlen) {
        ck_assert_uint_lt(strlen(out), outlen);
        snprintf(rendered, sizeof(rendered), "%s", out);
    } else {
        ck_assert_int_eq(out[0], 'Z');
        rendered[0] = '\0';
    }
    free(out);
    return rendered;
}

/* "\"" + n copies of c + "\"" + tail */
static const char *repeated(char c, int n, const char *tail)
{
    static char s[1024];
    s[0] = '"';
    memset(s + 1, c, (size_t)n);
    snprintf(s + 1 + n, sizeof(s) - 1 - (size_t)n, "\"%s", tail);
    return s;
}

/* ------------------------------------------------------------------ a strict JSON checker (RFC 8259) */

static void ws(const char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
        (*p)++;
}

static bool hex4(const char *p, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        *v = *v << 4 | d;
    }
    return true;
}

static bool j_string(const char **p)
{
    if (**p != '"')
        return false;
    (*p)++;
    for (;;) {
        unsigned char c = (unsigned char)**p;
        if (c == '"') {
            (*p)++;
            return true;
        }
        if (c < 0x20)
            return false;   /* raw control characters (and the end of the text) are not allowed */
        if (c == '\\') {
            (*p)++;
            switch (**p) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                (*p)++;
                break;
            case 'u': {
                unsigned v, lo;
                if (!hex4(*p + 1, &v))
                    return false;
                *p += 5;
                if (v >= 0xDC00 && v <= 0xDFFF)
                    return false;   /* a lone low surrogate */
                if (v >= 0xD800 && v <= 0xDBFF) {   /* a high surrogate needs its low half */
                    if ((*p)[0] != '\\' || (*p)[1] != 'u' || !hex4(*p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                        return false;
                    *p += 6;
                }
                break;
            }
            default:
                return false;
            }
            continue;
        }
        if (c >= 0x80)
            return false;   /* the tracer writes ASCII only */
        (*p)++;
    }
}

static bool j_number(const char **p)
{
    const char *s = *p;
    if (*s == '-')
        s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        while (*s >= '0' && *s <= '9')
            s++;
    else
        return false;
    if (*s == '.') {
        s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    *p = s;
    return true;
}

static bool j_value(const char **p, int depth);

static bool j_container(const char **p, int depth, char close, bool object)
{
    (*p)++;
    ws(p);
    if (**p == close) {
        (*p)++;
        return true;
    }
    for (;;) {
        ws(p);
        if (object) {
            if (!j_string(p))
                return false;
            ws(p);
            if (**p != ':')
                return false;
            (*p)++;
        }
        if (!j_value(p, depth + 1))
            return false;
        ws(p);
        if (**p == ',') {
            (*p)++;
            continue;
        }
        if (**p == close) {
            (*p)++;
            return true;
        }
        return false;
    }
}

static bool j_value(const char **p, int depth)
{
    if (depth > 64)
        return false;
    ws(p);
    switch (**p) {
    case '{': return j_container(p, depth, '}', true);
    case '[': return j_container(p, depth, ']', false);
    case '"': return j_string(p);
    case 't': if (!strncmp(*p, "true", 4)) { *p += 4; return true; } return false;
    case 'f': if (!strncmp(*p, "false", 5)) { *p += 5; return true; } return false;
    case 'n': if (!strncmp(*p, "null", 4)) { *p += 4; return true; } return false;
    default:  return j_number(p);
    }
}

/* One JSON value and nothing else. */
static bool json_ok(const char *text)
{
    const char *p = text;
    if (!j_value(&p, 0))
        return false;
    ws(&p);
    return *p == '\0';
}

/* Checks that text is JSON Lines: each line one JSON object, ASCII, ending in '\n'; returns the count. */
static int check_json_lines(const char *text, size_t len)
{
    int lines = 0;
    ck_assert_uint_eq(strlen(text), len);   /* no NUL inside */
    ck_assert_msg(len > 0 && text[len - 1] == '\n', "output does not end with a newline");
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        char *line = strndup(p, (size_t)(nl - p));
        ck_assert_ptr_nonnull(line);
        ck_assert_msg(line[0] == '{', "not an object: %s", line);
        ck_assert_msg(json_ok(line), "invalid JSON line: %s", line);
        free(line);
        lines++;
        p = nl + 1;
    }
    return lines;
}

/* Output captured in memory. */
struct capture {
    FILE *f;
    char *text;
    size_t len;
};

static void cap_open(struct capture *c)
{
    c->text = NULL;
    c->len = 0;
    c->f = open_memstream(&c->text, &c->len);
    ck_assert_ptr_nonnull(c->f);
}

static const char *cap_close(struct capture *c)
{
    ck_assert_int_eq(fclose(c->f), 0);
    c->f = NULL;
    return c->text;
}

static const char *json_of(const char *s)
{
    struct capture c;
    static char out[8192];
    cap_open(&c);
    json_string(c.f, s);
    cap_close(&c);
    snprintf(out, sizeof(out), "%s", c.text);
    free(c.text);
    return out;
}

/* ------------------------------------------------------------------ the checker itself */

START_TEST(json_checker_self_test)
{
    ck_assert(json_ok("{\"a\":[1,-2.5e3,true,false,null,\"x\\n\\u00e9\\ud83d\\ude00\"],\"b\":{}}"));
    ck_assert(json_ok("[]"));
    ck_assert(!json_ok(""));
    ck_assert(!json_ok("{\"a\":1,}"));
    ck_assert(!json_ok("{\"a\":01}"));
    ck_assert(!json_ok("{\"a\":\"\x01\"}"));
    ck_assert(!json_ok("{\"a\":\"\\x41\"}"));
    ck_assert(!json_ok("{\"a\":\"\\u00g0\"}"));
    ck_assert(!json_ok("{\"a\":\"\\ud83d\"}"));
    ck_assert(!json_ok("{\"a\":\"\\ude00\"}"));
    ck_assert(!json_ok("{\"a\":\"\xc3\xa9\"}"));
    ck_assert(!json_ok("{\"a\":1} {}"));
    ck_assert(!json_ok("{\"a\":\"unterminated}"));
    ck_assert(!json_ok("{a:1}"));
    ck_assert(!json_ok("{\"a\":tru}"));
}
END_TEST

/* ------------------------------------------------------------------ json_string */

START_TEST(json_string_every_byte)
{
    for (unsigned b = 1; b < 256; b++) {
        char s[2] = { (char)b, 0 }, want[16];
        if (b == '"')
            snprintf(want, sizeof(want), "\"\\\"\"");
        else if (b == '\\')
            snprintf(want, sizeof(want), "\"\\\\\"");
        else if (b < 0x20 || b >= 0x7F)
            snprintf(want, sizeof(want), "\"\\u%04x\"", b);
        else
            snprintf(want, sizeof(want), "\"%c\"", b);
        const char *got = json_of(s);
        ck_assert_msg(!strcmp(got, want), "byte 0x%02x: %s, not %s", b, got, want);
        ck_assert_msg(json_ok(got), "byte 0x%02x: invalid JSON %s", b, got);
    }
}
END_TEST

START_TEST(json_string_hostile_strings)
{
    char all[256];
    for (int i = 0; i < 255; i++)
        all[i] = (char)(i + 1);
    all[255] = '\0';
    ck_assert(json_ok(json_of(all)));
    ck_assert_str_eq(json_of(""), "\"\"");
    ck_assert_str_eq(json_of("a\"b\\c\n\r\t\x1b\x7f\xff"), "\"a\\\"b\\\\c\\u000a\\u000d\\u0009\\u001b\\u007f\\u00ff\"");
    /* UTF-8 is not passed through: every byte >= 0x80 is escaped on its own */
    ck_assert_str_eq(json_of("\xc3\xa9"), "\"\\u00c3\\u00a9\"");
    /* a backslash-u sequence in the input is text, not an escape */
    ck_assert_str_eq(json_of("\\ud800"), "\"\\\\ud800\"");
    ck_assert(json_ok(json_of("\\ud800")));
    /* no string at all is null, not a crash */
    ck_assert_str_eq(json_of(NULL), "null");
}
END_TEST

/* ------------------------------------------------------------------ decode_utf16 */

START_TEST(utf16_plain_and_escaped)
{
    uint16_t len = put_wtext(DATA, "Hi\n");
    ck_assert_uint_eq(len, 6);
    ck_assert_str_eq(utf16(DATA, len, 256), "\"Hi\\n\"");
    put_wtext(DATA, "a\"b\\c\td\re");
    ck_assert_str_eq(utf16(DATA, 18, 256), "\"a\\\"b\\\\c\\td\\re\"");
    static const uint16_t odd[] = { 0x0000, 0x001B, 0x007F, 0x0080, 0x00E9, 0x00FF, 0x0100, 0x4E2D,
                                    0xD83D, 0xDE00, 0xFFFF, 0xFEFF };
    for (unsigned i = 0; i < sizeof(odd) / 2; i++)
        poke16(DATA + 2 * i, odd[i]);
    ck_assert_str_eq(utf16(DATA, sizeof(odd), 256),
                     "\"\\x00\\x1b\\x7f\\x80\\xe9\\xff\\u0100\\u4e2d\\ud83d\\ude00\\uffff\\ufeff\"");
}
END_TEST

START_TEST(utf16_empty_and_odd_lengths)
{
    put_wtext(DATA, "abcd");
    ck_assert_str_eq(utf16(DATA, 0, 64), "\"\"");
    ck_assert_str_eq(utf16(DATA, 1, 64), "\"\"");        /* half a character is no character */
    ck_assert_str_eq(utf16(DATA, 7, 64), "\"abc\"");
    ck_assert_str_eq(utf16(DATA, 8, 64), "\"abcd\"");
    /* an empty string is not read at all: any pointer will do */
    ck_assert_str_eq(utf16(0, 0, 64), "\"\"");
    ck_assert_str_eq(utf16(HOLE, 0, 64), "\"\"");
    ck_assert_str_eq(utf16(HOLE, 1, 64), "\"\"");
}
END_TEST

START_TEST(utf16_unreadable)
{
    ck_assert_str_eq(utf16(0, 2, 64), "<unreadable 0x00000000>");
    ck_assert_str_eq(utf16(HOLE, 2, 64), "<unreadable 0x00020000>");
    ck_assert_str_eq(utf16(BEYOND, 2, 64), "<unreadable 0x00030000>");
    ck_assert_str_eq(utf16(0xC0000000u, 2, 64), "<unreadable 0xc0000000>");
    /* a host pointer, as the monitor would see it, means nothing in the guest */
    uint32_t host = (uint32_t)(uintptr_t)mem;
    if (!gmem_translate(&view.mem, view.cr0, view.cr3, view.cr4, host, &(uint64_t){ 0 }, NULL, NULL)) {
        char want[32];
        snprintf(want, sizeof(want), "<unreadable 0x%08x>", host);
        ck_assert_str_eq(utf16(host, 16, 64), want);
    }
}
END_TEST

START_TEST(utf16_reads_no_more_than_length)
{
    /* the last characters before a hole, with no terminator after them */
    put_wtext(HOLE - 6, "xyz");
    ck_assert_str_eq(utf16(HOLE - 6, 6, 64), "\"xyz\"");
    ck_assert_str_eq(utf16(HOLE - 6, 7, 64), "\"xyz\"");   /* the odd byte is not read */
    ck_assert_str_eq(utf16(HOLE - 6, 8, 64), "<unreadable 0x0001fffa>");
    /* and at the very end of guest memory */
    put_wtext(LASTPAGE + 0x1000 - 4, "ok");
    ck_assert_str_eq(utf16(LASTPAGE + 0x1000 - 4, 4, 64), "\"ok\"");
    ck_assert_str_eq(utf16(LASTPAGE + 0x1000 - 4, 6, 64), "<unreadable 0x00040ffc>");
    /* crossing from one mapped page into the next is fine */
    put_wtext(DATA + 0x1000 - 4, "abcd");
    ck_assert_str_eq(utf16(DATA + 0x1000 - 4, 8, 64), "\"abcd\"");
}
END_TEST

START_TEST(utf16_huge_length_reads_at_most_max_text)
{
    /* DECODE_MAX_TEXT characters end exactly at the hole: Length 0xFFFF must not read further */
    uint32_t va = HOLE - 2 * DECODE_MAX_TEXT;
    for (int i = 0; i < DECODE_MAX_TEXT; i++)
        poke16(va + 2u * (uint32_t)i, 'A');
    ck_assert_str_eq(utf16(va, 0xFFFF, 2048), repeated('A', DECODE_MAX_TEXT, "..."));
    ck_assert_str_eq(utf16(va, 0xFFFFFFFFu, 2048), repeated('A', DECODE_MAX_TEXT, "..."));
    ck_assert_str_eq(utf16(va, 2 * DECODE_MAX_TEXT, 2048), repeated('A', DECODE_MAX_TEXT, ""));
    ck_assert_str_eq(utf16(va, 2 * DECODE_MAX_TEXT + 1, 2048), repeated('A', DECODE_MAX_TEXT, ""));
    ck_assert_str_eq(utf16(va, 2 * DECODE_MAX_TEXT + 2, 2048), repeated('A', DECODE_MAX_TEXT, "..."));
    /* one character earlier, and the first DECODE_MAX_TEXT characters run into the hole */
    ck_assert_str_eq(utf16(va + 2, 0xFFFF, 2048), "<unreadable 0x0001ff42>");
}
END_TEST

START_TEST(utf16_wraps_around_4g)
{
    put_wtext(0xFFFFFFF8u, "WXYZ");
    ck_assert_str_eq(utf16(0xFFFFFFF8u, 8, 64), "\"WXYZ\"");
    /* reading on would wrap to 0x00000000: not mapped here, and never read anyway */
    ck_assert_str_eq(utf16(0xFFFFFFF8u, 10, 64), "<unreadable 0xfffffff8>");
    ck_assert_str_eq(utf16(0xFFFFFFFFu, 2, 64), "<unreadable 0xffffffff>");
    /* even when page 0 is mapped, a read does not wrap past 4 GiB */
    map(0, 0x11000u | P | W | U);
    ck_assert_str_eq(utf16(0xFFFFFFF8u, 0xFFFF, 64), "<unreadable 0xfffffff8>");
    ck_assert_str_eq(utf16(0xFFFFFFFEu, 4, 64), "<unreadable 0xfffffffe>");
}
END_TEST

START_TEST(utf16_small_output_buffers)
{
    for (int i = 0; i < DECODE_MAX_TEXT; i++)
        poke16(DATA + 2u * (uint32_t)i, i % 2 ? 0x4E2D : '"');
    for (size_t outlen = 0; outlen < 700; outlen++) {
        const char *s = utf16(DATA, 0xFFFF, outlen);
        if (outlen < 16) {
            ck_assert_str_eq(s, "");
            continue;
        }
        size_t n = strlen(s);
        ck_assert_int_eq(s[0], '"');
        /* a cut string still closes its quote and says it was cut */
        ck_assert_msg(n >= 5 && !strcmp(s + n - 4, "\"..."), "outlen %zu: %s", outlen, s);
    }
    for (size_t outlen = 0; outlen < 40; outlen++)
        utf16(HOLE, 2, outlen);
}
END_TEST

/* ------------------------------------------------------------------ decode_bytes */

START_TEST(bytes_plain_escaped_and_bounded)
{
    poke(DATA, "Hi\n\0\x01\x7f\x80\xff\"\\", 10);
    ck_assert_str_eq(bytes(DATA, 10, 256), "\"Hi\\n\\x00\\x01\\x7f\\x80\\xff\\\"\\\\\"");
    ck_assert_str_eq(bytes(DATA, 0, 256), "\"\"");
    ck_assert_str_eq(bytes(HOLE, 0, 256), "\"\"");
    ck_assert_str_eq(bytes(HOLE, 1, 256), "<unreadable 0x00020000>");
    ck_assert_str_eq(bytes(HOLE - 1, 2, 256), "<unreadable 0x0001ffff>");
    /* exactly DECODE_MAX_TEXT bytes before the hole: huge lengths read no further */
    uint32_t va = HOLE - DECODE_MAX_TEXT;
    uint8_t b[DECODE_MAX_TEXT];
    memset(b, 'b', sizeof(b));
    poke(va, b, sizeof(b));
    ck_assert_str_eq(bytes(va, 0xFFFFFFFFu, 2048), repeated('b', DECODE_MAX_TEXT, "..."));
    ck_assert_str_eq(bytes(va, DECODE_MAX_TEXT, 2048), repeated('b', DECODE_MAX_TEXT, ""));
    ck_assert_str_eq(bytes(va + 1, 0xFFFFFFFFu, 2048), "<unreadable 0x0001ffa1>");
    ck_assert_str_eq(bytes(va + 1, DECODE_MAX_TEXT - 1, 2048), repeated('b', DECODE_MAX_TEXT - 1, ""));
    /* the top of the address space */
    poke(0xFFFFFFFEu, "\x01\x02", 2);
    ck_assert_str_eq(bytes(0xFFFFFFFEu, 2, 64), "\"\\x01\\x02\"");
    ck_assert_str_eq(bytes(0xFFFFFFFEu, 3, 64), "<unreadable 0xfffffffe>");
}
END_TEST

START_TEST(bytes_small_output_buffers)
{
    uint8_t b[DECODE_MAX_TEXT];
    for (unsigned i = 0; i < sizeof(b); i++)
        b[i] = (uint8_t)(i * 37);
    poke(DATA, b, sizeof(b));
    for (size_t outlen = 0; outlen < 600; outlen++) {
        const char *s = bytes(DATA, 0xFFFF, outlen);
        if (outlen < 16) {
            ck_assert_str_eq(s, "");
            continue;
        }
        size_t n = strlen(s);
        ck_assert_msg(n >= 5 && s[0] == '"' && !strcmp(s + n - 4, "\"..."), "outlen %zu: %s", outlen, s);
    }
}
END_TEST

/* ------------------------------------------------------------------ UNICODE_STRING */

START_TEST(ustring_valid)
{
    uint16_t len = put_wtext(STACK + 0xF00, "Hi\n");
    put_us(0x0012FFA8u, len, len + 2, STACK + 0xF00);
    ck_assert_str_eq(render(ARG_USTRING, 0x0012FFA8u, false), "0x0012ffa8 \"Hi\\n\"");
    /* MaximumLength plays no part, even when smaller than Length */
    put_us(0x0012FFA8u, len, 0, STACK + 0xF00);
    ck_assert_str_eq(render(ARG_USTRING, 0x0012FFA8u, false), "0x0012ffa8 \"Hi\\n\"");
    put_us(0x0012FFA8u, 0, 0, 0);
    ck_assert_str_eq(render(ARG_USTRING, 0x0012FFA8u, false), "0x0012ffa8 \"\"");
    /* a kernel-mode caller's string, in KSEG0 */
    put_wtext(KSEG0 + 0x2F100, "k");
    put_us(KSEG0 + 0x2F200, 2, 2, KSEG0 + 0x2F100);
    ck_assert_str_eq(render(ARG_USTRING, KSEG0 + 0x2F200, false), "0x8002f200 \"k\"");
}
END_TEST

START_TEST(ustring_bad_pointers)
{
    ck_assert_str_eq(render(ARG_USTRING, 0, false), "NULL");
    /* NULL is NULL even where page 0 is mapped: it is never dereferenced */
    map(0, 0x11000u | P | W | U);
    ck_assert_str_eq(render(ARG_USTRING, 0, false), "NULL");
    ck_assert_str_eq(render(ARG_USTRING, HOLE, false), "0x00020000 <unreadable>");
    ck_assert_str_eq(render(ARG_USTRING, BEYOND, false), "0x00030000 <unreadable>");
    ck_assert_str_eq(render(ARG_USTRING, 0x00130000u, false), "0x00130000 <unreadable>");
    /* the structure itself straddles the hole, or the top of the address space */
    ck_assert_str_eq(render(ARG_USTRING, HOLE - 4, false), "0x0001fffc <unreadable>");
    ck_assert_str_eq(render(ARG_USTRING, 0xFFFFFFFCu, false), "0xfffffffc <unreadable>");
    ck_assert_str_eq(render(ARG_USTRING, 0xFFFFFFFFu, false), "0xffffffff <unreadable>");
}
END_TEST

START_TEST(ustring_bad_buffers)
{
    uint32_t us = 0x0012FFA8u;
    put_us(us, 8, 8, 0);
    ck_assert_str_eq(render(ARG_USTRING, us, false), "0x0012ffa8 <unreadable 0x00000000>");
    put_us(us, 8, 8, HOLE);
    ck_assert_str_eq(render(ARG_USTRING, us, false), "0x0012ffa8 <unreadable 0x00020000>");
    put_us(us, 8, 8, BEYOND + 0x10);
    ck_assert_str_eq(render(ARG_USTRING, us, false), "0x0012ffa8 <unreadable 0x00030010>");
    /* crosses from a mapped page into the hole */
    put_wtext(HOLE - 4, "ab");
    put_us(us, 8, 8, HOLE - 4);
    ck_assert_str_eq(render(ARG_USTRING, us, false), "0x0012ffa8 <unreadable 0x0001fffc>");
    put_us(us, 4, 8, HOLE - 4);
    ck_assert_str_eq(render(ARG_USTRING, us, false), "0x0012ffa8 \"ab\"");
    /* wraps around 4 GiB */
    put_wtext(0xFFFFFFFCu, "yz");
    put_us(us, 0xFFFF, 0xFFFF, 0xFFFFFFFCu);
    ck_assert_str_eq(render(ARG_USTRING, us, false), "0x0012ffa8 <unreadable 0xfffffffc>");
    put_us(us, 4, 4, 0xFFFFFFFCu);
    ck_assert_str_eq(render(ARG_USTRING, us, false), "0x0012ffa8 \"yz\"");
    /* odd and huge lengths */
    put_wtext(DATA, "odd!");
    put_us(us, 5, 5, DATA);
    ck_assert_str_eq(render(ARG_USTRING, us, false), "0x0012ffa8 \"od\"");
    for (int i = 0; i < 200; i++)
        poke16(DATA + 2u * (uint32_t)i, 'q');
    put_us(us, 0xFFFF, 0xFFFF, DATA);
    char want[256];
    snprintf(want, sizeof(want), "0x0012ffa8 %s", repeated('q', DECODE_MAX_TEXT, "..."));
    ck_assert_str_eq(render(ARG_USTRING, us, false), want);
    /* the buffer points at the UNICODE_STRING itself */
    put_us(us, 8, 8, us);
    ck_assert_str_eq(render(ARG_USTRING, us, false), "0x0012ffa8 \"\\x08\\x08\\uffa8\\x12\"");
}
END_TEST

/* ------------------------------------------------------------------ OBJECT_ATTRIBUTES */

START_TEST(object_attributes)
{
    uint32_t oa = STACK + 0xE00, name = STACK + 0xE40, text = STACK + 0xE80;
    uint16_t len = put_wtext(text, "\\??\\C:\\x");
    put_us(name, len, len, text);
    put_oa(oa, name, 0x40);
    ck_assert_str_eq(render(ARG_OBJECT_ATTRIBUTES, oa, false),
                     "0x0012fe00 {ObjectName=0x0012fe40 \"\\\\??\\\\C:\\\\x\", Attributes=OBJ_CASE_INSENSITIVE}");
    put_oa(oa, 0, 0x240);
    ck_assert_str_eq(render(ARG_OBJECT_ATTRIBUTES, oa, false), "0x0012fe00 {ObjectName=NULL, Attributes=OBJ_CASE_INSENSITIVE|OBJ_KERNEL_HANDLE}");
    put_oa(oa, HOLE, 0);
    ck_assert_str_eq(render(ARG_OBJECT_ATTRIBUTES, oa, false),
                     "0x0012fe00 {ObjectName=0x00020000 <unreadable>, Attributes=0x0}");
    put_us(name, 0xFFFF, 0xFFFF, BEYOND);
    put_oa(oa, name, 0xFFFFFFFFu);
    ck_assert_str_eq(render(ARG_OBJECT_ATTRIBUTES, oa, false),
                     "0x0012fe00 {ObjectName=0x0012fe40 <unreadable 0x00030000>, Attributes=OBJ_INHERIT|OBJ_PERMANENT|"
                     "OBJ_EXCLUSIVE|OBJ_CASE_INSENSITIVE|OBJ_OPENIF|OBJ_OPENLINK|OBJ_KERNEL_HANDLE|OBJ_FORCE_ACCESS_CHECK|"
                     "OBJ_IGNORE_IMPERSONATED_DEVICEMAP|OBJ_DONT_REPARSE|0xffffe00d}");
    /* ObjectName points back at the OBJECT_ATTRIBUTES: Length 24, Buffer = RootDirectory (0) */
    put_oa(oa, oa, 0);
    ck_assert_str_eq(render(ARG_OBJECT_ATTRIBUTES, oa, false),
                     "0x0012fe00 {ObjectName=0x0012fe00 <unreadable 0x00000000>, Attributes=0x0}");
    ck_assert_str_eq(render(ARG_OBJECT_ATTRIBUTES, 0, false), "NULL");
    ck_assert_str_eq(render(ARG_OBJECT_ATTRIBUTES, HOLE, false), "0x00020000 <unreadable>");
    ck_assert_str_eq(render(ARG_OBJECT_ATTRIBUTES, HOLE - 20, false), "0x0001ffec <unreadable>");
    ck_assert_str_eq(render(ARG_OBJECT_ATTRIBUTES, 0xFFFFFFF0u, false), "0xfffffff0 <unreadable>");
    /* the longest possible name still fits an argument's text */
    for (int i = 0; i < DECODE_MAX_TEXT; i++)
        poke16(text + 2u * (uint32_t)i, 0xABCD);
    put_us(name, 0xFFFE, 0xFFFE, text);
    put_oa(oa, name, 0);
    const char *s = render(ARG_OBJECT_ATTRIBUTES, oa, false);
    ck_assert_msg(strstr(s, "\\uabcd\"..., Attributes=0x0}") != NULL, "%s", s);
}
END_TEST

/* ------------------------------------------------------------------ other kinds */

START_TEST(scalars)
{
    ck_assert_str_eq(render(ARG_HANDLE, 0xFFFFFFFFu, false), "-1");
    ck_assert_str_eq(render(ARG_HANDLE, 0xFFFFFFFEu, false), "-2");
    ck_assert_str_eq(render(ARG_HANDLE, 0x7B8, false), "0x7b8");
    ck_assert_str_eq(render(ARG_HANDLE, 0, false), "0x0");
    ck_assert_str_eq(render(ARG_STATUS, 0xC0000008u, false), "0xc0000008 STATUS_INVALID_HANDLE");
    ck_assert_str_eq(render(ARG_STATUS, 0, false), "0x0 STATUS_SUCCESS");
    ck_assert_str_eq(render(ARG_STATUS, 0x12345678u, false), "0x12345678");
    ck_assert_str_eq(render(ARG_ULONG, 0xFFFFFFFFu, false), "4294967295");
    ck_assert_str_eq(render(ARG_ACCESS, 0x120089, false), "READ_CONTROL|SYNCHRONIZE|0x89");   /* no specific rights known */
    ck_assert_str_eq(render(ARG_PTR, 0, false), "NULL");
    ck_assert_str_eq(render(ARG_PTR, HOLE, true), "0x00020000");
    ck_assert_str_eq(render((enum arg_kind)999, 0x1234, false), "0x00001234");
}
END_TEST

START_TEST(io_status_block)
{
    uint32_t iosb = STACK + 0xF90;
    poke32(iosb, 0);
    poke32(iosb + 4, 512);
    ck_assert_str_eq(render(ARG_IO_STATUS, iosb, false), "0x0012ff90");
    ck_assert_str_eq(render(ARG_IO_STATUS, iosb, true), "0x0012ff90 {Status=STATUS_SUCCESS 0x0, Information=512}");
    poke32(iosb, 0xC0FFEE00u);
    poke32(iosb + 4, 0xFFFFFFFFu);
    ck_assert_str_eq(render(ARG_IO_STATUS, iosb, true), "0x0012ff90 {Status=0xc0ffee00, Information=4294967295}");
    ck_assert_str_eq(render(ARG_IO_STATUS, 0, false), "NULL");
    ck_assert_str_eq(render(ARG_IO_STATUS, 0, true), "NULL");
    ck_assert_str_eq(render(ARG_IO_STATUS, HOLE, false), "0x00020000");
    ck_assert_str_eq(render(ARG_IO_STATUS, HOLE, true), "0x00020000 <unreadable>");
    ck_assert_str_eq(render(ARG_IO_STATUS, HOLE - 4, true), "0x0001fffc <unreadable>");
    ck_assert_str_eq(render(ARG_IO_STATUS, 0xFFFFFFFCu, true), "0xfffffffc <unreadable>");
    ck_assert_str_eq(render(ARG_IO_STATUS, BEYOND, true), "0x00030000 <unreadable>");
}
END_TEST

START_TEST(buffers)
{
    uint32_t buf = STACK + 0xC00;
    poke(buf, "data\r\n\x00\xff", 8);
    ck_assert_str_eq(render_buf(ARG_BUFFER_IN, buf, 8, false), "0x0012fc00 \"data\\r\\n\\x00\\xff\"");
    ck_assert_str_eq(render_buf(ARG_BUFFER_IN, buf, 4, true), "0x0012fc00 \"data\"");
    ck_assert_str_eq(render_buf(ARG_BUFFER_IN, buf, 0, false), "0x0012fc00 \"\"");
    /* an output buffer shows nothing before the call, its contents after */
    ck_assert_str_eq(render_buf(ARG_BUFFER_OUT, buf, 8, false), "0x0012fc00");
    ck_assert_str_eq(render_buf(ARG_BUFFER_OUT, buf, 2, true), "0x0012fc00 \"da\"");
    ck_assert_str_eq(render_buf(ARG_BUFFER_IN, 0, 8, false), "NULL");
    ck_assert_str_eq(render_buf(ARG_BUFFER_OUT, 0, 8, true), "NULL");
    ck_assert_str_eq(render_buf(ARG_BUFFER_IN, HOLE, 1, false), "0x00020000 <unreadable 0x00020000>");
    ck_assert_str_eq(render_buf(ARG_BUFFER_OUT, HOLE - 2, 4, true), "0x0001fffe <unreadable 0x0001fffe>");
    ck_assert_str_eq(render_buf(ARG_BUFFER_IN, 0xFFFFFFFFu, 2, false), "0xffffffff <unreadable 0xffffffff>");
    /* huge lengths: at most DECODE_MAX_TEXT bytes are read */
    uint32_t va = HOLE - DECODE_MAX_TEXT;
    uint8_t b[DECODE_MAX_TEXT];
    memset(b, 'z', sizeof(b));
    poke(va, b, sizeof(b));
    char want[256];
    snprintf(want, sizeof(want), "0x%08x %s", va, repeated('z', DECODE_MAX_TEXT, "..."));
    ck_assert_str_eq(render_buf(ARG_BUFFER_IN, va, 0xFFFFFFFFu, false), want);
    ck_assert_str_eq(render_buf(ARG_BUFFER_OUT, va, 0x80000000u, true), want);

    /* the length argument is out of range, or missing */
    struct arg_proto a = { "Buffer", ARG_BUFFER_IN, 5 };
    uint32_t args[2] = { buf, 8 };
    char out[128];
    ck_assert_str_eq(arg_render(&plain, &a, args, 2, 0, false, out, sizeof(out)), "0x0012fc00 \"\"");
    a.length_arg = -1;
    ck_assert_str_eq(arg_render(&plain, &a, args, 2, 0, false, out, sizeof(out)), "0x0012fc00 \"\"");
}
END_TEST

START_TEST(large_integers_and_out_words)
{
    uint32_t li = STACK + 0xF70;
    poke32(li, 2);
    poke32(li + 4, 1);
    ck_assert_str_eq(render(ARG_LARGE_IN, li, false), "0x0012ff70 [0x0000000100000002]");
    ck_assert_str_eq(render(ARG_LARGE_OUT, li, false), "0x0012ff70");
    ck_assert_str_eq(render(ARG_LARGE_OUT, li, true), "0x0012ff70 [0x0000000100000002]");
    ck_assert_str_eq(render(ARG_LARGE_IN, 0, false), "NULL");
    ck_assert_str_eq(render(ARG_LARGE_OUT, 0, true), "NULL");
    ck_assert_str_eq(render(ARG_LARGE_IN, HOLE - 4, false), "0x0001fffc <unreadable>");
    ck_assert_str_eq(render(ARG_LARGE_OUT, HOLE, false), "0x00020000");
    ck_assert_str_eq(render(ARG_LARGE_OUT, HOLE, true), "0x00020000 <unreadable>");
    ck_assert_str_eq(render(ARG_LARGE_OUT, 0xFFFFFFFCu, true), "0xfffffffc <unreadable>");

    poke32(li, 0x44);
    ck_assert_str_eq(render(ARG_HANDLE_OUT, li, false), "0x0012ff70");
    ck_assert_str_eq(render(ARG_HANDLE_OUT, li, true), "0x0012ff70 [0x44]");
    ck_assert_str_eq(render(ARG_ULONG_OUT, li, true), "0x0012ff70 [0x44]");
    ck_assert_str_eq(render(ARG_ULONG_INOUT, li, false), "0x0012ff70 [0x44]");
    ck_assert_str_eq(render(ARG_HANDLE_OUT, 0, true), "NULL");
    ck_assert_str_eq(render(ARG_ULONG_INOUT, 0, false), "NULL");
    ck_assert_str_eq(render(ARG_HANDLE_OUT, HOLE - 2, true), "0x0001fffe <unreadable>");
    ck_assert_str_eq(render(ARG_ULONG_INOUT, BEYOND, false), "0x00030000 <unreadable>");
    ck_assert_str_eq(render(ARG_ULONG_OUT, 0xFFFFFFFEu, true), "0xfffffffe <unreadable>");
    ck_assert_str_eq(render(ARG_ULONG_OUT, HOLE, false), "0x00020000");
}
END_TEST

/* ------------------------------------------------------------------ flags by name, -X, -y */

static struct trace_call *new_call(const char *name, unsigned argc, enum trace_via via);

/* Argument 0 of kind k rendered (and decoded) under a style. */
static const char *render_styled(const struct decode_style *style, enum arg_kind k, uint32_t value, bool at_return)
{
    const struct decode_ctx d = { &view, style, 1 };
    struct arg_proto a = { "X", k, -1 };
    uint32_t args[1] = { value };
    return arg_render(&d, &a, args, 1, 0, at_return, rendered, sizeof(rendered));
}

static const char *decoded(const struct decode_style *style, enum arg_kind k, uint32_t value, bool at_return)
{
    const struct decode_ctx d = { &view, style, 1 };
    struct arg_proto a = { "X", k, -1 };
    uint32_t args[1] = { value };
    if (!arg_decoded(&d, &a, args, 1, 0, at_return, rendered, sizeof(rendered)))
        ck_assert_str_eq(rendered, "");
    return arg_decoded(&d, &a, args, 1, 0, at_return, rendered, sizeof(rendered)) ? rendered : NULL;
}

START_TEST(named_kinds_in_each_style)
{
    static const struct decode_style raw = { XLAT_RAW, 0, NULL }, verbose = { XLAT_VERBOSE, 0, NULL };
    static const struct { enum arg_kind kind; uint32_t value; const char *abbrev, *raw; } cases[] = {
        { ARG_ACCESS_FILE, 0xC0000000u, "GENERIC_READ|GENERIC_WRITE", "0xc0000000" },
        { ARG_ACCESS_FILE, 0x00100081u, "FILE_READ_DATA|FILE_READ_ATTRIBUTES|SYNCHRONIZE", "0x100081" },
        { ARG_ACCESS_EVENT, 0x001F0003u, "EVENT_ALL_ACCESS", "0x1f0003" },
        { ARG_ACCESS_PROCESS, 0x00000410u, "PROCESS_VM_READ|PROCESS_QUERY_INFORMATION", "0x410" },
        { ARG_ACCESS, 0x00000001u, "0x1", "0x1" },
        { ARG_DISPOSITION, 5, "FILE_OVERWRITE_IF", "5" },
        { ARG_DISPOSITION, 9, "9", "9" },
        { ARG_CREATE_OPTIONS, 96, "FILE_SYNCHRONOUS_IO_NONALERT|FILE_NON_DIRECTORY_FILE", "0x60" },
        { ARG_CREATE_OPTIONS, 0, "0", "0x0" },
        { ARG_SHARE, 0x81, "FILE_SHARE_READ|0x80", "0x81" },
        { ARG_FILE_ATTRIBUTES, 0x80, "FILE_ATTRIBUTE_NORMAL", "0x80" },
        { ARG_IOCTL, 2147491848u, "CTL_CODE(0x8000, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)", "0x80002008" },
        { ARG_MEM_TYPE, 0x3000, "MEM_COMMIT|MEM_RESERVE", "0x3000" },
        { ARG_PROTECT, 0x04, "PAGE_READWRITE", "0x4" },
        { ARG_FILE_INFO_CLASS, 4, "FileBasicInformation", "4" },
        { ARG_EVENT_TYPE, 1, "SynchronizationEvent", "1" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char want[600];
        ck_assert_str_eq(render_styled(NULL, cases[i].kind, cases[i].value, false), cases[i].abbrev);
        ck_assert_str_eq(render_styled(&raw, cases[i].kind, cases[i].value, false), cases[i].raw);
        if (!isdigit((unsigned char)cases[i].abbrev[0]))
            snprintf(want, sizeof(want), "%s /* %s */", cases[i].raw, cases[i].abbrev);
        else
            snprintf(want, sizeof(want), "%s", cases[i].raw);   /* nothing named: the number alone */
        ck_assert_str_eq(render_styled(&verbose, cases[i].kind, cases[i].value, false), want);
        ck_assert_str_eq(decoded(NULL, cases[i].kind, cases[i].value, false), cases[i].abbrev);
        ck_assert_ptr_null(decoded(&raw, cases[i].kind, cases[i].value, false));
    }
    /* what is not a flag has no decoded form */
    ck_assert_ptr_null(decoded(NULL, ARG_ULONG, 5, false));
    ck_assert_ptr_null(decoded(NULL, ARG_PTR, 5, false));
    ck_assert_ptr_null(decoded(NULL, ARG_HANDLE, 4, false));   /* no -y */
    ck_assert_str_eq(render_styled(&raw, ARG_STATUS, 0xC0000008u, false), "0xc0000008");
    ck_assert_str_eq(render_styled(&verbose, ARG_STATUS, 0xC0000008u, false), "0xc0000008 STATUS_INVALID_HANDLE");
    /* OldProtect: the word it points at, at the return */
    uint32_t word = STACK + 0xF70;
    poke32(word, 0x40);
    ck_assert_str_eq(render_styled(NULL, ARG_PROTECT_OUT, word, false), "0x0012ff70");
    ck_assert_str_eq(render_styled(NULL, ARG_PROTECT_OUT, word, true), "0x0012ff70 [PAGE_EXECUTE_READWRITE]");
    ck_assert_str_eq(render_styled(&raw, ARG_PROTECT_OUT, word, true), "0x0012ff70 [0x40]");
    ck_assert_str_eq(render_styled(NULL, ARG_PROTECT_OUT, HOLE, true), "0x00020000 <unreadable>");
    ck_assert_ptr_null(decoded(NULL, ARG_PROTECT_OUT, word, false));
    ck_assert_str_eq(decoded(NULL, ARG_PROTECT_OUT, word, true), "PAGE_EXECUTE_READWRITE");
    ck_assert_ptr_null(decoded(NULL, ARG_PROTECT_OUT, HOLE, true));
    /* OBJECT_ATTRIBUTES' attributes follow -X too */
    uint32_t oa = STACK + 0xE00;
    put_oa(oa, 0, 0x40);
    ck_assert_str_eq(render_styled(&raw, ARG_OBJECT_ATTRIBUTES, oa, false), "0x0012fe00 {ObjectName=NULL, Attributes=0x40}");
    ck_assert_str_eq(render_styled(&verbose, ARG_OBJECT_ATTRIBUTES, oa, false),
                     "0x0012fe00 {ObjectName=NULL, Attributes=0x40 /* OBJ_CASE_INSENSITIVE */}");
    put_oa(oa, 0, 0x1);
    ck_assert_str_eq(render_styled(NULL, ARG_OBJECT_ATTRIBUTES, oa, false), "0x0012fe00 {ObjectName=NULL, Attributes=0x1}");
}
END_TEST

START_TEST(handles_with_their_objects)
{
    static struct trace_handles map;
    memset(&map, 0, sizeof(map));
    trace_handles_add(&map, 1, 0x4, "File", "\\??\\C:\\tour.log");
    trace_handles_add(&map, 1, 0x8, "Event", "");
    trace_handles_add(&map, 2, 0x4, "File", "\\??\\C:\\other");   /* another process's 0x4 */
    trace_handles_add(&map, 7, 0x80000004u, "File", "\\??\\C:\\kernel");   /* a kernel handle: any process's */
    const struct decode_style y = { XLAT_ABBREV, 1, &map }, yy = { XLAT_ABBREV, 2, &map }, none = { XLAT_ABBREV, 0, &map };
    ck_assert_str_eq(render_styled(&y, ARG_HANDLE, 0x4, false), "0x4<\\??\\C:\\tour.log>");
    ck_assert_str_eq(render_styled(&y, ARG_HANDLE, 0x7, false), "0x7<\\??\\C:\\tour.log>");   /* tag bits */
    ck_assert_str_eq(render_styled(&y, ARG_HANDLE, 0x8, false), "0x8<Event>");
    ck_assert_str_eq(render_styled(&yy, ARG_HANDLE, 0x4, false), "0x4<File:\\??\\C:\\tour.log>");
    ck_assert_str_eq(render_styled(&yy, ARG_HANDLE, 0x8, false), "0x8<Event>");
    ck_assert_str_eq(render_styled(&y, ARG_HANDLE, 0x80000004u, false), "0x80000004<\\??\\C:\\kernel>");
    ck_assert_str_eq(render_styled(&y, ARG_HANDLE, 0xC, false), "0xc");
    ck_assert_str_eq(render_styled(&y, ARG_HANDLE, 0xFFFFFFFFu, false), "-1");
    ck_assert_str_eq(render_styled(&none, ARG_HANDLE, 0x4, false), "0x4");
    ck_assert_str_eq(decoded(&y, ARG_HANDLE, 0x4, false), "\\??\\C:\\tour.log");
    ck_assert_str_eq(decoded(&yy, ARG_HANDLE, 0x8, false), "Event");
    ck_assert_ptr_null(decoded(&y, ARG_HANDLE, 0xC, false));
    ck_assert_ptr_null(decoded(&none, ARG_HANDLE, 0x4, false));
    /* a handle a call returned, and a root directory */
    uint32_t out = STACK + 0xF70, oa = STACK + 0xE00;
    poke32(out, 0x8);
    ck_assert_str_eq(render_styled(&y, ARG_HANDLE_OUT, out, true), "0x0012ff70 [0x8<Event>]");
    ck_assert_str_eq(render_styled(&y, ARG_HANDLE_OUT, out, false), "0x0012ff70");
    ck_assert_str_eq(decoded(&y, ARG_HANDLE_OUT, out, true), "Event");
    ck_assert_ptr_null(decoded(&y, ARG_HANDLE_OUT, out, false));
    ck_assert_ptr_null(decoded(&y, ARG_HANDLE_OUT, HOLE, true));
    uint32_t oa_words[6] = { 24, 0x4, 0, 0x40, 0, 0 };
    poke(oa, oa_words, sizeof(oa_words));
    ck_assert_str_eq(render_styled(&y, ARG_OBJECT_ATTRIBUTES, oa, false),
                     "0x0012fe00 {RootDirectory=0x4<\\??\\C:\\tour.log>, ObjectName=NULL, Attributes=OBJ_CASE_INSENSITIVE}");
    ck_assert_str_eq(render_styled(NULL, ARG_OBJECT_ATTRIBUTES, oa, false),
                     "0x0012fe00 {RootDirectory=0x4, ObjectName=NULL, Attributes=OBJ_CASE_INSENSITIVE}");
}
END_TEST

/* A call's handle output and NtClose through the tracer's map, as trace_calls.c feeds it. */
START_TEST(handles_made_and_closed)
{
    static struct trace_handles map;
    memset(&map, 0, sizeof(map));
    uint32_t oa = STACK + 0xE00, name = STACK + 0xE40, text = STACK + 0xE80, out = STACK + 0xF70;
    uint16_t len = put_wtext(text, "\\??\\C:\\tour.log");
    put_us(name, len, len, text);
    put_oa(oa, name, 0x40);
    poke32(out, 0x4);
    struct trace_call *c = new_call("NtCreateFile", 11, VIA_SYSENTER);
    c->args[0] = out;
    c->args[2] = oa;
    trace_handles_note_made(&map, &view, c, 0xC0000034u);   /* failed: nothing made */
    ck_assert_ptr_null(trace_handles_find(&map, 1, 0x4));
    trace_handles_note_made(&map, &view, c, 0);
    const struct trace_handle *h = trace_handles_find(&map, 1, 0x4);
    ck_assert_ptr_nonnull(h);
    ck_assert_str_eq(h->type, "File");
    ck_assert_str_eq(h->name, "\\??\\C:\\tour.log");
    /* relative to it */
    len = put_wtext(text, "sub");
    put_us(name, len, len, text);
    uint32_t oa_words[6] = { 24, 0x4, name, 0x40, 0, 0 };
    poke(oa, oa_words, sizeof(oa_words));
    poke32(out, 0x8);
    c->name = "NtOpenFile";
    c->argc = 6;
    trace_handles_note_made(&map, &view, c, 0);
    ck_assert_str_eq(trace_handles_find(&map, 1, 0x8)->name, "\\??\\C:\\tour.log\\sub");
    /* an event with no name; a handle pointer that does not read */
    c->name = "NtCreateEvent";
    c->args[2] = 0;
    poke32(out, 0xC);
    trace_handles_note_made(&map, &view, c, 0);
    ck_assert_str_eq(trace_handles_find(&map, 1, 0xC)->type, "Event");
    ck_assert_str_eq(trace_handles_find(&map, 1, 0xC)->name, "");
    c->args[0] = HOLE;
    trace_handles_note_made(&map, &view, c, 0);
    /* NtClose forgets, when it succeeds */
    struct trace_call *close = new_call("NtClose", 1, VIA_SYSENTER);
    close->args[0] = 0x4;
    trace_handles_note_closed(&map, close, 0xC0000008u);
    ck_assert_ptr_nonnull(trace_handles_find(&map, 1, 0x4));
    trace_handles_note_closed(&map, close, 0);
    ck_assert_ptr_null(trace_handles_find(&map, 1, 0x4));
    ck_assert_ptr_nonnull(trace_handles_find(&map, 1, 0x8));
    free(close);
    free(c);
}
END_TEST

START_TEST(handle_map_full_and_names_cut)
{
    static struct trace_handles map;
    memset(&map, 0, sizeof(map));
    for (uint32_t i = 1; i <= TRACE_HANDLES_MAX + 10; i++)
        trace_handles_add(&map, 1, i * 4, "Event", "");
    unsigned known = 0;
    for (uint32_t i = 1; i <= TRACE_HANDLES_MAX + 10; i++)
        known += trace_handles_find(&map, 1, i * 4) != NULL;
    ck_assert_uint_eq(known, TRACE_HANDLES_MAX);
    ck_assert_ptr_nonnull(trace_handles_find(&map, 1, (TRACE_HANDLES_MAX + 10) * 4));   /* the newest is kept */
    char type[8];
    trace_handles_type_of("NtCreateNamedPipeFile", type, sizeof(type));
    ck_assert_str_eq(type, "File");
    trace_handles_type_of("NtOpenProcess", type, sizeof(type));
    ck_assert_str_eq(type, "Process");
    trace_handles_type_of("NtClose", type, sizeof(type));
    ck_assert_str_eq(type, "");
    trace_handles_type_of(NULL, type, sizeof(type));
    ck_assert_str_eq(type, "");
    /* a name longer than is kept ends in "..." */
    uint32_t oa = STACK + 0xE00, name = STACK + 0xE40, text = DATA, out = STACK + 0xF70;
    for (uint32_t i = 0; i < 0x7FFF; i++)
        poke16(text + 2 * i, i % 3 ? 'a' : 0x263A);
    put_us(name, 0xFFFE, 0xFFFE, text);
    put_oa(oa, name, 0);
    poke32(out, 0x10);
    struct trace_call *c = new_call("NtCreateFile", 11, VIA_SYSENTER);
    c->args[0] = out;
    c->args[2] = oa;
    memset(&map, 0, sizeof(map));
    trace_handles_note_made(&map, &view, c, 0);
    const char *kept = trace_handles_find(&map, 1, 0x10)->name;
    ck_assert_uint_lt(strlen(kept), TRACE_HANDLE_NAME);
    ck_assert_msg(!strncmp(kept, "\\u263aaa\\u263a", 14), "%s", kept);
    ck_assert_str_eq(kept + strlen(kept) - 3, "...");
    char text_out[TRACE_HANDLE_TEXT];
    ck_assert(trace_handles_describe(&map, 1, 0x10, 2, text_out, sizeof(text_out)));
    ck_assert_uint_lt(strlen(text_out), sizeof(text_out));
    free(c);
}
END_TEST

START_TEST(render_argument_out_of_range)
{
    struct arg_proto a = { "X", ARG_ULONG, -1 };
    uint32_t *args = malloc(2 * sizeof(uint32_t));   /* exactly two: ASan sees a third */
    ck_assert_ptr_nonnull(args);
    args[0] = 1;
    args[1] = 2;
    char out[64];
    ck_assert_str_eq(arg_render(&plain, &a, args, 2, 1, false, out, sizeof(out)), "2");
    ck_assert_str_eq(arg_render(&plain, &a, args, 2, 2, false, out, sizeof(out)), "?");
    ck_assert_str_eq(arg_render(&plain, &a, args, 0, 0, false, out, sizeof(out)), "?");
    free(args);
    /* no room at all: nothing written */
    out[0] = 'Z';
    ck_assert_ptr_eq(arg_render(&plain, &a, (uint32_t[]){ 1 }, 1, 0, false, out, 0), out);
    ck_assert_int_eq(out[0], 'Z');
}
END_TEST

START_TEST(every_kind_every_pointer_every_length)
{
    static const uint32_t ptrs[] = { 0, 1, 0xFFF, DATA, DATA + 0xFFF, HOLE - 1, HOLE - 8, HOLE, BEYOND, LASTPAGE,
                                     LASTPAGE + 0xFFC, LASTPAGE + 0xFFF, STACK + 0xFFC, KSEG0, KSEG0 + MEM_SIZE - 4,
                                     KSEG0 + MEM_SIZE, 0x7FFFFFFFu, 0xFFFFF000u, 0xFFFFFFF8u, 0xFFFFFFFFu };
    static const uint32_t lengths[] = { 0, 1, 2, 3, 95, 96, 97, 192, 193, 0xFFFF, 0x10000, 0x7FFFFFFFu, 0xFFFFFFFFu };
    static const size_t outlens[] = { 0, 1, 2, 11, 12, 15, 16, 17, 20, 24, 40, 100, 300, 600, 1024 };
    /* the pointed-at words are themselves hostile pointers and lengths */
    for (uint32_t va = DATA; va < HOLE; va += 4)
        poke32(va, ptrs[(va / 4) % (sizeof(ptrs) / 4)] ^ (va & 0x10 ? 0 : 0xFFFF0000u));
    for (int k = ARG_ULONG; k < ARG_KIND_COUNT; k++)
        for (size_t p = 0; p < sizeof(ptrs) / 4; p++)
            for (size_t l = 0; l < sizeof(lengths) / 4; l++)
                for (int at_return = 0; at_return < 2; at_return++)
                    for (size_t o = 0; o < sizeof(outlens) / sizeof(outlens[0]); o++)
                        render_len((enum arg_kind)k, ptrs[p], lengths[l], at_return, outlens[o]);
}
END_TEST

/* ------------------------------------------------------------------ prototypes and names */

/* The kind an argument's name says it has (its flags by name); fallback where the name says nothing. */
static enum arg_kind kind_by_name(const char *name, enum arg_kind fallback)
{
    static const struct { const char *name; enum arg_kind kind; } named[] = {
        { "CreateDisposition", ARG_DISPOSITION }, { "CreateOptions", ARG_CREATE_OPTIONS },
        { "OpenOptions", ARG_CREATE_OPTIONS }, { "ShareAccess", ARG_SHARE }, { "FileAttributes", ARG_FILE_ATTRIBUTES },
        { "IoControlCode", ARG_IOCTL }, { "FsControlCode", ARG_IOCTL }, { "AllocationType", ARG_MEM_TYPE },
        { "FreeType", ARG_MEM_TYPE }, { "Protect", ARG_PROTECT }, { "NewProtect", ARG_PROTECT },
        { "OldProtect", ARG_PROTECT_OUT }, { "FileInformationClass", ARG_FILE_INFO_CLASS },
        { "EventType", ARG_EVENT_TYPE },
    };
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        if (!strcmp(named[i].name, name))
            return named[i].kind;
    if (!strcmp(name, "DesiredAccess"))   /* an access mask, of whichever type */
        return fallback >= ARG_ACCESS_FILE && fallback <= ARG_ACCESS_PROCESS ? fallback : ARG_ACCESS;
    return fallback;
}

START_TEST(prototypes)
{
    ck_assert_ptr_null(proto_find(NULL));
    ck_assert_ptr_null(proto_find(""));
    ck_assert_ptr_null(proto_find("NtNoSuchService"));
    ck_assert_ptr_null(proto_find("ntreadfile"));
    const struct service_proto *p = proto_find("NtReadFile");
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(p->argc, 9);
    ck_assert_str_eq(p->args[5].name, "Buffer");
    ck_assert_int_eq(p->args[5].kind, ARG_BUFFER_OUT);
    ck_assert_int_eq(p->args[5].length_arg, 6);
    ck_assert(arg_is_output(ARG_IO_STATUS));
    ck_assert(!arg_is_output(ARG_BUFFER_IN));
    ck_assert(!arg_is_output(ARG_USTRING));

    /* every prototype agrees with the build's table, and is well formed */
    struct svc_table t;
    char err[256];
    ck_assert_msg(svc_table_load("data/nt-syscalls/5.1.2600-sp1-windows-xp.i386.ssdt.tsv", &t, err, sizeof(err)) == 0,
                  "%s", err);
    static const char *const known[] = {
        "NtClose", "NtDisplayString", "NtTerminateProcess", "NtQuerySystemTime", "NtQueryPerformanceCounter",
        "NtYieldExecution", "NtReadFile", "NtWriteFile", "NtCreateFile", "NtOpenFile", "NtDeviceIoControlFile",
        "NtQueryInformationFile", "NtCreateEvent", "NtSetEvent", "NtWaitForSingleObject", "NtDelayExecution",
        "NtAllocateVirtualMemory", "NtFreeVirtualMemory", "NtProtectVirtualMemory", "NtResetEvent", "NtClearEvent",
        "NtPulseEvent", "NtOpenEvent", "NtOpenProcess", "NtSetInformationFile", "NtFsControlFile",
        "NtQueryDirectoryFile", "NtQueryAttributesFile", "NtDeleteFile", "NtFlushBuffersFile",
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        p = proto_find(known[i]);
        ck_assert_msg(p != NULL, "%s has no prototype", known[i]);
        const struct svc_entry *e = svc_table_find(&t, known[i]);
        ck_assert_msg(e != NULL, "%s is not in the table", known[i]);
        ck_assert_msg(p->argc == e->argc, "%s: prototype has %u arguments, the table %u", known[i], p->argc, e->argc);
        ck_assert_uint_le(p->argc, PROTO_MAX_ARGS);
        for (unsigned a = 0; a < p->argc; a++) {
            ck_assert_msg(p->args[a].name && p->args[a].name[0], "%s: argument %u has no name", known[i], a);
            if (p->args[a].kind == ARG_BUFFER_IN || p->args[a].kind == ARG_BUFFER_OUT) {
                int l = p->args[a].length_arg;
                ck_assert_msg(l >= 0 && (unsigned)l < p->argc && p->args[l].kind == ARG_ULONG,
                              "%s: argument %u's length is not a ULONG argument", known[i], a);
            } else {
                ck_assert_int_eq(p->args[a].length_arg, -1);
            }
            ck_assert_msg(p->args[a].kind == kind_by_name(p->args[a].name, p->args[a].kind), "%s: %s is not decoded",
                          known[i], p->args[a].name);
        }
    }
    svc_table_free(&t);
}
END_TEST

#define STATUS_PAIR(s) { (uint32_t)(s), #s },
static const struct { uint32_t value; const char *name; } statuses[] = { NTSTATUS_NAMES(STATUS_PAIR) };

START_TEST(status_names)
{
    ck_assert_str_eq(ntstatus_name(0), "STATUS_SUCCESS");
    ck_assert_str_eq(ntstatus_name(0xC0000005u), "STATUS_ACCESS_VIOLATION");
    ck_assert_str_eq(ntstatus_name(0xC000001Cu), "STATUS_INVALID_SYSTEM_SERVICE");
    ck_assert_ptr_null(ntstatus_name(0xC0FFEE00u));
    ck_assert_ptr_null(ntstatus_name(0xFFFFFFFFu));
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        const char *n = ntstatus_name(statuses[i].value);
        ck_assert_ptr_nonnull(n);
        ck_assert_msg(!strncmp(n, "STATUS_", 7), "%s", n);
        /* a value may have two names; the one returned names the same value */
        size_t k;
        for (k = 0; k < sizeof(statuses) / sizeof(statuses[0]) && strcmp(statuses[k].name, n); k++)
            ;
        ck_assert_uint_lt(k, sizeof(statuses) / sizeof(statuses[0]));
        ck_assert_uint_eq(statuses[k].value, statuses[i].value);
    }
}
END_TEST

/* ------------------------------------------------------------------ calls, text and JSON */

/* A call in a malloc'd block of exactly its size (ASan sees reads past args[]). */
static struct trace_call *new_call(const char *name, unsigned argc, enum trace_via via)
{
    struct trace_call *c = calloc(1, sizeof(*c));
    ck_assert_ptr_nonnull(c);
    c->seq = 7;
    c->t_ns = 1000;
    c->via = via;
    c->prev_mode = via == VIA_KERNEL_ZW ? 0 : 1;
    c->cpl = via == VIA_KERNEL_ZW ? 0 : 3;
    c->pid = 1;
    c->tid = 1;
    c->name = name;
    c->argc = argc;
    c->args_ok = true;
    c->arg_ptr = 0x0012FF9Cu;
    c->return_rip = 0x7FFE0305u;
    return c;
}

static char *format(const struct trace_call *c, bool at_return, size_t len)
{
    char *buf = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(buf);
    buf[0] = 'Z';
    format_call(&view, c, at_return, buf, len);
    if (len)
        ck_assert_uint_lt(strnlen(buf, len), len);
    return buf;
}

START_TEST(text_lines)
{
    uint16_t len = put_wtext(STACK + 0xF00, "Hi\n");
    put_us(0x0012FFA8u, len, len, STACK + 0xF00);
    struct trace_call *c = new_call("NtDisplayString", 1, VIA_INT2E);
    c->args[0] = 0x0012FFA8u;
    struct capture cap;
    cap_open(&cap);
    emit_call_text(cap.f, &view, c, 0, false, false);
    emit_call_text(cap.f, &view, c, 0xC0000005u, false, true);
    emit_call_text(cap.f, &view, c, 0xC0FFEE00u, false, false);
    emit_call_text(cap.f, &view, c, 0, true, false);
    emit_unfinished_text(cap.f, &view, c);
    c->args_ok = false;
    c->arg_ptr = 0x80100000u;
    c->via = VIA_SYSENTER;
    emit_call_text(cap.f, &view, c, 0xC0000005u, false, false);
    ck_assert_str_eq(cap_close(&cap),
                     "[1:1 int2e] NtDisplayString(String=0x0012ffa8 \"Hi\\n\") = STATUS_SUCCESS (0x0)\n"
                     "[1:1 int2e] <... resumed> NtDisplayString(String=0x0012ffa8 \"Hi\\n\") = "
                     "STATUS_ACCESS_VIOLATION (0xc0000005)\n"
                     "[1:1 int2e] NtDisplayString(String=0x0012ffa8 \"Hi\\n\") = STATUS_UNKNOWN (0xc0ffee00)\n"
                     "[1:1 int2e] NtDisplayString(String=0x0012ffa8 \"Hi\\n\") = ? <unfinished: the guest ended>\n"
                     "[1:1 int2e] NtDisplayString(String=0x0012ffa8 \"Hi\\n\") <unfinished ...>\n"
                     "[1:1 sysenter] NtDisplayString(<arguments unreadable at 0x80100000>) = "
                     "STATUS_ACCESS_VIOLATION (0xc0000005)\n");
    free(cap.text);
    free(c);
}
END_TEST

START_TEST(format_known_unknown_and_invalid)
{
    /* a service whose prototype is not known: raw words */
    struct trace_call *c = new_call("NtCreateKey", 7, VIA_SYSENTER);
    for (unsigned i = 0; i < 7; i++)
        c->args[i] = i * 0x11111111u;
    char *s = format(c, false, 1024);
    ck_assert_str_eq(s, "NtCreateKey(arg=0x0, arg=0x11111111, arg=0x22222222, arg=0x33333333, arg=0x44444444, "
                        "arg=0x55555555, arg=0x66666666)");
    free(s);
    free(c);
    /* no name: out of the table's range */
    c = new_call(NULL, 0, VIA_INT2E);
    c->table = 1;
    c->index = 0xFFF;
    s = format(c, false, 64);
    ck_assert_str_eq(s, "service#1:0xFFF()");
    free(s);
    free(c);
    /* a known prototype with fewer arguments than the table says: the rest are raw */
    c = new_call("NtClose", 3, VIA_KERNEL_ZW);
    c->args[0] = 0xFFFFFFFFu;
    c->args[1] = 5;
    c->args[2] = 6;
    s = format(c, false, 256);
    ck_assert_str_eq(s, "NtClose(Handle=-1, arg=0x5, arg=0x6)");
    free(s);
    free(c);
    /* and more: NtReadFile's length argument is missing */
    c = new_call("NtReadFile", 6, VIA_INT2E);
    c->args[5] = STACK;
    s = format(c, true, 1024);
    ck_assert_str_eq(s, "NtReadFile(FileHandle=0x0, Event=0x0, ApcRoutine=NULL, ApcContext=NULL, IoStatusBlock=NULL, "
                        "Buffer=0x0012f000 \"\")");
    free(s);
    free(c);
}
END_TEST

START_TEST(format_too_many_arguments)
{
    /* argc from a table can exceed what a call holds: only args[] is read */
    struct trace_call *c = new_call("NtCreateKey", 200, VIA_INT2E);
    for (unsigned i = 0; i < TRACE_MAX_ARGS; i++)
        c->args[i] = i;
    char *s = format(c, false, 8192);
    ck_assert_msg(strstr(s, "arg=0x10, ...)") != NULL, "%s", s);
    free(s);
    struct capture cap;
    cap_open(&cap);
    emit_syscall_json(cap.f, &view, c, "x.exe");
    emit_sysret_json(cap.f, &view, c, 8, 2000, 0, 0x7FFE0305u, false);
    cap_close(&cap);
    ck_assert_int_eq(check_json_lines(cap.text, cap.len), 2);
    ck_assert(strstr(cap.text, "\"argc\":200") != NULL);
    ck_assert(strstr(cap.text, "\"raw\":\"0x00000010\"}]") != NULL);
    free(cap.text);
    free(c);
}
END_TEST

START_TEST(format_small_buffers)
{
    uint32_t oa = STACK + 0xE00, name = STACK + 0xE40, text = STACK + 0xE80;
    for (int i = 0; i < DECODE_MAX_TEXT; i++)
        poke16(text + 2u * (uint32_t)i, '\\');
    put_us(name, 0xFFFF, 0xFFFF, text);
    put_oa(oa, name, 0);
    struct trace_call *c = new_call("NtCreateFile", 11, VIA_INT2E);
    for (unsigned i = 0; i < 11; i++)
        c->args[i] = oa;
    for (size_t len = 0; len < 3000; len += len < 64 ? 1 : 61)
        free(format(c, true, len));
    free(c);
}
END_TEST

START_TEST(json_lines_for_hostile_calls)
{
    /* strings with every UTF-16 unit, names and images with every byte */
    uint32_t us = STACK + 0x100, text = DATA;
    for (uint32_t u = 0; u < 0x8000; u++)
        poke16(text + 2 * u, (uint16_t)(u * 0x1F3u + (u >> 7)));
    char hostile_name[256], hostile_image[256];
    for (int i = 0; i < 255; i++)
        hostile_name[i] = hostile_image[254 - i] = (char)(i + 1);
    hostile_name[255] = hostile_image[255] = '\0';

    struct capture cap;
    cap_open(&cap);
    int lines = 0;
    for (uint32_t start = 0; start < 0x10000; start += 2 * DECODE_MAX_TEXT - 2) {
        put_us(us, 0xFFFF, 0xFFFF, text + start);
        struct trace_call *c = new_call("NtDisplayString", 1, (enum trace_via)(start % 4));
        c->args[0] = us;
        emit_syscall_json(cap.f, &view, c, hostile_image);
        emit_sysret_json(cap.f, &view, c, 8, 500, 0xC0000005u, 0x7FFE0305u, false);
        lines += 2;
        free(c);
    }
    /* every known prototype, each argument a hostile pointer */
    static struct trace_handles map;
    memset(&map, 0, sizeof(map));
    for (uint32_t h = 0; h < 64; h++)
        trace_handles_add(&map, 1, h * 4, hostile_name + h, hostile_image + h);
    trace_handles_add(&map, 1, 0xFFFFFFFFu, "Process", "\"quoted\"");
    const struct decode_style styles[3] = { { XLAT_ABBREV, 1, &map }, { XLAT_RAW, 0, NULL }, { XLAT_VERBOSE, 2, &map } };
    static const uint32_t ptrs[] = { 0, HOLE - 2, BEYOND, 0xFFFFFFFFu, STACK + 0x100, DATA + 0x2000 };
    const char *const services[] = { "NtClose", "NtDisplayString", "NtTerminateProcess", "NtReadFile",
                                            "NtWriteFile", "NtCreateFile", "NtOpenFile", "NtDeviceIoControlFile",
                                            "NtQueryInformationFile", "NtCreateEvent", "NtSetEvent",
                                            "NtWaitForSingleObject", "NtDelayExecution", "NtQuerySystemTime",
                                            "NtAllocateVirtualMemory", "NtProtectVirtualMemory", "NtYieldExecution",
                                            "NtQueryPerformanceCounter", "NtFreeVirtualMemory", "NtCreateKey",
                                            "NtResetEvent", "NtClearEvent", "NtPulseEvent", "NtOpenEvent",
                                            "NtOpenProcess", "NtSetInformationFile", "NtFsControlFile",
                                            "NtQueryDirectoryFile", "NtQueryAttributesFile", "NtDeleteFile",
                                            "NtFlushBuffersFile",
                                            hostile_name, NULL };
    for (size_t s = 0; s < sizeof(services) / sizeof(services[0]); s++) {
        for (size_t p = 0; p < sizeof(ptrs) / 4; p++) {
            struct trace_call *c = new_call(services[s], TRACE_MAX_ARGS, VIA_SYSENTER);
            for (unsigned i = 0; i < TRACE_MAX_ARGS; i++)
                c->args[i] = i % 3 == 2 ? 0xFFFFFFFFu : ptrs[(p + i) % (sizeof(ptrs) / 4)];
            c->args_ok = p != 1;
            c->style = &styles[p % 3];   /* each -X, with -y and -yy over a map of hostile names */
            emit_syscall_json(cap.f, &view, c, p == 2 ? NULL : "hello.exe");
            emit_sysret_json(cap.f, &view, c, 9, 0, (uint32_t)p * 0x40000001u, 0xFFFFFFFFu, p == 3);
            lines += 2;
            free(c);
        }
    }
    cap_close(&cap);
    ck_assert_int_eq(check_json_lines(cap.text, cap.len), lines);
    free(cap.text);
}
END_TEST

START_TEST(json_exact_fields)
{
    uint16_t len = put_wtext(STACK + 0xF00, "Hi\n\"");
    put_us(0x0012FFA8u, len, len, STACK + 0xF00);
    struct trace_call *c = new_call("NtDisplayString", 1, VIA_INT2E);
    c->args[0] = 0x0012FFA8u;
    struct capture cap;
    cap_open(&cap);
    emit_syscall_json(cap.f, &view, c, "hello.exe");
    emit_sysret_json(cap.f, &view, c, 8, 1500, 0, 0x00401234u, false);
    emit_sysret_json(cap.f, &view, c, 9, 1600, 0, 0, true);
    cap_close(&cap);
    ck_assert_int_eq(check_json_lines(cap.text, cap.len), 3);
    ck_assert_str_eq(cap.text,
                     "{\"seq\":7,\"t_ns\":1000,\"vcpu\":0,\"ev\":\"syscall\",\"via\":\"int2e\",\"prev_mode\":\"User\","
                     "\"cpl\":3,\"pid\":1,\"tid\":1,\"image\":\"hello.exe\",\"table\":0,\"index\":0,"
                     "\"name\":\"NtDisplayString\",\"argc\":1,\"args_ok\":true,\"args\":[{\"name\":\"String\","
                     "\"raw\":\"0x0012ffa8\",\"value\":\"0x0012ffa8 \\\"Hi\\\\n\\\\\\\"\\\"\"}],"
                     "\"rip\":\"0x7ffe0305\"}\n"
                     "{\"seq\":8,\"t_ns\":1500,\"vcpu\":0,\"ev\":\"sysret\",\"call_seq\":7,\"via\":\"int2e\",\"pid\":1,"
                     "\"tid\":1,\"table\":0,\"index\":0,\"name\":\"NtDisplayString\",\"unfinished\":false,"
                     "\"status\":\"0x00000000\",\"status_name\":\"STATUS_SUCCESS\",\"duration_ns\":500,"
                     "\"args\":[{\"name\":\"String\",\"raw\":\"0x0012ffa8\"}],\"rip\":\"0x00401234\"}\n"
                     "{\"seq\":9,\"t_ns\":1600,\"vcpu\":0,\"ev\":\"sysret\",\"call_seq\":7,\"via\":\"int2e\",\"pid\":1,"
                     "\"tid\":1,\"table\":0,\"index\":0,\"name\":\"NtDisplayString\",\"unfinished\":true,"
                     "\"status\":null,\"status_name\":null}\n");
    free(cap.text);
    free(c);
}
END_TEST

/* -X and -y in JSON: "decoded" beside "raw" and "value", by name, without the number. */
START_TEST(json_decoded_names)
{
    static struct trace_handles map;
    memset(&map, 0, sizeof(map));
    trace_handles_add(&map, 1, 0x4, "File", "\\??\\C:\\x");
    const struct decode_style raw = { XLAT_RAW, 0, NULL }, y = { XLAT_ABBREV, 1, &map };
    uint32_t out = STACK + 0xF70;
    poke32(out, 0x4);
    struct trace_call *c = new_call("NtCreateFile", 11, VIA_SYSENTER);
    c->args[0] = out;
    c->args[1] = 0xC0000000u;
    c->args[7] = 5;
    c->args[8] = 0x60;
    struct capture cap;
    cap_open(&cap);
    emit_syscall_json(cap.f, &view, c, "tour.exe");
    c->style = &raw;
    emit_syscall_json(cap.f, &view, c, "tour.exe");
    c->style = &y;
    emit_sysret_json(cap.f, &view, c, 8, 1500, 0, 0x00401234u, false);
    cap_close(&cap);
    ck_assert_int_eq(check_json_lines(cap.text, cap.len), 3);
    char *second = strchr(cap.text, '\n') + 1, *third = strchr(second, '\n') + 1;
    second[-1] = third[-1] = '\0';
    ck_assert_msg(strstr(cap.text, "{\"name\":\"DesiredAccess\",\"raw\":\"0xc0000000\",\"value\":\"GENERIC_READ|GENERIC_WRITE\","
                                   "\"decoded\":\"GENERIC_READ|GENERIC_WRITE\"}") != NULL, "%s", cap.text);
    ck_assert_msg(strstr(cap.text, "{\"name\":\"CreateDisposition\",\"raw\":\"0x00000005\",\"value\":\"FILE_OVERWRITE_IF\","
                                   "\"decoded\":\"FILE_OVERWRITE_IF\"}") != NULL, "%s", cap.text);
    ck_assert_msg(strstr(cap.text, "{\"name\":\"FileHandle\",\"raw\":\"0x0012ff70\",\"value\":\"0x0012ff70\"}") != NULL,
                  "%s", cap.text);
    ck_assert_msg(strstr(second, "{\"name\":\"DesiredAccess\",\"raw\":\"0xc0000000\",\"value\":\"0xc0000000\"}") != NULL,
                  "%s", second);
    ck_assert_msg(strstr(second, "{\"name\":\"CreateOptions\",\"raw\":\"0x00000060\",\"value\":\"0x60\"}") != NULL,
                  "%s", second);
    ck_assert(!strstr(second, "decoded"));
    ck_assert_msg(strstr(third, "{\"name\":\"FileHandle\",\"raw\":\"0x0012ff70\",\"value\":\"0x0012ff70 [0x4<\\\\??\\\\C:\\\\x>]\","
                                "\"decoded\":\"\\\\??\\\\C:\\\\x\"}") != NULL, "%s", third);
    free(cap.text);
    free(c);
}
END_TEST

START_TEST(json_unknown_service_and_status)
{
    struct trace_call *c = new_call(NULL, 0, VIA_KERNEL_ZW);
    c->index = 284;
    c->args_ok = false;
    struct capture cap;
    cap_open(&cap);
    emit_syscall_json(cap.f, &view, c, "System");
    emit_sysret_json(cap.f, &view, c, 8, 10, 0xC0FFEE00u, 0x80101234u, false);
    cap_close(&cap);
    ck_assert_int_eq(check_json_lines(cap.text, cap.len), 2);
    ck_assert(strstr(cap.text, "\"via\":\"kernel-zw\",\"prev_mode\":\"Kernel\",\"cpl\":0") != NULL);
    ck_assert(strstr(cap.text, "\"index\":284,\"name\":null,\"argc\":0,\"args_ok\":false,\"args\":[]") != NULL);
    ck_assert(strstr(cap.text, "\"status\":\"0xc0ffee00\",\"status_name\":null,\"duration_ns\":18446744073709550626")
              != NULL);   /* t_ns before the call's: the subtraction wraps, and is still a number */
    free(cap.text);
    free(c);
    ck_assert_str_eq(trace_via_name(VIA_DIRECT), "direct");
    ck_assert_str_eq(trace_via_name((enum trace_via)42), "?");
}
END_TEST

/* ------------------------------------------------------------------ random garbage */

static uint32_t rng_state = 0x12345678u;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

START_TEST(random_memory_random_calls)
{
    static const uint32_t bases[] = { 0, DATA, HOLE - 0x100, BEYOND, LASTPAGE, STACK, KSEG0, 0xFFFFFF00u, 0x7FFE0000u };
    /* the data pages, the stack and the last page full of random words pointing near interesting places */
    for (uint32_t va = DATA; va < HOLE; va += 4)
        poke32(va, bases[rnd() % 9] + (rnd() % 0x300) - (rnd() & 1 ? 0x100 : 0));
    for (uint32_t va = STACK; va < STACK + 0x1000; va += 4)
        poke32(va, rnd() & 1 ? rnd() : bases[rnd() % 9] + (rnd() % 0x200));
    static const char *const services[] = { "NtDisplayString", "NtCreateFile", "NtOpenFile", "NtReadFile",
                                            "NtWriteFile", "NtDeviceIoControlFile", "NtQueryInformationFile",
                                            "NtCreateEvent", "NtAllocateVirtualMemory", "NtClose", NULL };
    struct capture cap;
    cap_open(&cap);
    for (int n = 0; n < 3000; n++) {
        const char *name = services[rnd() % (sizeof(services) / sizeof(services[0]))];
        struct trace_call *c = new_call(name, rnd() % (TRACE_MAX_ARGS + 1), (enum trace_via)(rnd() % 4));
        for (unsigned i = 0; i < TRACE_MAX_ARGS; i++)
            c->args[i] = rnd() & 1 ? bases[rnd() % 9] + (rnd() % 0x1000) : rnd();
        c->args_ok = rnd() % 8 != 0;
        emit_syscall_json(cap.f, &view, c, "r.exe");
        emit_sysret_json(cap.f, &view, c, 2, 3, rnd(), rnd(), rnd() % 5 == 0);
        char *s = format(c, rnd() & 1, 1 + rnd() % 4096);
        free(s);
        free(c);
    }
    cap_close(&cap);
    ck_assert_int_eq(check_json_lines(cap.text, cap.len), 6000);
    free(cap.text);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("decode");
    TCase *tc = tcase_create("json");
    tcase_add_test(tc, json_checker_self_test);
    tcase_add_test(tc, json_string_every_byte);
    tcase_add_test(tc, json_string_hostile_strings);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, utf16_plain_and_escaped);
    tcase_add_test(tc, utf16_empty_and_odd_lengths);
    tcase_add_test(tc, utf16_unreadable);
    tcase_add_test(tc, utf16_reads_no_more_than_length);
    tcase_add_test(tc, utf16_huge_length_reads_at_most_max_text);
    tcase_add_test(tc, utf16_wraps_around_4g);
    tcase_add_test(tc, utf16_small_output_buffers);
    tcase_add_test(tc, bytes_plain_escaped_and_bounded);
    tcase_add_test(tc, bytes_small_output_buffers);
    suite_add_tcase(s, tc);

    tc = tcase_create("arguments");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, ustring_valid);
    tcase_add_test(tc, ustring_bad_pointers);
    tcase_add_test(tc, ustring_bad_buffers);
    tcase_add_test(tc, object_attributes);
    tcase_add_test(tc, scalars);
    tcase_add_test(tc, io_status_block);
    tcase_add_test(tc, buffers);
    tcase_add_test(tc, large_integers_and_out_words);
    tcase_add_test(tc, render_argument_out_of_range);
    tcase_add_test(tc, named_kinds_in_each_style);
    tcase_add_test(tc, handles_with_their_objects);
    tcase_add_test(tc, handles_made_and_closed);
    tcase_add_test(tc, handle_map_full_and_names_cut);
    tcase_add_test(tc, every_kind_every_pointer_every_length);
    tcase_add_test(tc, prototypes);
    tcase_add_test(tc, status_names);
    suite_add_tcase(s, tc);

    tc = tcase_create("output");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, text_lines);
    tcase_add_test(tc, format_known_unknown_and_invalid);
    tcase_add_test(tc, format_too_many_arguments);
    tcase_add_test(tc, format_small_buffers);
    tcase_add_test(tc, json_lines_for_hostile_calls);
    tcase_add_test(tc, json_exact_fields);
    tcase_add_test(tc, json_decoded_names);
    tcase_add_test(tc, json_unknown_service_and_status);
    tcase_add_test(tc, random_memory_random_calls);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(suite());
}
