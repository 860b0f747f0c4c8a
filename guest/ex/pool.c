/*
 * The executive pool: power-of-two blocks from 32 bytes to a page, carved
 * from physical pages seen through KSEG0. Each block starts with a header
 * naming its size class and tag, so ExFreePoolWithTag needs no size and a
 * mismatched tag or double free is caught (BAD_POOL_CALLER) instead of
 * corrupting the lists. One processor, no pre-emption inside the kernel:
 * no lock is needed yet.
 */
#include "../inc/ex.h"
#include "../inc/ke.h"
#include "../inc/mm.h"
#include "../inc/rtl.h"

#define POOL_SMALLEST_SHIFT 5                 /* 32 bytes */
#define POOL_CLASSES        (PAGE_SHIFT - POOL_SMALLEST_SHIFT + 1)
#define POOL_FREE_TAG       0x65657246        /* 'Free' */

typedef struct _POOL_HEADER {
    ULONG SizeClass;
    ULONG PoolTag;                            /* the caller's tag; 'Free' when free */
} POOL_HEADER, *PPOOL_HEADER;

typedef struct _POOL_FREE_BLOCK {
    POOL_HEADER Header;
    struct _POOL_FREE_BLOCK *Next;
} POOL_FREE_BLOCK;

C_ASSERT(sizeof(POOL_HEADER) == PAGE_SIZE - EX_POOL_MAX_ALLOCATION);

static POOL_FREE_BLOCK *ExpFreeLists[POOL_CLASSES];

PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    (void)PoolType;   /* everything is resident: paged pool is nonpaged here */
    if (NumberOfBytes == 0 || NumberOfBytes > EX_POOL_MAX_ALLOCATION)
        return NULL;
    ULONG sizeClass = 0;
    while ((1u << (sizeClass + POOL_SMALLEST_SHIFT)) < NumberOfBytes + sizeof(POOL_HEADER))
        sizeClass++;
    ULONG blockSize = 1u << (sizeClass + POOL_SMALLEST_SHIFT);

    if (!ExpFreeLists[sizeClass]) {
        ULONG page = MmAllocatePhysicalPage();
        if (!page)
            return NULL;
        PUCHAR base = MmPhysicalToVirtual(page);
        for (ULONG offset = PAGE_SIZE; offset >= blockSize; offset -= blockSize) {
            POOL_FREE_BLOCK *b = (POOL_FREE_BLOCK *)(base + offset - blockSize);
            b->Header.SizeClass = sizeClass;
            b->Header.PoolTag = POOL_FREE_TAG;
            b->Next = ExpFreeLists[sizeClass];
            ExpFreeLists[sizeClass] = b;
        }
    }
    POOL_FREE_BLOCK *block = ExpFreeLists[sizeClass];
    ExpFreeLists[sizeClass] = block->Next;
    block->Header.PoolTag = Tag;
    PVOID p = &block->Header + 1;
    memset(p, 0, blockSize - sizeof(POOL_HEADER));
    return p;
}

VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    POOL_FREE_BLOCK *block = (POOL_FREE_BLOCK *)((PPOOL_HEADER)P - 1);
    if (block->Header.SizeClass >= POOL_CLASSES || block->Header.PoolTag == POOL_FREE_TAG ||
        (Tag && block->Header.PoolTag != Tag))
        KeBugCheckEx(BAD_POOL_CALLER, 0x7, block->Header.PoolTag, (ULONG_PTR)P, Tag);
    block->Header.PoolTag = POOL_FREE_TAG;
    block->Next = ExpFreeLists[block->Header.SizeClass];
    ExpFreeLists[block->Header.SizeClass] = block;
}

#define POOL_UNTAGGED 0x656E6F4E   /* 'None', NT's tag for ExAllocatePool */

PVOID NTAPI ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, POOL_UNTAGGED);
}

VOID NTAPI ExFreePool(PVOID P)
{
    ExFreePoolWithTag(P, 0);   /* 0: any tag */
}

#define RTL_STRING_TAG 0x72747453   /* 'Sttr' */

/* guest/rtl/unicode.c's allocations in the kernel: pool, as NT's kernel-mode rtl has them. */
PVOID RtlpAllocateStringBuffer(SIZE_T Size)
{
    return ExAllocatePoolWithTag(PagedPool, Size, RTL_STRING_TAG);
}

VOID RtlpFreeStringBuffer(PVOID Buffer)
{
    if (Buffer)
        ExFreePoolWithTag(Buffer, RTL_STRING_TAG);
}
