/* The CMOS real-time clock (ports 0x70/0x71), read-only, from the host's UTC clock. */
#ifndef NTVISOR_RTC_H
#define NTVISOR_RTC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct rtc {
    uint8_t index;
    time_t (*now)(void);     /* host clock; tests substitute their own */
};

void rtc_init(struct rtc *r);
bool rtc_handles(uint16_t port);
void rtc_io(struct rtc *r, uint16_t port, bool is_write, uint8_t *data);

#endif
