/* Memory manager: physical pages, page tables, probing user buffers. */
#ifndef GUEST_MM_H
#define GUEST_MM_H

#include "ntdef.h"

#define MI_KSEG0_LIMIT   0x20000000u   /* KSEG0 maps the first 512 MiB */

void  MmInitSystem(ULONG FirstFreePhysical, ULONG PhysicalTop);
/* A zeroed physical page, or 0 when memory is exhausted. */
ULONG MmAllocatePhysicalPage(void);
/* Gives a page from MmAllocatePhysicalPage back. */
void  MmFreePhysicalPage(ULONG Page);
ULONG MmFreePhysicalBytes(void);

static inline PVOID MmPhysicalToVirtual(ULONG Phys) { return (PVOID)(Phys + MM_KSEG0_BASE); }
static inline ULONG MmVirtualToPhysical(const void *KsegVa) { return (ULONG)KsegVa - MM_KSEG0_BASE; }

/* A page directory sharing the kernel half of the current one; returns its physical address or 0. */
ULONG MmCreateAddressSpace(void);
/* Maps Va -> Phys in the current address space. */
NTSTATUS MmMapPage(ULONG Va, ULONG Phys, ULONG Protection);
/* The physical page behind Va in the current address space, or 0. */
ULONG MmQueryPhysical(ULONG Va);
void  MmUnmapIdentity(void);

#define MM_USER      0x1
#define MM_WRITABLE  0x2

/* Probes: the buffer lies wholly in user space and is aligned. */
NTSTATUS NTAPI ProbeForRead(const VOID *Address, SIZE_T Length, ULONG Alignment);
NTSTATUS NTAPI ProbeForWrite(PVOID Address, SIZE_T Length, ULONG Alignment);
/* Copies from/to the caller of the current service: probed when previous mode is User. */
NTSTATUS MmCopyFromCaller(PVOID Destination, const VOID *Source, SIZE_T Length, ULONG Alignment);
NTSTATUS MmCopyToCaller(PVOID Destination, const VOID *Source, SIZE_T Length, ULONG Alignment);

#endif
