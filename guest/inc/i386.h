/* x86 definitions the kernel needs: selectors, descriptor bits, CR/MSR bits, port I/O. */
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

static inline void WRITE_PORT_UCHAR(USHORT port, UCHAR v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void WRITE_PORT_ULONG(USHORT port, ULONG v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline UCHAR READ_PORT_UCHAR(USHORT port) { UCHAR v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline ULONGLONG __readmsr(ULONG msr)
{
    ULONG lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((ULONGLONG)hi << 32) | lo;
}

static inline void __writemsr(ULONG msr, ULONGLONG v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((ULONG)v), "d"((ULONG)(v >> 32)));
}
static inline ULONGLONG __rdtsc(void) { ULONG lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((ULONGLONG)hi << 32) | lo; }
static inline void __cpuid(ULONG leaf, ULONG r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}
static inline ULONG __readcr2(void) { ULONG v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline ULONG __readcr3(void) { ULONG v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void __writecr3(ULONG v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void __invlpg(ULONG va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static inline void __halt(void) { __asm__ volatile("hlt"); }
static inline void _disable(void) { __asm__ volatile("cli"); }
#endif

#endif
