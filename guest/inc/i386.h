/*
 * i386 definitions the kernel needs: selectors, KTRAP_FRAME, KTSS, descriptor bits,
 * CR/MSR bits, port I/O. The counterpart of amd64.h; guest/inc/arch.h picks one.
 */
#ifndef GUEST_I386_H
#define GUEST_I386_H

/* NT's GDT selectors */
#define KGDT_NULL      0x00
#define KGDT_R0_CODE   0x08
#define KGDT_R0_DATA   0x10
#define KGDT_R3_CODE   0x18
#define KGDT_R3_DATA   0x20
#define KGDT_TSS       0x28
#define KGDT_R0_PCR    0x30
#define KGDT_R3_TEB    0x38
#define KGDT_ENTRIES   8
#define RPL_USER       3

/* KTRAP_FRAME field offsets, shared with trap.S (checked by C_ASSERTs in ke/trap.c). */
#define KTRAP_FRAME_PREVIOUS_MODE  0x00
#define KTRAP_FRAME_FS             0x04
#define KTRAP_FRAME_ES             0x08
#define KTRAP_FRAME_DS             0x0C
#define KTRAP_FRAME_EDX            0x10
#define KTRAP_FRAME_ECX            0x14
#define KTRAP_FRAME_EAX            0x18
#define KTRAP_FRAME_EDI            0x1C
#define KTRAP_FRAME_ESI            0x20
#define KTRAP_FRAME_EBX            0x24
#define KTRAP_FRAME_EBP            0x28
#define KTRAP_FRAME_TRAP_NUMBER    0x2C
#define KTRAP_FRAME_ERR_CODE       0x30
#define KTRAP_FRAME_EIP            0x34
#define KTRAP_FRAME_CS             0x38
#define KTRAP_FRAME_EFLAGS         0x3C
#define KTRAP_FRAME_ESP            0x40
#define KTRAP_FRAME_SS             0x44
#define KTRAP_FRAME_LENGTH         0x48

/* ZwXxx stubs begin with `mov eax, imm32`: the imm32 is the service number */
#define KI_ZW_STUB_NUMBER_OFFSET   1

#define CR0_PE   0x00000001
#define CR0_WP   0x00010000
#define CR0_PG   0x80000000
#define CR4_PSE  0x00000010

#define PTE_PRESENT   0x001
#define PTE_WRITE     0x002
#define PTE_USER      0x004
#define PTE_LARGE     0x080   /* PDE maps 4 MiB (CR4.PSE) */

#define EFLAGS_TF     0x00000100
#define EFLAGS_IF     0x00000200
#define EFLAGS_IOPL   0x00003000
#define EFLAGS_USER_DEFAULT (EFLAGS_IF | 0x2)

#include <ntvisor/abi.h>   /* MSR_SYSENTER_CS, _ESP, _EIP, MSR_EFER, MSR_STAR */
#define EFER_SCE          0x00000001   /* SYSCALL/SYSRET enabled */

#define CPUID_1_EDX_PSE   (1u << 3)
#define CPUID_1_EDX_TSC   (1u << 4)
#define CPUID_1_EDX_SEP   (1u << 11)
#define CPUID_EXT_FEATURES          0x80000001u
#define CPUID_EXT_EDX_SYSCALL       (1u << 11)   /* outside 64-bit mode only on AMD: Intel raises #UD */

#ifndef __ASSEMBLER__
#include "ntdef.h"

typedef struct _KTRAP_FRAME {
    ULONG PreviousPreviousMode;   /* caller's previous mode, restored on service exit */
    ULONG SegFs, SegEs, SegDs;
    ULONG Edx, Ecx, Eax;
    ULONG Edi, Esi, Ebx, Ebp;
    ULONG TrapNumber;             /* ntvisor: the vector that built this frame */
    ULONG ErrCode;
    ULONG Eip, SegCs, EFlags;
    ULONG HardwareEsp, HardwareSegSs;   /* only when entered from user mode */
} KTRAP_FRAME, *PKTRAP_FRAME;

/* TSS: only what the kernel uses (ring-0 stack) is set. */
typedef struct _KTSS {
    USHORT Backlink, Reserved0;
    ULONG  Esp0;
    USHORT Ss0, Reserved1;
    ULONG  NotUsed1[22];
    USHORT T, IoMapBase;
} __attribute__((packed)) KTSS, *PKTSS;
_Static_assert(__builtin_offsetof(KTSS, Esp0) == KTSS_ESP0, "KTSS.Esp0: the tracer reads it at KTSS_ESP0");
extern KTSS KiTss;

#include "x86intrin.h"
#endif

#endif
