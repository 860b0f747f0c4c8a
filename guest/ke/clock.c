/*
 * The clock: PIT channel 0 interrupts every 10 ms on IRQ 0 (vector 0x30,
 * from KVM's in-kernel PIT and 8259). Each tick advances the interrupt time
 * that timeouts are measured in; a waiting thread sleeps in HLT until one.
 */
#include "../inc/ke.h"
#include "../inc/hal.h"

volatile ULONG KeTickCount;
static volatile ULONGLONG KiInterruptTime;

void KeStartClock(void)
{
    KiSetInterruptGate(CLOCK_VECTOR, (PVOID)KiClockInterruptEntry);
    HalStartProfileClock(KE_CLOCK_INCREMENT);
    HalEnableInterrupt(0);
}

void NTAPI KiClockInterrupt(PKTRAP_FRAME TrapFrame)
{
    (void)TrapFrame;
    KiInterruptTime += KE_CLOCK_INCREMENT;
    KeTickCount++;
    HalEndOfInterrupt(0);
}

ULONGLONG NTAPI KeQueryInterruptTime(void)
{
    /* the clock interrupt cannot run between the two halves: the kernel runs with interrupts off */
    return KiInterruptTime;
}
