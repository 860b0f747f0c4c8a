/*
 * Clocks: the CMOS real-time clock for the system time, the TSC (calibrated
 * against PIT channel 2) for the performance counter.
 */
#include "../inc/arch.h"
#include "../inc/hal.h"

#define CMOS_ADDRESS 0x70
#define CMOS_DATA    0x71
#define PIT_HZ       1193182u
#define PIT_CH0      0x40
#define PIT_CH2      0x42
#define PIT_CONTROL  0x43
#define PIT_GATE     0x61

static ULONGLONG HalpTscFrequency;

static UCHAR HalpReadCmos(UCHAR Register)
{
    WRITE_PORT_UCHAR(CMOS_ADDRESS, Register);
    return READ_PORT_UCHAR(CMOS_DATA);
}

static ULONG HalpBcd(UCHAR v, BOOLEAN Binary)
{
    return Binary ? v : (ULONG)(v >> 4) * 10 + (v & 0x0F);
}

/* Days from 1601-01-01 to the given date (proleptic Gregorian). */
static ULONGLONG HalpDaysSince1601(ULONG Year, ULONG Month, ULONG Day)
{
    static const USHORT before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    ULONG y = Year - 1601;
    ULONGLONG days = (ULONGLONG)y * 365 + y / 4 - y / 100 + y / 400;
    BOOLEAN leap = (Year % 4 == 0 && Year % 100 != 0) || Year % 400 == 0;
    days += before[(Month - 1) % 12] + (Day - 1);
    if (leap && Month > 2)
        days++;
    return days;
}

LONGLONG HalQuerySystemTime(void)
{
    UCHAR sec, min, hour, day, mon, year, status;

    /* read twice until stable: the clock may tick between registers */
    do {
        while (HalpReadCmos(0x0A) & 0x80)
            ;
        sec = HalpReadCmos(0x00);
        min = HalpReadCmos(0x02);
        hour = HalpReadCmos(0x04);
        day = HalpReadCmos(0x07);
        mon = HalpReadCmos(0x08);
        year = HalpReadCmos(0x09);
    } while (sec != HalpReadCmos(0x00));

    status = HalpReadCmos(0x0B);
    BOOLEAN binary = (status & 0x04) != 0;
    BOOLEAN pm = (hour & 0x80) != 0;
    ULONG h = HalpBcd(hour & 0x7F, binary);
    if (!(status & 0x02)) {           /* 12-hour clock */
        h %= 12;
        if (pm)
            h += 12;
    }
    ULONG y = 2000 + HalpBcd(year, binary);
    ULONG m = HalpBcd(mon, binary), d = HalpBcd(day, binary);
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    ULONGLONG seconds = HalpDaysSince1601(y, m, d) * 86400ull + h * 3600ull +
                        HalpBcd(min, binary) * 60ull + HalpBcd(sec, binary);
    return (LONGLONG)(seconds * 10000000ull);
}

/* Count TSC ticks over ~10 ms of PIT channel 2 (gated through port 0x61). */
void HalInitializeClock(void)
{
    const ULONG pitTicks = PIT_HZ / 100;
    UCHAR gate = READ_PORT_UCHAR(PIT_GATE);

    WRITE_PORT_UCHAR(PIT_GATE, (gate & ~0x02) | 0x01);   /* gate on, speaker off */
    WRITE_PORT_UCHAR(PIT_CONTROL, 0xB0);                 /* ch2, lo/hi, mode 0 */
    WRITE_PORT_UCHAR(PIT_CH2, pitTicks & 0xFF);
    WRITE_PORT_UCHAR(PIT_CH2, pitTicks >> 8);

    ULONGLONG start = __rdtsc();
    ULONG spins = 0;
    while (!(READ_PORT_UCHAR(PIT_GATE) & 0x20) && ++spins < 50000000)
        ;
    ULONGLONG elapsed = __rdtsc() - start;
    WRITE_PORT_UCHAR(PIT_GATE, gate);

    HalpTscFrequency = elapsed * 100;
    if (HalpTscFrequency == 0)
        HalpTscFrequency = 1000000000ull;   /* no PIT: report the TSC as ~1 GHz */
}

ULONGLONG HalQueryPerformanceCounter(PULONGLONG Frequency)
{
    if (Frequency)
        *Frequency = HalpTscFrequency;
    return __rdtsc();
}

/* Channel 0, mode 2 (rate generator): IRQ 0 every Increment x 100 ns. */
void HalStartProfileClock(ULONG Increment)
{
    ULONG divisor = (ULONG)((ULONGLONG)PIT_HZ * Increment / 10000000ull);
    if (divisor < 2 || divisor > 0xFFFF)
        divisor = 0xFFFF;
    WRITE_PORT_UCHAR(PIT_CONTROL, 0x34);                 /* ch0, lo/hi, mode 2 */
    WRITE_PORT_UCHAR(PIT_CH0, divisor & 0xFF);
    WRITE_PORT_UCHAR(PIT_CH0, divisor >> 8);
}
