/* Executive support: pool allocation. */
#ifndef GUEST_EX_H
#define GUEST_EX_H

#include "ntdef.h"

typedef enum _POOL_TYPE { NonPagedPool = 0, PagedPool = 1 } POOL_TYPE;

/* The largest single allocation: one page less the pool header. */
#define EX_POOL_MAX_ALLOCATION  (PAGE_SIZE - 8)

/* Zeroed memory, or NULL when none is left or NumberOfBytes is 0 or too large. */
PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag);

#endif
