/*
 * Spin locks. One processor: holding a lock means running at
 * DISPATCH_LEVEL, which keeps every other holder (a thread, a DPC) from
 * running. The lock word still records its owner (the thread, low bit set),
 * so that acquiring a lock twice or releasing one not held stops the
 * system as a checked NT build would, instead of hanging.
 */
#include "../inc/ke.h"

static ULONG_PTR KiSpinLockOwner(void)
{
    return (ULONG_PTR)KeGetCurrentThread() | 1;
}

VOID NTAPI KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    *SpinLock = 0;
}

VOID FASTCALL KefAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    if (*SpinLock)
        KeBugCheckEx(SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)SpinLock, *SpinLock, 0, 0);
    *SpinLock = KiSpinLockOwner();
}

VOID FASTCALL KefReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    if (!*SpinLock)
        KeBugCheckEx(SPIN_LOCK_NOT_OWNED, (ULONG_PTR)SpinLock, 0, 0, 0);
    *SpinLock = 0;
}

KIRQL FASTCALL KfAcquireSpinLock(PKSPIN_LOCK SpinLock)
{
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    KefAcquireSpinLockAtDpcLevel(SpinLock);
    return old;
}

VOID FASTCALL KfReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    KefReleaseSpinLockFromDpcLevel(SpinLock);
    KfLowerIrql(NewIrql);
}
