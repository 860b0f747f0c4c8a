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

volatile KSYSTEM_TIME KeTickCount;
static volatile ULONGLONG KiInterruptTime;
extern KIRQL KiCurrentIrql;

/* NT's order, so that a reader of the three fields (wdm.h's KeQueryTickCount) sees a consistent count. */
static void KiUpdateTickCount(void)
{
    ULONGLONG ticks = ((ULONGLONG)(ULONG)KeTickCount.High1Time << 32 | KeTickCount.LowPart) + 1;
    KeTickCount.High2Time = (LONG)(ticks >> 32);
    KeTickCount.LowPart = (ULONG)ticks;
    KeTickCount.High1Time = (LONG)(ticks >> 32);
}

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
    KiUpdateTickCount();
    KiCheckTimers(KiInterruptTime);
    HalEndOfInterrupt(0);

    if (interrupted < DISPATCH_LEVEL) {
        KiCurrentIrql = DISPATCH_LEVEL;
        KiRetireDpcList();
    }
    KiCurrentIrql = interrupted;
    if (KiUserTrap(TrapFrame))
        KiQuantumEnd();
}

ULONGLONG NTAPI KeQueryInterruptTime(void)
{
    /* the clock interrupt cannot run between the two halves: the kernel runs with interrupts off */
    return KiInterruptTime;
}

VOID NTAPI KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = HalQuerySystemTime();
}

ULONG NTAPI KeQueryTimeIncrement(void)
{
    return KE_CLOCK_INCREMENT;
}
