/* Memory manager: physical pages, page tables, probing user buffers. */
#ifndef GUEST_MM_H
#define GUEST_MM_H

#include "arch.h"   /* MM_KSEG0_BASE and the page-table bits of the architecture */

#define MI_KSEG0_LIMIT   0x20000000u   /* KSEG0 maps the first 512 MiB */

/* mm/physical.c: the physical page allocator, over what KSEG0 maps */
void  MmInitSystem(ULONG_PTR FirstFreePhysical, ULONG_PTR PhysicalTop);
/* A zeroed physical page, or 0 when memory is exhausted. */
ULONG_PTR MmAllocatePhysicalPage(void);
/* Gives a page from MmAllocatePhysicalPage back. */
void  MmFreePhysicalPage(ULONG_PTR Page);
SIZE_T MmFreePhysicalBytes(void);
/* Pages physically contiguous pages in KSEG0 for a kernel stack; returns its top, or NULL. */
PVOID MmCreateKernelStack(ULONG Pages);

static inline PVOID MmPhysicalToVirtual(ULONG_PTR Phys) { return (PVOID)(Phys + MM_KSEG0_BASE); }
static inline ULONG_PTR MmVirtualToPhysical(const void *KsegVa) { return (ULONG_PTR)KsegVa - MM_KSEG0_BASE; }

/* mm/<arch>/: the page tables (guest/inc/arch.h) */
/* A top-level table sharing the kernel half of the current one; returns its physical address or 0. */
ULONG_PTR MmCreateAddressSpace(void);
/* Maps Va -> Phys in the current address space. */
NTSTATUS MmMapPage(ULONG_PTR Va, ULONG_PTR Phys, ULONG Protection);
/* The physical page behind Va in the current address space, or 0. */
ULONG_PTR MmQueryPhysical(ULONG_PTR Va);
void  MmUnmapIdentity(void);

#define MM_USER      0x1
#define MM_WRITABLE  0x2

/*
 * A committed page remembers its protection in the PTE's software bits 9-11
 * (MI_PROT_*); a PAGE_NOACCESS page keeps its frame with the present bit clear.
 */
#define MI_PTE_PROTECTION_SHIFT 9
#define MI_PTE_PROTECTION_MASK  (7u << MI_PTE_PROTECTION_SHIFT)
#define MI_PTE_PROTECTION(p)    ((ULONG_PTR)(p) << MI_PTE_PROTECTION_SHIFT)
#define MI_PTE_FRAME(pte)       ((pte) & ~(ULONG_PTR)(PAGE_SIZE - 1))   /* with the high bits on x64 */
#define MI_PTE_GET_PROTECTION(pte) ((ULONG)(((pte) & MI_PTE_PROTECTION_MASK) >> MI_PTE_PROTECTION_SHIFT))
enum { MI_PROT_NONE = 0, MI_PROT_NOACCESS, MI_PROT_READONLY, MI_PROT_READWRITE,
       MI_PROT_EXECUTE, MI_PROT_EXECUTE_READ, MI_PROT_EXECUTE_READWRITE };
NTSTATUS MiWritePte(ULONG_PTR Va, ULONG_PTR Pte);
/* The PTE for Va in the current address space, 0 without a page table. */
ULONG_PTR MiReadPte(ULONG_PTR Va);

/* Virtual address descriptors: what a process reserved, sorted by address. */
#define MI_VAD_PRIVATE  0x0    /* NtAllocateVirtualMemory, stacks, PEB, TEB */
#define MI_VAD_IMAGE    0x1    /* a mapped image: cannot be freed piecewise */
typedef struct _MMVAD {
    ULONG_PTR StartingVpn, EndingVpn;   /* page numbers, inclusive */
    ULONG Flags;
    struct _MMVAD *Next;
} MMVAD, *PMMVAD;
struct _EPROCESS;
/* Records [Start, End) (page-aligned) as reserved in Process. */
NTSTATUS MiInsertVad(struct _EPROCESS *Process, ULONG_PTR Start, ULONG_PTR End, ULONG Flags);

/* mm/address.c: is Va mapped (present) in the current address space? */
BOOLEAN NTAPI MmIsAddressValid(PVOID VirtualAddress);

/* Probes: the buffer lies wholly in user space and is aligned. */
NTSTATUS NTAPI ProbeForRead(const VOID *Address, SIZE_T Length, ULONG Alignment);
NTSTATUS NTAPI ProbeForWrite(PVOID Address, SIZE_T Length, ULONG Alignment);
/* Copies from/to the caller of the current service: probed when previous mode is User. */
NTSTATUS MmCopyFromCaller(PVOID Destination, const VOID *Source, SIZE_T Length, ULONG Alignment);
NTSTATUS MmCopyToCaller(PVOID Destination, const VOID *Source, SIZE_T Length, ULONG Alignment);

#endif
