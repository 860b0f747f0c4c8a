/* Hardware abstraction: console, firmware exit, clocks. */
#ifndef GUEST_HAL_H
#define GUEST_HAL_H

#include "ntdef.h"

void HalInitializeConsole(void);
void HalInitializePic(void);
void HalDisplayString(const char *String);
void HalDisplayBuffer(const char *Buffer, ULONG Length);
void DbgPrint(const char *Format, ...) __attribute__((format(printf, 1, 2)));

/* Ends the machine: kind is NTV_EXIT_KIND_*, detail the full status or bugcheck code. */
__attribute__((noreturn)) void HalReturnToFirmware(ULONG Kind, ULONG Detail);

void HalInitializeClock(void);
/* 100 ns units since 1601-01-01, from the CMOS clock. */
LONGLONG HalQuerySystemTime(void);
ULONGLONG HalQueryPerformanceCounter(PULONGLONG Frequency);
/* PIT channel 0 as the clock: IRQ 0 every Increment (100 ns units). */
void HalStartProfileClock(ULONG Increment);
void HalEnableInterrupt(ULONG Irq);
void HalEndOfInterrupt(ULONG Irq);

#endif
