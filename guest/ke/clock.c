/*
 * The clock: PIT channel 0 interrupts every 10 ms on IRQ 0 (vector 0x30,
 * from KVM's in-kernel PIT and 8259). Each tick advances the interrupt time
 * that timeouts are measured in, expires timers, runs the DPCs they queued
 * (at DISPATCH_LEVEL, when the interrupted code was below it) and, when the
 * tick interrupted user mode, ends the quantum: round-robin to the next
 * runnable thread.
 */
#include "../inc/ke.h"
#include "../inc/hal.h"

volatile ULONG KeTickCount;
static volatile ULONGLONG KiInterruptTime;
extern KIRQL KiCurrentIrql;

void KeStartClock(void)
{
    KiSetInterruptGate(CLOCK_VECTOR, (PVOID)KiClockInterruptEntry);
    HalStartProfileClock(KE_CLOCK_INCREMENT);
    HalEnableInterrupt(0);
}

void NTAPI KiClockInterrupt(PKTRAP_FRAME TrapFrame)
{
    KIRQL interrupted = KiCurrentIrql;
    KiCurrentIrql = CLOCK2_LEVEL;
    KiInterruptTime += KE_CLOCK_INCREMENT;
    KeTickCount++;
    KiCheckTimers(KiInterruptTime);
    HalEndOfInterrupt(0);

    if (interrupted < DISPATCH_LEVEL) {
        KiCurrentIrql = DISPATCH_LEVEL;
        KiRetireDpcList();
    }
    KiCurrentIrql = interrupted;
    if (TrapFrame->SegCs & RPL_USER)
        KiQuantumEnd();
}

ULONGLONG NTAPI KeQueryInterruptTime(void)
{
    /* the clock interrupt cannot run between the two halves: the kernel runs with interrupts off */
    return KiInterruptTime;
}
