/*
 * ntdll's run-time library: the Rtl, Dbg and C routines ntdll.dll exports
 * (the PE ntdll) and libntrt links into ELF programs, under NT's names and
 * calling conventions (Rtl* NTAPI, DbgPrint and the C ones cdecl).
 */
#ifndef NTDLL_NTRTL_H
#define NTDLL_NTRTL_H

#include <stdarg.h>
#include "../inc/ntdef.h"
#include "../inc/rtl.h"
#include "../inc/pebteb.h"

/* memory (ntdll/rtlmem.c; the string routines are guest/rtl's, in rtl.h) */
VOID NTAPI RtlCopyMemory(PVOID Destination, const VOID *Source, SIZE_T Length);
VOID NTAPI RtlMoveMemory(PVOID Destination, const VOID *Source, SIZE_T Length);
VOID NTAPI RtlZeroMemory(PVOID Destination, SIZE_T Length);
VOID NTAPI RtlFillMemory(PVOID Destination, SIZE_T Length, UCHAR Fill);

/* the process heap (Peb->ProcessHeap, committed by the kernel) */
#define HEAP_NO_SERIALIZE          0x00000001
#define HEAP_GENERATE_EXCEPTIONS   0x00000004
#define HEAP_ZERO_MEMORY           0x00000008
#define HEAP_REALLOC_IN_PLACE_ONLY 0x00000010
PVOID NTAPI RtlAllocateHeap(PVOID HeapHandle, ULONG Flags, SIZE_T Size);
BOOLEAN NTAPI RtlFreeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress);
PVOID NTAPI RtlReAllocateHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress, SIZE_T Size);
SIZE_T NTAPI RtlSizeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress);

/* the debugger's console: INT 2Dh, BREAKPOINT_PRINT */
ULONG DbgPrint(PCSTR Format, ...) __attribute__((format(printf, 1, 2)));

/* the current thread's TEB and its process's PEB, through FS (i386) or GS (amd64) as NT has them: NT_TIB.Self */
static inline PTEB NtCurrentTeb(void)
{
    PTEB teb;
#if defined(__x86_64__)
    __asm__("movq %%gs:0x30, %0" : "=r"(teb));
#else
    __asm__("movl %%fs:0x18, %0" : "=r"(teb));
#endif
    return teb;
}

#endif
