/*
 * What the generic kernel (the C files of guest/ex, hal, io, ke, mm, ob, ps, rtl) needs from the
 * architecture, and nothing more. Generic code includes this (ke.h and mm.h do),
 * never i386.h or amd64.h, and reaches registers only through the names below.
 *
 * Which side implements what:
 *   - i386.h / amd64.h (picked by __x86_64__) define:
 *       KTRAP_FRAME, PKTRAP_FRAME and the KTRAP_FRAME_* offsets their assembly uses;
 *       RPL_USER; PTE_PRESENT, PTE_WRITE, PTE_USER, PTE_LARGE; EFLAGS_*, CR0_*, EFER_*, CPUID_*;
 *       KI_ZW_STUB_NUMBER_OFFSET: where in a kernel ZwXxx stub its imm32 service number is;
 *       the intrinsics, with ULONG_PTR for addresses and control registers:
 *         __readcr2, __readcr3, __writecr3, __invlpg, __readmsr, __writemsr (ULONGLONG),
 *         __rdtsc, __cpuid, __halt, _disable, READ_PORT_UCHAR, WRITE_PORT_UCHAR, WRITE_PORT_ULONG.
 *     The address-space layout (MM_KSEG0_BASE, MM_USER_PROBE_ADDRESS, KI_USER_SHARED_DATA,
 *     MM_PEB_ADDRESS, ...) is nt/layout.h's, chosen there by _M_AMD64 (ntdef.h defines it for
 *     a freestanding x86_64 build).
 *   - This file defines the trap-frame accessors from each arch's field names (KeGetTrapFrame*).
 *   - guest/ke/<arch>/ implements the Ki routines declared below (C and assembly), the
 *     trap/interrupt entry points, KiServiceTable's entry encoding, SharedUserData's
 *     SystemCallStub and the system-call MSRs (ke/<arch>/sysstub.c).
 *   - guest/mm/<arch>/ implements the page tables: MiWritePte, MiReadPte, MmMapPage,
 *     MmQueryPhysical, MmCreateAddressSpace, MmUnmapIdentity (declared in mm.h). The physical
 *     page allocator (MmInitSystem, MmAllocatePhysicalPage, ...) is generic: mm/physical.c.
 *   - The generated KiServiceTable.S / ZwStubs.S (guest/tools/gensvc) give KiServiceRoutines[],
 *     KiServiceRoutineCount, KiDefaultServiceLimit, KiDefaultServiceSlots[],
 *     KiDefaultArgumentBytes[] and KiZwStubs[] (ULONG_PTR addresses), declared in ke.h.
 */
#ifndef GUEST_ARCH_H
#define GUEST_ARCH_H

/* before nt/layout.h: its generic names get NT x64's values (not in host builds of guest code) */
#if defined(__x86_64__) && !__STDC_HOSTED__ && !defined(_M_AMD64)
#define _M_AMD64 1
#endif

#if defined(__x86_64__)
#include "amd64.h"
#else
#include "i386.h"
#endif

#ifndef KI_ZW_STUB_NUMBER_OFFSET
#error "the arch header must define KI_ZW_STUB_NUMBER_OFFSET"
#endif

#ifndef __ASSEMBLER__
#include "ntdef.h"

/* ---- trap frame accessors: each an lvalue of the frame's own field */
#if defined(__x86_64__)
#define KeGetTrapFramePc(tf)         ((tf)->Rip)
#define KeGetTrapFrameSp(tf)         ((tf)->Rsp)          /* always pushed in long mode */
#define KeGetTrapFrameEflags(tf)     ((tf)->EFlags)
#define KeGetTrapFrameReturn(tf)     ((tf)->Rax)          /* a service's NTSTATUS */
#define KeGetTrapFrameArgument1(tf)  ((tf)->Rcx)          /* INT 2Dh: the text */
#define KeGetTrapFrameArgument2(tf)  ((tf)->Rdx)          /* INT 2Dh: its length */
#define KeGetTrapFrameVector(tf)     ((tf)->TrapNumber)
#define KeGetTrapFrameErrorCode(tf)  ((tf)->ErrorCode)
#else
#define KeGetTrapFramePc(tf)         ((tf)->Eip)
#define KeGetTrapFrameSp(tf)         ((tf)->HardwareEsp)  /* only when entered from user mode */
#define KeGetTrapFrameEflags(tf)     ((tf)->EFlags)
#define KeGetTrapFrameReturn(tf)     ((tf)->Eax)
#define KeGetTrapFrameArgument1(tf)  ((tf)->Ecx)
#define KeGetTrapFrameArgument2(tf)  ((tf)->Edx)
#define KeGetTrapFrameVector(tf)     ((tf)->TrapNumber)
#define KeGetTrapFrameErrorCode(tf)  ((tf)->ErrCode)
#endif
/* The mode the frame's code ran in: the RPL of its CS. */
#define KiUserTrap(tf)               (((tf)->SegCs & RPL_USER) != 0)
#define KiTrapFrameMode(tf)          ((KPROCESSOR_MODE)(KiUserTrap(tf) ? UserMode : KernelMode))

/* An instruction that may fault on a user address (trap.S: KiSafeCopy) and where it resumes. */
typedef struct _KI_EXCEPTION_FIXUP {
    ULONG_PTR FaultPc, ResumePc;
} KI_EXCEPTION_FIXUP;
extern const KI_EXCEPTION_FIXUP KiExceptionFixups[];   /* ends with FaultPc 0 */

struct _KTHREAD;
typedef VOID (NTAPI *PKSTART_ROUTINE)(PVOID StartContext);

/* ---- guest/ke/<arch>/: the processor */
void KiInitializeProcessor(PVOID InitialStack);   /* GDT, IDT, TSS (and on x64 the KPCR, GS) */
void KiSetKernelStack(PVOID StackTop);            /* TSS.Esp0 / Rsp0 (and the SYSCALL stack) */
void KiSetInterruptGate(ULONG Vector, PVOID Handler);
BOOLEAN KiHasFastSystemCall(void);                /* SYSENTER */
BOOLEAN KiHasAmdSystemCall(void);                 /* SYSCALL (always in long mode) */

/* ---- guest/ke/<arch>/: threads */
/*
 * A new kernel thread's first stack, shaped like the one KiSwapContext leaves:
 * switching to it "returns" into KiThreadStartup, which calls
 * KiStartSystemThread(StartRoutine, StartContext). Returns the saved stack pointer.
 */
ULONG_PTR KiInitializeContextThread(PVOID StackTop, PKSTART_ROUTINE StartRoutine, PVOID StartContext);
/* Saves the current stack pointer in *SaveSp and continues on NewSp. */
void NTAPI KiSwapContext(PULONG_PTR SaveSp, ULONG_PTR NewSp);
extern void KiThreadStartup(void);
/*
 * A user thread's first stack: Argument (the PEB) where the entry point finds
 * it and no return address. StackTopKseg is the KSEG0 view of the page just
 * below StackTop. Returns the initial user stack pointer.
 */
ULONG_PTR KiInitializeUserStack(PVOID StackTopKseg, ULONG_PTR StackTop, ULONG_PTR Argument);
/*
 * The trap frame at the top of KernelStackTop that KiExitToUserMode returns
 * through into user mode at EntryPoint with UserStack (from
 * KiInitializeUserStack) and Argument in the register the arch passes it in.
 * Sets Thread's InitialStack, TrapFrame and PreviousMode (User).
 */
struct _KTRAP_FRAME *KiInitializeUserThreadContext(struct _KTHREAD *Thread, PVOID KernelStackTop,
                                                   ULONG_PTR EntryPoint, ULONG_PTR UserStack, ULONG_PTR Argument);
__attribute__((noreturn)) void KiExitToUserMode(struct _KTRAP_FRAME *TrapFrame);

/* ---- guest/ke/<arch>/: traps and services (assembly unless said) */
extern void KiSystemService(void);        /* INT 2Eh */
extern void KiClockInterruptEntry(void);
NTSTATUS NTAPI KiSafeCopy(PVOID Destination, const VOID *Source, SIZE_T Length);
/* The registers of a frame for a bug check's report (C, ke/<arch>/). */
void KiDumpTrapFrame(const struct _KTRAP_FRAME *TrapFrame);
/* One KiServiceTable entry: i386 the routine's address, x64 (Routine - KiServiceTable) << 4 | stack args. */
ULONG KiEncodeServiceTableEntry(ULONG_PTR Routine, ULONG ArgumentBytes);

#endif /* __ASSEMBLER__ */
#endif
