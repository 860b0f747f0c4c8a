/* Check suite for the emulated devices, driven through their port I/O
 * functions as the exit loop drives them: vmm/console.c (COM1, a 16550
 * for polled output) and vmm/rtc.c (CMOS clock, with a substituted clock).
 * Register numbers and bits are from the 16550 and MC146818 data sheets. */
#include <check.h>
#include "check_run.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmm/console.h"
#include "vmm/rtc.h"

#define COM1 0x3F8
enum { THR = 0, IER = 1, IIR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };
#define DLAB 0x80

/* ---------------------------------------------------------------- console */

static char *out_buf;
static size_t out_len;
static FILE *out;
static struct console con;

static void con_setup(void)
{
    out_buf = NULL;
    out_len = 0;
    out = open_memstream(&out_buf, &out_len);
    ck_assert_ptr_nonnull(out);
    memset(&con, 0xA5, sizeof(con));
    console_init(&con, out);
}

static void con_teardown(void)
{
    fclose(out);
    free(out_buf);
}

static void outb(unsigned reg, uint8_t v) { console_io(&con, (uint16_t)(COM1 + reg), true, &v); }

static uint8_t inb(unsigned reg)
{
    uint8_t v = 0x5A;
    console_io(&con, (uint16_t)(COM1 + reg), false, &v);
    return v;
}

static void outs(const char *s)
{
    while (*s)
        outb(THR, (uint8_t)*s++);
}

/* Everything written so far. */
static const char *output(void)
{
    ck_assert_int_eq(fflush(out), 0);
    return out_buf;
}

START_TEST(ports_handled)
{
    for (unsigned p = 0; p < 0x10000; p++)
        ck_assert_int_eq(console_handles((uint16_t)p), p >= 0x3F8 && p <= 0x3FF);
}
END_TEST

START_TEST(init_state)
{
    ck_assert_ptr_eq(con.out, out);
    ck_assert_uint_eq(con.bytes, 0);
    ck_assert_uint_eq(inb(LCR), 0x03);   /* 8N1, DLAB clear */
    ck_assert_uint_eq(inb(IER), 0);
    ck_assert_uint_eq(inb(MCR), 0);
    ck_assert_uint_eq(inb(SCR), 0);
}
END_TEST

START_TEST(thr_writes_reach_the_file)
{
    outs("Hello, NT!\n");
    ck_assert_str_eq(output(), "Hello, NT!\n");
    ck_assert_uint_eq(con.bytes, 11);
    outs("second line");
    ck_assert_str_eq(output(), "Hello, NT!\nsecond line");
    ck_assert_uint_eq(con.bytes, 22);
}
END_TEST

START_TEST(newline_flushes)
{
    outs("abc\n");
    /* no fflush by the test: the device flushed at the newline */
    ck_assert_uint_eq(out_len, 4);
    ck_assert(memcmp(out_buf, "abc\n", 4) == 0);
}
END_TEST

START_TEST(control_bytes_escaped)
{
    outs("a\tb\r\n");
    ck_assert_str_eq(output(), "a\tb\r\n");
    for (unsigned b = 0; b < 256; b++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        ck_assert_ptr_nonnull(f);
        console_put(f, (uint8_t)b);
        fclose(f);
        char want[8];
        if ((b >= 0x20 && b < 0x7F) || b == '\n' || b == '\t' || b == '\r')
            snprintf(want, sizeof(want), "%c", b);
        else
            snprintf(want, sizeof(want), "\\x%02x", b);
        ck_assert_uint_eq(len, strlen(want));
        ck_assert_msg(memcmp(buf, want, len) == 0, "byte 0x%02x", b);
        free(buf);
    }
}
END_TEST

START_TEST(escapes_count_as_one_byte)
{
    static const uint8_t bytes[] = { 0x00, 0x1b, '[', '1', 'm', 0x7f, 0x80, 0xff, 0x07, '\n' };
    for (size_t i = 0; i < sizeof(bytes); i++)
        outb(THR, bytes[i]);
    ck_assert_str_eq(output(), "\\x00\\x1b[1m\\x7f\\x80\\xff\\x07\n");
    ck_assert_uint_eq(con.bytes, sizeof(bytes));
}
END_TEST

START_TEST(dlab_diverts_to_divisor_latch)
{
    outs("A");
    outb(LCR, 0x80 | 0x03);
    outb(THR, 0x01);            /* divisor 0x0001 = 115200 baud */
    outb(IER, 0x00);
    ck_assert_uint_eq(inb(THR), 0x01);
    ck_assert_uint_eq(inb(IER), 0x00);
    outb(THR, 0x0C);
    outb(IER, 0x34);
    ck_assert_uint_eq(inb(THR), 0x0C);
    ck_assert_uint_eq(inb(IER), 0x34);
    ck_assert_uint_eq(inb(LCR), 0x83);
    outb(LCR, 0x03);
    /* the latch writes were not output, not counted, and did not touch IER */
    ck_assert_str_eq(output(), "A");
    ck_assert_uint_eq(con.bytes, 1);
    ck_assert_uint_eq(inb(IER), 0);
    ck_assert_uint_eq(inb(THR), 0);   /* RBR: nothing received */
    outs("B");
    ck_assert_str_eq(output(), "AB");
    ck_assert_uint_eq(con.bytes, 2);
    /* the latch keeps its value */
    outb(LCR, 0x83);
    ck_assert_uint_eq(inb(THR), 0x0C);
    ck_assert_uint_eq(inb(IER), 0x34);
}
END_TEST

START_TEST(status_registers)
{
    /* transmitter always empty: THRE | TEMT, no data ready */
    ck_assert_uint_eq(inb(LSR), 0x60);
    outs("xyz");
    ck_assert_uint_eq(inb(LSR), 0x60);
    outb(LCR, 0x83);
    ck_assert_uint_eq(inb(LSR), 0x60);
    ck_assert_uint_eq(inb(IIR), 0x01);   /* no interrupt pending */
    ck_assert_uint_eq(inb(MSR), 0xB0);   /* DCD, DSR, CTS */
    /* writes to the status registers change nothing */
    outb(LCR, 0x03);
    outb(LSR, 0x00);
    outb(MSR, 0x00);
    outb(IIR, 0xC7);                     /* FCR */
    ck_assert_uint_eq(inb(LSR), 0x60);
    ck_assert_uint_eq(inb(MSR), 0xB0);
    ck_assert_uint_eq(inb(IIR), 0x01);
    ck_assert_str_eq(output(), "xyz");
}
END_TEST

START_TEST(plain_registers)
{
    outb(IER, 0xFF);
    ck_assert_uint_eq(inb(IER), 0x0F);   /* four defined bits */
    outb(MCR, 0xFF);
    ck_assert_uint_eq(inb(MCR), 0x1F);   /* five defined bits */
    outb(SCR, 0xA7);
    ck_assert_uint_eq(inb(SCR), 0xA7);
    outb(LCR, 0x1B);
    ck_assert_uint_eq(inb(LCR), 0x1B);
    ck_assert_str_eq(output(), "");
    ck_assert_uint_eq(con.bytes, 0);
}
END_TEST

START_TEST(many_bytes)
{
    for (unsigned i = 0; i < 100000; i++)
        outb(THR, (uint8_t)('a' + i % 26));
    outb(THR, '\n');
    ck_assert_uint_eq(con.bytes, 100001);
    ck_assert_uint_eq(strlen(output()), 100001);
    ck_assert_int_eq(out_buf[25], 'z');
    ck_assert_int_eq(out_buf[26], 'a');
}
END_TEST

/* ---------------------------------------------------------------- RTC */

static time_t fake_time;
static unsigned clock_reads;
static time_t fake_now(void)
{
    clock_reads++;
    return fake_time;
}

static struct rtc rtc;

static void rtc_setup(void)
{
    memset(&rtc, 0xA5, sizeof(rtc));
    rtc_init(&rtc);
    ck_assert_ptr_nonnull(rtc.now);
    rtc.now = fake_now;
    fake_time = 1795442709;   /* 2026-11-23 14:05:09 UTC, a Monday */
    clock_reads = 0;
}

static uint8_t cmos(uint8_t index)
{
    uint8_t v = index, d = 0x5A;
    rtc_io(&rtc, 0x70, true, &v);
    rtc_io(&rtc, 0x71, false, &d);
    return d;
}

START_TEST(rtc_ports_handled)
{
    for (unsigned p = 0; p < 0x10000; p++)
        ck_assert_int_eq(rtc_handles((uint16_t)p), p == 0x70 || p == 0x71);
}
END_TEST

START_TEST(rtc_known_time_bcd)
{
    ck_assert_uint_eq(cmos(0x00), 0x09);   /* seconds */
    ck_assert_uint_eq(cmos(0x02), 0x05);   /* minutes */
    ck_assert_uint_eq(cmos(0x04), 0x14);   /* hours, 24-hour */
    ck_assert_uint_eq(cmos(0x06), 0x02);   /* day of week, Sunday = 1 */
    ck_assert_uint_eq(cmos(0x07), 0x23);   /* day of month */
    ck_assert_uint_eq(cmos(0x08), 0x11);   /* month */
    ck_assert_uint_eq(cmos(0x09), 0x26);   /* year */
    ck_assert_uint_eq(cmos(0x32), 0x20);   /* century */
    ck_assert_uint_gt(clock_reads, 0);
}
END_TEST

START_TEST(rtc_other_times)
{
    fake_time = 946684799;   /* 1999-12-31 23:59:59, Friday */
    ck_assert_uint_eq(cmos(0x00), 0x59);
    ck_assert_uint_eq(cmos(0x02), 0x59);
    ck_assert_uint_eq(cmos(0x04), 0x23);
    ck_assert_uint_eq(cmos(0x06), 0x06);
    ck_assert_uint_eq(cmos(0x07), 0x31);
    ck_assert_uint_eq(cmos(0x08), 0x12);
    ck_assert_uint_eq(cmos(0x09), 0x99);
    ck_assert_uint_eq(cmos(0x32), 0x19);
    fake_time = 946684800;   /* 2000-01-01 00:00:00, Saturday */
    ck_assert_uint_eq(cmos(0x00), 0x00);
    ck_assert_uint_eq(cmos(0x04), 0x00);
    ck_assert_uint_eq(cmos(0x06), 0x07);
    ck_assert_uint_eq(cmos(0x07), 0x01);
    ck_assert_uint_eq(cmos(0x08), 0x01);
    ck_assert_uint_eq(cmos(0x09), 0x00);
    ck_assert_uint_eq(cmos(0x32), 0x20);
    fake_time = 0;           /* 1970-01-01 00:00:00, Thursday */
    ck_assert_uint_eq(cmos(0x06), 0x05);
    ck_assert_uint_eq(cmos(0x09), 0x70);
    ck_assert_uint_eq(cmos(0x32), 0x19);
}
END_TEST

START_TEST(rtc_every_value_is_bcd)
{
    /* a day every ~7 days and a few seconds into it, over 100 years */
    for (time_t t = 946684800; t < 946684800 + 100LL * 366 * 86400; t += 7 * 86400 + 3677) {
        fake_time = t;
        struct tm tm;
        ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
        static const uint8_t regs[] = { 0x00, 0x02, 0x04, 0x06, 0x07, 0x08, 0x09, 0x32 };
        const int want[] = { tm.tm_sec, tm.tm_min, tm.tm_hour, tm.tm_wday + 1, tm.tm_mday,
                             tm.tm_mon + 1, tm.tm_year % 100, (tm.tm_year + 1900) / 100 };
        for (size_t i = 0; i < sizeof(regs); i++) {
            uint8_t v = cmos(regs[i]);
            ck_assert_msg((v & 0xF) <= 9 && (v >> 4) <= 9, "reg 0x%02x = 0x%02x", regs[i], v);
            ck_assert_int_eq((v >> 4) * 10 + (v & 0xF), want[i]);
        }
    }
}
END_TEST

START_TEST(rtc_status_registers)
{
    ck_assert_uint_eq(cmos(0x0A), 0x26);   /* UIP clear, 32.768 kHz base, 1024 Hz */
    ck_assert_uint_eq(cmos(0x0A) & 0x80, 0);
    ck_assert_uint_eq(cmos(0x0B), 0x02);   /* 24-hour, BCD (DM clear) */
    ck_assert_uint_eq(cmos(0x0D), 0x80);   /* valid RAM and time */
    ck_assert_uint_eq(cmos(0x0C), 0x00);   /* no interrupt flags */
    /* registers without a meaning here read as 0 */
    ck_assert_uint_eq(cmos(0x01), 0x00);   /* alarm seconds */
    ck_assert_uint_eq(cmos(0x0E), 0x00);
    ck_assert_uint_eq(cmos(0x10), 0x00);
    ck_assert_uint_eq(cmos(0x7F), 0x00);
}
END_TEST

START_TEST(rtc_nmi_bit_stripped)
{
    ck_assert_uint_eq(cmos(0x80 | 0x00), 0x09);
    ck_assert_uint_eq(cmos(0x80 | 0x04), 0x14);
    ck_assert_uint_eq(cmos(0x80 | 0x0B), 0x02);
    ck_assert_uint_eq(cmos(0x80 | 0x32), 0x20);
    ck_assert_uint_eq(rtc.index, 0x32);
    /* the index port reads as 0xFF and does not change the index */
    uint8_t v = 0;
    rtc_io(&rtc, 0x70, false, &v);
    ck_assert_uint_eq(v, 0xFF);
    ck_assert_uint_eq(rtc.index, 0x32);
}
END_TEST

START_TEST(rtc_writes_ignored)
{
    uint8_t v = 0x04;
    rtc_io(&rtc, 0x70, true, &v);
    v = 0x23;
    rtc_io(&rtc, 0x71, true, &v);      /* try to set the hour */
    ck_assert_uint_eq(v, 0x23);        /* the data byte is left alone */
    ck_assert_uint_eq(rtc.index, 0x04);
    uint8_t d = 0;
    rtc_io(&rtc, 0x71, false, &d);
    ck_assert_uint_eq(d, 0x14);
    /* status B cannot be switched to binary or 12-hour mode */
    v = 0x0B;
    rtc_io(&rtc, 0x70, true, &v);
    v = 0x04;
    rtc_io(&rtc, 0x71, true, &v);
    ck_assert_uint_eq(cmos(0x0B), 0x02);
    ck_assert_uint_eq(cmos(0x04), 0x14);
}
END_TEST

START_TEST(rtc_reads_the_clock_now)
{
    ck_assert_uint_eq(cmos(0x00), 0x09);
    fake_time += 1;
    ck_assert_uint_eq(cmos(0x00), 0x10);
    fake_time += 60;
    ck_assert_uint_eq(cmos(0x02), 0x06);
}
END_TEST

START_TEST(rtc_init_uses_host_clock)
{
    struct rtc r;
    memset(&r, 0xA5, sizeof(r));
    rtc_init(&r);
    ck_assert_uint_eq(r.index, 0);
    time_t before = time(NULL);
    time_t got = r.now();
    time_t after = time(NULL);
    ck_assert(got >= before && got <= after);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("devices");
    TCase *tc = tcase_create("console");
    tcase_add_checked_fixture(tc, con_setup, con_teardown);
    tcase_add_test(tc, ports_handled);
    tcase_add_test(tc, init_state);
    tcase_add_test(tc, thr_writes_reach_the_file);
    tcase_add_test(tc, newline_flushes);
    tcase_add_test(tc, control_bytes_escaped);
    tcase_add_test(tc, escapes_count_as_one_byte);
    tcase_add_test(tc, dlab_diverts_to_divisor_latch);
    tcase_add_test(tc, status_registers);
    tcase_add_test(tc, plain_registers);
    tcase_add_test(tc, many_bytes);
    suite_add_tcase(s, tc);

    tc = tcase_create("rtc");
    tcase_add_checked_fixture(tc, rtc_setup, NULL);
    tcase_add_test(tc, rtc_ports_handled);
    tcase_add_test(tc, rtc_known_time_bcd);
    tcase_add_test(tc, rtc_other_times);
    tcase_add_test(tc, rtc_every_value_is_bcd);
    tcase_add_test(tc, rtc_status_registers);
    tcase_add_test(tc, rtc_nmi_bit_stripped);
    tcase_add_test(tc, rtc_writes_ignored);
    tcase_add_test(tc, rtc_reads_the_clock_now);
    tcase_add_test(tc, rtc_init_uses_host_clock);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(suite());
}
