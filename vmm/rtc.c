/* CMOS RTC: BCD, 24-hour, never mid-update. Writes (setting the clock) are ignored. */
#include "rtc.h"

#define RTC_INDEX 0x70
#define RTC_DATA  0x71

static time_t host_now(void)
{
    return time(NULL);
}

void rtc_init(struct rtc *r)
{
    r->index = 0;
    r->now = host_now;
}

bool rtc_handles(uint16_t port)
{
    return port == RTC_INDEX || port == RTC_DATA;
}

static uint8_t bcd(int v)
{
    return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static uint8_t rtc_register(struct rtc *r, uint8_t index)
{
    time_t t = r->now();
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return 0;
    switch (index) {
    case 0x00: return bcd(tm.tm_sec > 59 ? 59 : tm.tm_sec);
    case 0x02: return bcd(tm.tm_min);
    case 0x04: return bcd(tm.tm_hour);
    case 0x06: return bcd(tm.tm_wday + 1);
    case 0x07: return bcd(tm.tm_mday);
    case 0x08: return bcd(tm.tm_mon + 1);
    case 0x09: return bcd(tm.tm_year % 100);
    case 0x32: return bcd((tm.tm_year + 1900) / 100);
    case 0x0A: return 0x26;   /* 32.768 kHz, 1024 Hz, no update in progress */
    case 0x0B: return 0x02;   /* 24-hour, BCD */
    case 0x0D: return 0x80;   /* battery good */
    default:   return 0;
    }
}

void rtc_io(struct rtc *r, uint16_t port, bool is_write, uint8_t *data)
{
    if (port == RTC_INDEX) {
        if (is_write)
            r->index = *data & 0x7F;   /* bit 7 is the NMI mask */
        else
            *data = 0xFF;
        return;
    }
    if (!is_write)
        *data = rtc_register(r, r->index);
}
