/*
 * amd64 definitions the kernel needs: NT's x64 selectors, descriptor and
 * paging bits, CR/MSR bits, KTRAP_FRAME's layout and the CPU intrinsics with
 * 64-bit values. The counterpart of i386.h; guest/inc/arch.h picks one.
 */
#ifndef GUEST_AMD64_H
#define GUEST_AMD64_H

/* NT's x64 GDT selectors */
#define KGDT64_NULL        0x00
#define KGDT64_R0_CODE     0x10
#define KGDT64_R0_DATA     0x18
#define KGDT64_R3_CMCODE   0x20   /* 32-bit compatibility-mode code (WOW64) */
#define KGDT64_R3_DATA     0x28
#define KGDT64_R3_CODE     0x30
#define KGDT64_SYS_TSS     0x40   /* 16 bytes: two slots */
#define KGDT64_R3_CMTEB    0x50
#define KGDT64_ENTRIES     12
#define RPL_USER           3

/*
 * A kernel-mode ZwXxx stub, as x64 NT builds it: mov rax, rsp; cli;
 * sub rsp, 8; push SS; push rax; pushfq; push KGDT64_R0_CODE; lea rax,
 * [KiServiceLinkage]; push rax; mov eax, <number>; jmp KiServiceInternal.
 * The number's imm32 is at this offset (the kernel renumbers it at boot).
 */
#define KI_ZW_STUB_NUMBER_OFFSET 23

/*
 * STAR: SYSCALL loads CS from bits 47:32 (SS = CS + 8); SYSRETQ loads CS from
 * bits 63:48 + 16 and SS from bits 63:48 + 8, so base 0x23 gives 0x33 / 0x2B.
 */
#define KI_STAR_SYSCALL_CS  KGDT64_R0_CODE
#define KI_STAR_SYSRET_BASE (KGDT64_R3_CMCODE | RPL_USER)

#define CR0_PE   0x00000001
#define CR0_WP   0x00010000
#define CR0_PG   0x80000000
#define CR4_PSE  0x00000010
#define CR4_PAE  0x00000020

#define EFER_SCE 0x00000001   /* SYSCALL/SYSRET enabled */
#define EFER_LME 0x00000100
#define EFER_LMA 0x00000400
#define EFER_NXE 0x00000800

#define PTE_PRESENT   0x001
#define PTE_WRITE     0x002
#define PTE_USER      0x004
#define PTE_LARGE     0x080   /* a PDE that maps 2 MiB */
#define PTE_FRAME     0x000FFFFFFFFFF000

#define EFLAGS_TF     0x00000100
#define EFLAGS_IF     0x00000200
#define EFLAGS_DF     0x00000400
#define EFLAGS_IOPL   0x00003000
#define EFLAGS_NT     0x00004000
#define EFLAGS_AC     0x00040000
#define EFLAGS_USER_DEFAULT (EFLAGS_IF | 0x2)
/* SFMASK: what SYSCALL clears in RFLAGS (NT clears at least these) */
#define KI_SYSCALL_FLAGS_MASK (EFLAGS_TF | EFLAGS_IF | EFLAGS_DF | EFLAGS_NT | EFLAGS_IOPL | EFLAGS_AC)

#include <ntvisor/abi.h>   /* MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_SFMASK */
#define MSR_FS_BASE        0xC0000100
#define MSR_GS_BASE        0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102   /* SWAPGS exchanges GS base with this */

#define CPUID_1_EDX_PSE   (1u << 3)
#define CPUID_1_EDX_TSC   (1u << 4)
#define CPUID_1_EDX_SEP   (1u << 11)
#define CPUID_EXT_FEATURES          0x80000001u
#define CPUID_EXT_EDX_SYSCALL       (1u << 11)

/*
 * KTRAP_FRAME, NT's x64 layout (0x190 bytes). The CPU's interrupt frame is
 * its tail (Rip..SegSs), the error code just below it; KiSystemCall64 builds
 * the same tail by hand.
 */
#define KTRAP_FRAME_P1HOME         0x000
#define KTRAP_FRAME_P5             0x020
#define KTRAP_FRAME_PREVIOUS_MODE  0x028
#define KTRAP_FRAME_PREVIOUS_IRQL  0x029
#define KTRAP_FRAME_EXCEPTION_ACTIVE 0x02B
#define KTRAP_FRAME_MXCSR          0x02C
#define KTRAP_FRAME_RAX            0x030
#define KTRAP_FRAME_RCX            0x038
#define KTRAP_FRAME_RDX            0x040
#define KTRAP_FRAME_R8             0x048
#define KTRAP_FRAME_R9             0x050
#define KTRAP_FRAME_R10            0x058
#define KTRAP_FRAME_R11            0x060
#define KTRAP_FRAME_GS_SWAP        0x068
#define KTRAP_FRAME_FAULT_ADDRESS  0x0D0
#define KTRAP_FRAME_SEG_DS         0x130
#define KTRAP_FRAME_SEG_ES         0x132
#define KTRAP_FRAME_SEG_FS         0x134
#define KTRAP_FRAME_SEG_GS         0x136
#define KTRAP_FRAME_TRAP_FRAME     0x138
#define KTRAP_FRAME_RBX            0x140
#define KTRAP_FRAME_RDI            0x148
#define KTRAP_FRAME_RSI            0x150
#define KTRAP_FRAME_RBP            0x158
#define KTRAP_FRAME_ERROR_CODE     0x160
#define KTRAP_FRAME_RIP            0x168
#define KTRAP_FRAME_SEG_CS         0x170
#define KTRAP_FRAME_EFLAGS         0x178
#define KTRAP_FRAME_RSP            0x180
#define KTRAP_FRAME_SEG_SS         0x188
#define KTRAP_FRAME_LENGTH         0x190
/* ntvisor keeps the vector that built a frame in the (unused) CodePatchCycle slot */
#define KTRAP_FRAME_TRAP_NUMBER    0x18C

#ifndef __ASSEMBLER__
#include "ntdef.h"

typedef struct _KTRAP_FRAME {
    ULONGLONG P1Home, P2Home, P3Home, P4Home, P5;
    CHAR PreviousMode;              /* the caller's previous mode, restored on service exit */
    UCHAR PreviousIrql, FaultIndicator, ExceptionActive;
    ULONG MxCsr;
    ULONGLONG Rax, Rcx, Rdx, R8, R9, R10, R11;
    ULONGLONG GsSwap;
    UCHAR Xmm[6][16];               /* volatile XMM registers: the kernel uses none */
    ULONGLONG FaultAddress;
    ULONGLONG Dr0, Dr1, Dr2, Dr3, Dr6, Dr7;
    ULONGLONG DebugControl, LastBranchToRip, LastBranchFromRip, LastExceptionToRip, LastExceptionFromRip;
    USHORT SegDs, SegEs, SegFs, SegGs;
    ULONGLONG TrapFrame;
    ULONGLONG Rbx, Rdi, Rsi, Rbp;
    ULONGLONG ErrorCode;
    ULONGLONG Rip;
    USHORT SegCs;
    UCHAR Fill0, Logging;
    USHORT Fill1[2];
    ULONG EFlags, Fill2;
    ULONGLONG Rsp;
    USHORT SegSs, Fill3;
    ULONG TrapNumber;               /* NT: CodePatchCycle */
} KTRAP_FRAME, *PKTRAP_FRAME;

_Static_assert(__builtin_offsetof(KTRAP_FRAME, PreviousMode) == KTRAP_FRAME_PREVIOUS_MODE, "KTRAP_FRAME");
_Static_assert(__builtin_offsetof(KTRAP_FRAME, Rax) == KTRAP_FRAME_RAX, "KTRAP_FRAME");
_Static_assert(__builtin_offsetof(KTRAP_FRAME, FaultAddress) == KTRAP_FRAME_FAULT_ADDRESS, "KTRAP_FRAME");
_Static_assert(__builtin_offsetof(KTRAP_FRAME, SegDs) == KTRAP_FRAME_SEG_DS, "KTRAP_FRAME");
_Static_assert(__builtin_offsetof(KTRAP_FRAME, Rbx) == KTRAP_FRAME_RBX, "KTRAP_FRAME");
_Static_assert(__builtin_offsetof(KTRAP_FRAME, ErrorCode) == KTRAP_FRAME_ERROR_CODE, "KTRAP_FRAME");
_Static_assert(__builtin_offsetof(KTRAP_FRAME, Rip) == KTRAP_FRAME_RIP, "KTRAP_FRAME");
_Static_assert(__builtin_offsetof(KTRAP_FRAME, EFlags) == KTRAP_FRAME_EFLAGS, "KTRAP_FRAME");
_Static_assert(__builtin_offsetof(KTRAP_FRAME, Rsp) == KTRAP_FRAME_RSP, "KTRAP_FRAME");
_Static_assert(__builtin_offsetof(KTRAP_FRAME, TrapNumber) == KTRAP_FRAME_TRAP_NUMBER, "KTRAP_FRAME");
_Static_assert(sizeof(KTRAP_FRAME) == KTRAP_FRAME_LENGTH, "KTRAP_FRAME");

/* KTSS64: the ring-0 stack the CPU switches to on an interrupt from ring 3. */
typedef struct _KTSS {
    ULONG Reserved0;
    ULONGLONG Rsp0, Rsp1, Rsp2;
    ULONGLONG Ist[8];               /* Ist[0] is reserved */
    ULONGLONG Reserved1;
    USHORT Reserved2, IoMapBase;
} __attribute__((packed)) KTSS, *PKTSS;
_Static_assert(__builtin_offsetof(KTSS, Rsp0) == AMD64_KTSS_RSP0, "KTSS64.Rsp0: the tracer reads it there");
_Static_assert(sizeof(KTSS) == 0x68, "KTSS64");
extern KTSS KiTss;

/*
 * The processor control region, reached through GS in kernel mode (SWAPGS on
 * every entry from ring 3). KiSystemCall64 keeps the caller's RSP in UserRsp
 * and takes the thread's kernel stack from RspBase, at NT's offsets.
 */
typedef struct _KPCR {
    ULONGLONG GdtBase, TssBase;
    ULONGLONG UserRsp;              /* 0x10 */
    struct _KPCR *Self;             /* 0x18 */
    ULONGLONG CurrentPrcb;
    ULONGLONG Reserved[48];
    ULONGLONG RspBase;              /* 0x1A8: the KPRCB's RspBase in NT's KPCR */
} KPCR, *PKPCR;
#endif

#define KPCR_USER_RSP   0x10
#define KPCR_SELF       0x18
#define KPCR_RSP_BASE   0x1A8

#ifndef __ASSEMBLER__
_Static_assert(__builtin_offsetof(KPCR, UserRsp) == KPCR_USER_RSP, "KPCR");
_Static_assert(__builtin_offsetof(KPCR, RspBase) == KPCR_RSP_BASE, "KPCR");
extern KPCR KiPcr;

#include "x86intrin.h"
#endif

#endif
