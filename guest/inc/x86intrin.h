/*
 * The CPU intrinsics the kernel uses, the same source on i386 and amd64
 * (ULONG_PTR is each one's register width): port I/O, MSRs, TSC, CPUID,
 * control registers, TLB, HLT and CLI. Included by i386.h and amd64.h.
 */
#ifndef GUEST_X86INTRIN_H
#define GUEST_X86INTRIN_H

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
static inline ULONG_PTR __readcr2(void) { ULONG_PTR v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline ULONG_PTR __readcr3(void) { ULONG_PTR v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void __writecr3(ULONG_PTR v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void __invlpg(ULONG_PTR va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static inline void __halt(void) { __asm__ volatile("hlt"); }
static inline void _disable(void) { __asm__ volatile("cli"); }

#endif
