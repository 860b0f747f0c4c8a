/*
 * IRQL. One processor, and the kernel runs with interrupts off, so IRQL is
 * the kernel's own bookkeeping of what may run: at DISPATCH_LEVEL and above
 * no thread switch and no pageable work (file services bugcheck, as NT's
 * would when they touch paged memory); DPCs run when IRQL falls below
 * DISPATCH_LEVEL.
 */
#include "../inc/ke.h"

KIRQL KiCurrentIrql = PASSIVE_LEVEL;

KIRQL NTAPI KeGetCurrentIrql(void)
{
    return KiCurrentIrql;
}

VOID NTAPI KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    if (NewIrql < KiCurrentIrql)
        KeBugCheckEx(IRQL_NOT_GREATER_OR_EQUAL, KiCurrentIrql, NewIrql, 0, (ULONG_PTR)__builtin_return_address(0));
    *OldIrql = KiCurrentIrql;
    KiCurrentIrql = NewIrql;
}

KIRQL NTAPI KeRaiseIrqlToDpcLevel(void)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    return old;
}

VOID NTAPI KeLowerIrql(KIRQL NewIrql)
{
    if (NewIrql > KiCurrentIrql)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, 0, KiCurrentIrql, NewIrql, (ULONG_PTR)__builtin_return_address(0));
    if (NewIrql < DISPATCH_LEVEL && KiCurrentIrql >= DISPATCH_LEVEL) {
        KiCurrentIrql = DISPATCH_LEVEL;
        KiRetireDpcList();
    }
    KiCurrentIrql = NewIrql;
}

KIRQL NTAPI KeRaiseIrqlToSynchLevel(void)
{
    KIRQL old;
    KeRaiseIrql(SYNCH_LEVEL, &old);
    return old;
}

/* hal.dll's forms: wdm.h's KeRaiseIrql(a, b) is *(b) = KfRaiseIrql(a), KeLowerIrql(a) KfLowerIrql(a). */
KIRQL FASTCALL KfRaiseIrql(KIRQL NewIrql)
{
    KIRQL old;
    KeRaiseIrql(NewIrql, &old);
    return old;
}

VOID FASTCALL KfLowerIrql(KIRQL NewIrql)
{
    KeLowerIrql(NewIrql);
}
