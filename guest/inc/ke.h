/* Kernel core (Ke/Ki): trap frames, threads, system service tables. */
/* ntvisor kd mirrors KTRAP_FRAME, KTHREAD, KSERVICE_TABLE_DESCRIPTOR and EPROCESS in
   kd/kd_layout.h; tests/kd_layout_check.c fails the build if they drift apart. */
#ifndef GUEST_KE_H
#define GUEST_KE_H

#include "arch.h"   /* i386.h or amd64.h: KTRAP_FRAME, selectors, intrinsics */
#include <nt/layout.h>   /* IDT_SYSTEM_SERVICE, SERVICE_NUMBER_MASK, SERVICE_TABLE_SHIFT/MASK, KTSS_ESP0 */

#define KTHREAD_PREVIOUS_MODE      0x00   /* offset of KTHREAD.PreviousMode */

/* KSERVICE_TABLE_DESCRIPTOR: Base, Count, Limit, Number (argument table), pointer-sized but Limit */
#define KSERVICE_TABLE_BASE        0x00
#if defined(__x86_64__)
#define KSERVICE_TABLE_LIMIT       0x10
#define KSERVICE_TABLE_NUMBER      0x18
#else
#define KSERVICE_TABLE_LIMIT       0x08
#define KSERVICE_TABLE_NUMBER      0x0C
#endif
#define NUMBER_SERVICE_TABLES      4

#define PRIMARY_VECTOR_BASE        0x30   /* the 8259s are remapped here: IRQ n -> 0x30 + n */
#define CLOCK_VECTOR               PRIMARY_VECTOR_BASE
#define IDT_ENTRIES                256

#ifndef __ASSEMBLER__
#include "ntapidef.h"

struct _EPROCESS;

typedef struct _KTHREAD {
    KPROCESSOR_MODE PreviousMode;   /* must stay at offset 0: trap.S */
    UCHAR Spare[3];
    struct _EPROCESS *Process;
    ULONG ThreadId;
    PVOID InitialStack;             /* top of the kernel stack (TSS.Esp0) */
    PKTRAP_FRAME TrapFrame;         /* last frame from user mode */
} KTHREAD, *PKTHREAD;

typedef struct _KSERVICE_TABLE_DESCRIPTOR {
    PULONG Base;      /* KiServiceTable */
    PULONG Count;     /* per-service call counts (checked builds only) */
    ULONG  Limit;     /* number of services */
    PUCHAR Number;    /* KiArgumentTable: argument bytes per service */
} KSERVICE_TABLE_DESCRIPTOR, *PKSERVICE_TABLE_DESCRIPTOR;

_Static_assert(sizeof(KSERVICE_TABLE_DESCRIPTOR) == KSERVICE_TABLE_DESCRIPTOR_LENGTH, "KSERVICE_TABLE_DESCRIPTOR");

extern KSERVICE_TABLE_DESCRIPTOR KeServiceDescriptorTable[NUMBER_SERVICE_TABLES];
extern ULONG KiServiceTable[];
extern UCHAR KiArgumentTable[];
extern ULONG KiServiceLimit;
extern PKTHREAD KiCurrentThread;

/* trap.S */
extern void KiFastCallEntry(void);
extern void *KiTrapHandlers[32];

/* ke/i386/cpu.c */


/* ke/trap.c */
void KiTrapDispatch(PKTRAP_FRAME TrapFrame);
BOOLEAN KiFixupException(PKTRAP_FRAME TrapFrame);

/* ke/bugcheck.c */
#define KMODE_EXCEPTION_NOT_HANDLED         0x1E
#define IRQL_NOT_GREATER_OR_EQUAL           0x09
#define IRQL_NOT_LESS_OR_EQUAL              0x0A
#define PAGE_FAULT_IN_NONPAGED_AREA         0x50
#define PHASE0_INITIALIZATION_FAILED        0x31
#define PROCESS1_INITIALIZATION_FAILED      0x6B
#define UNEXPECTED_KERNEL_MODE_TRAP         0x7F
#define KERNEL_MODE_EXCEPTION_NOT_HANDLED   0x8E
#define BAD_POOL_CALLER                     0xC2
#define WORKER_RETURNED_AT_BAD_IRQL         0xE1
#define NO_MORE_IRP_STACK_LOCATIONS         0x35
#define MULTIPLE_IRP_COMPLETE_REQUESTS      0x44
#define SPIN_LOCK_ALREADY_OWNED             0x0F
#define SPIN_LOCK_NOT_OWNED                 0x10
__attribute__((noreturn)) void NTAPI KeBugCheckEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4);
__attribute__((noreturn)) void NTAPI KeBugCheck(ULONG Code);
__attribute__((noreturn)) void KeBugCheckWithTf(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, PKTRAP_FRAME TrapFrame);

/* ke/sysstub.c */
typedef enum { SyscallAuto, SyscallInt2e, SyscallSysenter, SyscallSyscall } KI_SYSCALL_MECHANISM;
/* The mechanism the kernel uses for a request: never SyscallAuto; says so when it cannot honour it. */
KI_SYSCALL_MECHANISM KiSelectSystemCallMechanism(KI_SYSCALL_MECHANISM Requested);
void KiLoadFastSyscallMachineSpecificRegisters(KI_SYSCALL_MECHANISM Mechanism);
void KiInitializeUserSharedData(KI_SYSCALL_MECHANISM Mechanism);

/* ke/clock.c: the clock interrupt, every KE_CLOCK_INCREMENT of interrupt time */
#define KE_CLOCK_INCREMENT   100000       /* 100 ns units: 10 ms, NT's classic tick */
/* KeTickCount: clock ticks since boot, as NT's KSYSTEM_TIME (wdm.h's KeQueryTickCount reads it) */
typedef struct _KSYSTEM_TIME {
    ULONG LowPart;
    LONG High1Time;         /* written before LowPart, High2Time after: a reader retries until they agree */
    LONG High2Time;
} KSYSTEM_TIME, *PKSYSTEM_TIME;
extern volatile KSYSTEM_TIME KeTickCount;
void KeStartClock(void);
void NTAPI KiClockInterrupt(PKTRAP_FRAME TrapFrame);
/* 100 ns units since the clock started. */
ULONGLONG NTAPI KeQueryInterruptTime(void);
VOID NTAPI KeQuerySystemTime(PLARGE_INTEGER CurrentTime);
ULONG NTAPI KeQueryTimeIncrement(void);
/*
 * ex/time.c: hal.dll's performance counter for drivers. wdm.h returns a
 * LARGE_INTEGER, in EDX:EAX under the Windows ABI; gcc's i386 ABI would
 * return a union through memory, so the kernel says LONGLONG (the same registers).
 */
LONGLONG NTAPI KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency);

/* ke/event.c and ke/wait.c: dispatcher objects and waiting on them */
/*
 * The kernel objects below are those drivers embed in their own memory, so
 * they have wdm.h's layout and size, i386's and x64's (checked at build time
 * against mingw-w64's headers: mk/ddk-layout.mk, make guest64-check).
 */
typedef enum _KOBJECTS {
    EventNotificationObject = 0, EventSynchronizationObject = 1,
    TimerNotificationObject = 8, TimerSynchronizationObject = 9,
    DpcObject = 19,
} KOBJECTS;

typedef struct _DISPATCHER_HEADER {
    UCHAR Type;             /* KOBJECTS */
    UCHAR Absolute;
    UCHAR Size;             /* in LONGs */
    UCHAR Inserted;         /* a timer: in the timer list */
    LONG SignalState;
    LIST_ENTRY WaitListHead;   /* no wait blocks here: waiters poll (ke/wait.c); kept empty */
} DISPATCHER_HEADER;

typedef struct _KEVENT {
    DISPATCHER_HEADER Header;
} KEVENT, *PKEVENT;

VOID NTAPI KeInitializeEvent(PKEVENT Event, EVENT_TYPE Type, BOOLEAN State);
LONG NTAPI KeSetEvent(PKEVENT Event, LONG Increment, BOOLEAN Wait);
LONG NTAPI KeResetEvent(PKEVENT Event);
VOID NTAPI KeClearEvent(PKEVENT Event);
LONG NTAPI KeReadStateEvent(PKEVENT Event);
/*
 * Waits until Object is signalled (STATUS_SUCCESS; a synchronization event
 * is reset as it satisfies the wait) or Timeout passes (STATUS_TIMEOUT).
 * Timeout: NULL waits forever, negative is relative, positive an absolute
 * system time, both in 100 ns units. The processor sleeps (STI; HLT) between
 * clock ticks.
 */
NTSTATUS NTAPI KeWaitForSingleObject(PVOID Object, ULONG WaitReason, KPROCESSOR_MODE WaitMode,
                                     BOOLEAN Alertable, PLARGE_INTEGER Timeout);
NTSTATUS NTAPI KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval);

/* ---- IRQL (ke/irql.c): a processor's interrupt request level, as NT's software view of it */
typedef UCHAR KIRQL, *PKIRQL;
#define SYNCH_LEVEL     DISPATCH_LEVEL   /* one processor */
#define PASSIVE_LEVEL   0
#define APC_LEVEL       1
#define DISPATCH_LEVEL  2
#define CLOCK2_LEVEL    28
#define HIGH_LEVEL      31
KIRQL NTAPI KeGetCurrentIrql(void);
/* Raising below the current level is IRQL_NOT_GREATER_OR_EQUAL; lowering above it IRQL_NOT_LESS_OR_EQUAL. */
VOID NTAPI KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql);
/* Lowering below DISPATCH_LEVEL runs the DPCs queued meanwhile. */
VOID NTAPI KeLowerIrql(KIRQL NewIrql);
KIRQL NTAPI KeRaiseIrqlToDpcLevel(void);
KIRQL NTAPI KeRaiseIrqlToSynchLevel(void);
/* hal.dll's fastcall forms, which wdm.h's KeRaiseIrql/KeLowerIrql macros call */
KIRQL FASTCALL KfRaiseIrql(KIRQL NewIrql);
VOID FASTCALL KfLowerIrql(KIRQL NewIrql);

/* Spin locks (ke/spinlock.c): one processor, so a lock is the IRQL raise plus an owner check. */
VOID NTAPI KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
KIRQL FASTCALL KfAcquireSpinLock(PKSPIN_LOCK SpinLock);
VOID FASTCALL KfReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
VOID FASTCALL KefAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
VOID FASTCALL KefReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);
/* wdm.h's i386 macros over them */
#define KeAcquireSpinLock(SpinLock, OldIrql)     (*(OldIrql) = KfAcquireSpinLock(SpinLock))
#define KeReleaseSpinLock(SpinLock, NewIrql)     KfReleaseSpinLock(SpinLock, NewIrql)
#define KeAcquireSpinLockAtDpcLevel(SpinLock)    KefAcquireSpinLockAtDpcLevel(SpinLock)
#define KeReleaseSpinLockFromDpcLevel(SpinLock)  KefReleaseSpinLockFromDpcLevel(SpinLock)

/* ---- DPCs (ke/dpc.c): run at DISPATCH_LEVEL, after the clock interrupt or when IRQL drops */
struct _KDPC;
typedef VOID (NTAPI *PKDEFERRED_ROUTINE)(struct _KDPC *Dpc, PVOID DeferredContext, PVOID SystemArgument1,
                                         PVOID SystemArgument2);
typedef struct _KDPC {
    UCHAR Type;                     /* DpcObject */
    UCHAR Importance;
    USHORT Number;
    LIST_ENTRY DpcListEntry;        /* in the DPC queue while DpcData is set */
    PKDEFERRED_ROUTINE DeferredRoutine;
    PVOID DeferredContext, SystemArgument1, SystemArgument2;
    PVOID DpcData;                  /* the queue it is in, NULL when not queued (NT 5.2's meaning) */
} KDPC, *PKDPC;
#define MediumImportance 1
VOID NTAPI KeInitializeDpc(PKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext);
/* FALSE if the DPC was already queued. */
BOOLEAN NTAPI KeInsertQueueDpc(PKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2);
/* FALSE if it was not queued. */
BOOLEAN NTAPI KeRemoveQueueDpc(PKDPC Dpc);
void KiRetireDpcList(void);

/* ---- timers (ke/timer.c): a dispatcher object signalled at its due time, optionally queueing a DPC */
typedef enum _TIMER_TYPE { NotificationTimer = 0, SynchronizationTimer = 1 } TIMER_TYPE;
typedef struct _KTIMER {
    DISPATCHER_HEADER Header;       /* Header.Inserted: in the timer list */
    ULARGE_INTEGER DueTime;         /* interrupt time */
    LIST_ENTRY TimerListEntry;
    PKDPC Dpc;
#if defined(__x86_64__)
    ULONG Processor;                /* wdm.h's x64 layout */
#endif
    LONG Period;                    /* ms; 0: one-shot */
} KTIMER, *PKTIMER;
VOID NTAPI KeInitializeTimer(PKTIMER Timer);
VOID NTAPI KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type);
/* DueTime: negative relative, positive absolute (100 ns). TRUE if the timer was already set. */
BOOLEAN NTAPI KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc);
/* Period (ms): after the first expiry the timer is set again that far ahead, until cancelled. */
BOOLEAN NTAPI KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc);
BOOLEAN NTAPI KeCancelTimer(PKTIMER Timer);
BOOLEAN NTAPI KeReadStateTimer(PKTIMER Timer);
/* From the clock interrupt: expire due timers. */
void KiCheckTimers(ULONGLONG InterruptTime);
ULONGLONG KiDueTimeToInterruptTime(LONGLONG DueTime);

/* ---- threads and the dispatcher (ke/thrdobj.c, ke/dispatch.c) */
typedef enum _KTHREAD_STATE { Initialized = 0, Ready = 1, Running = 2, Waiting = 5, Terminated = 4 } KTHREAD_STATE;

/*
 * What the dispatcher keeps per thread. NT keeps these in KTHREAD itself;
 * here they follow it (ETHREAD's second member), so that KTHREAD keeps the
 * layout kd mirrors (kd/kd_layout.h). Every thread is an ETHREAD.
 */
typedef struct _KSCHEDULING_STATE {
    ULONG_PTR KernelStack;          /* saved stack pointer while switched out */
    UCHAR State;                    /* KTHREAD_STATE */
    KIRQL WaitIrql;
    UCHAR Spare[2];
    PVOID WaitObject;               /* what a Waiting thread waits for; NULL: only a deadline */
    ULONGLONG WaitDeadline;         /* interrupt time, or ~0 */
    ULONG_PTR DirectoryTableBase;   /* its process's top-level page table, loaded on a switch */
    struct _KTHREAD *NextThread;    /* every thread, in creation order: the round-robin ring */
} KSCHEDULING_STATE, *PKSCHEDULING_STATE;
#define KiThreadScheduling(t) ((PKSCHEDULING_STATE)((PKTHREAD)(t) + 1))

/*
 * Makes Thread known to the dispatcher. With StartRoutine it starts Ready,
 * and first runs StartRoutine(StartContext) at PASSIVE_LEVEL on StackTop;
 * without, it is the thread already running (the boot thread, or one about
 * to enter user mode).
 */
VOID KeInitializeThread(PKTHREAD Thread, PVOID StackTop, PKSTART_ROUTINE StartRoutine, PVOID StartContext,
                        ULONG_PTR DirectoryTableBase);
/* The boot thread ends and Next (a user thread) runs: TSS.Esp0, CR3, KiCurrentThread. */
VOID KiHandOffBootThread(PKTHREAD Next);
/* The current thread gives the processor away once (to the next runnable thread), or idles one interrupt. */
VOID KiSwapThread(void);
/* The clock interrupt from user mode: round-robin to the next runnable thread. */
VOID KiQuantumEnd(void);
__attribute__((noreturn)) VOID KeTerminateThread(void);

PKTHREAD NTAPI KeGetCurrentThread(void);   /* a function, not inline: drivers import it */
KPROCESSOR_MODE NTAPI KeGetPreviousMode(void);
KPROCESSOR_MODE NTAPI ExGetPreviousMode(void);   /* the same, under the name drivers import */

#endif /* __ASSEMBLER__ */
#endif
