/*
 * The guest's address space, as NT lays it out on i386 (no /3GB); with
 * _M_AMD64 (the amd64 kernel) as NT x64 does, from nt/layout64.h.
 * Shared by the guest kernel, the monitor's loader and the tracer.
 */
#ifndef NT_LAYOUT_H
#define NT_LAYOUT_H

#include "layout64.h"

#if defined(_M_AMD64)
/* the amd64 kernel: the generic names get NT x64's values (nt/layout64.h) */
#define MM_SYSTEM_RANGE_START    AMD64_SYSTEM_RANGE_START
#define MM_KSEG0_BASE            AMD64_KSEG0_BASE
#define MM_USER_PROBE_ADDRESS    AMD64_USER_PROBE_ADDRESS
#define MM_HIGHEST_USER_ADDRESS  AMD64_HIGHEST_USER_ADDRESS
#define MM_SHARED_USER_DATA_VA   AMD64_SHARED_USER_DATA_VA
#define KI_USER_SHARED_DATA      AMD64_KI_USER_SHARED_DATA
#define MM_PEB_ADDRESS           AMD64_PEB_ADDRESS
#define MM_TEB_ADDRESS           AMD64_TEB_ADDRESS
#define PTE_BASE                 AMD64_PTE_BASE
#define PDE_BASE                 AMD64_PDE_BASE
#define MM_NTDLL_BASE            AMD64_NTDLL_BASE
#define MM_IMAGE_BASE            AMD64_IMAGE_BASE
#else
#define MM_SYSTEM_RANGE_START    0x80000000u  /* kernel space: every address from here up */
#define MM_KSEG0_BASE            0x80000000u  /* physical memory mapped from here */
#define MM_USER_PROBE_ADDRESS    0x7FFF0000u  /* first address a user buffer may not touch */
#define MM_HIGHEST_USER_ADDRESS  0x7FFEFFFFu
#define MM_SHARED_USER_DATA_VA   0x7FFE0000u  /* KUSER_SHARED_DATA, user read-only view */
#define KI_USER_SHARED_DATA      0xFFDF0000u  /* the same page, kernel writable view */
#define MM_PEB_ADDRESS           0x7FFDF000u
#define MM_TEB_ADDRESS           0x7FFDE000u
#define PTE_BASE                 0xC0000000u  /* page tables, self-mapped */
#define PDE_BASE                 0xC0300000u

#define MM_NTDLL_BASE            0x77F50000u  /* where XP SP1 put ntdll */
#define MM_IMAGE_BASE            0x00400000u  /* user programs */
#endif

#define MM_USER_STACK_TOP        0x00130000u  /* first thread's stack, NT-like */
#define MM_USER_STACK_SIZE       0x00010000u
#define MM_PROCESS_HEAP_BASE     0x00140000u  /* Peb->ProcessHeap, where XP's process heap sits */
#define MM_PROCESS_HEAP_SIZE     0x00100000u  /* committed at creation: ntdll's heap never grows */

#define KERNEL_PHYS_BASE         0x00100000u  /* ntoskrnl is loaded here */

/*
 * Boot drivers (`ntvisor run --driver=FILE`), outside KSEG0, mapped by the
 * kernel at load: a PE image is relocated into the highest free slot of this
 * range; an ELF32 image is linked for a slot (the low ones).
 */
#if defined(_M_AMD64)
#define MM_SYSTEM_DRIVER_START   AMD64_SYSTEM_DRIVER_START
#define MM_SYSTEM_DRIVER_END     AMD64_SYSTEM_DRIVER_END
#else
#define MM_SYSTEM_DRIVER_START   0xB0000000u
#define MM_SYSTEM_DRIVER_END     0xB8000000u
#endif
#define MM_SYSTEM_DRIVER_SLOT    0x00100000u  /* 1 MiB per driver image */

/* SharedUserData offsets */
#define USER_SHARED_SYSTEM_CALL      0x300   /* SystemCallStub */
#define USER_SHARED_SYSTEM_CALL_RET  0x304   /* KiFastSystemCallRet for the SYSENTER stub */

/*
 * System-service dispatch on i386, as KiSystemService and KiFastCallEntry see
 * it and the tracer watches it (no u suffixes: trap.S uses these). EAX holds
 * the service number: bits 0-11 the index, bits 12-13 the descriptor table.
 */
#define IDT_SYSTEM_SERVICE         0x2E   /* INT 2Eh: KiSystemService */
#define IDT_DEBUG_SERVICE          0x2D   /* INT 2Dh: KiDebugService (DbgPrint), not a service */
#define SERVICE_NUMBER_MASK        0x0FFF
#if defined(_M_AMD64)
#define SERVICE_TABLE_SHIFT        AMD64_SERVICE_TABLE_SHIFT
#define SERVICE_TABLE_MASK         AMD64_SERVICE_TABLE_MASK
#define KSERVICE_TABLE_DESCRIPTOR_LENGTH AMD64_KSERVICE_TABLE_DESCRIPTOR_LENGTH
#else
#define SERVICE_TABLE_SHIFT        8      /* (eax >> 8) & 0x30 = table * 16 */
#define SERVICE_TABLE_MASK         0x30
#define KSERVICE_TABLE_DESCRIPTOR_LENGTH 0x10   /* Base, Count, Limit, Number */
#endif
#define KI_FAST_CALL_ARGUMENTS     8      /* at SYSENTER EDX is the user ESP: [EDX], [EDX+4] are
                                             the two return addresses, the arguments follow */
#define KTSS_ESP0                  0x04   /* offset of KTSS.Esp0, the current thread's kernel stack:
                                             KiFastCallEntry loads it, the tracer reads it */

#define PAGE_SIZE                0x1000u
/* the largest file of the guest's RAM volume (\\??\\C:), in pages: its page list is one pool block */
#define RAMFS_MAX_FILE_PAGES     1022u
#define PAGE_SHIFT               12

#endif
