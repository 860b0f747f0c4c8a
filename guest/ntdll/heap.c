/*
 * The process heap: one region the kernel committed at process creation
 * (Peb->ProcessHeap, MM_PROCESS_HEAP_SIZE bytes, zeroed), managed here with
 * no system call. Blocks lie end to end after the heap's header, each after
 * an 8-byte entry; a block handed to free, size or reallocate is found by
 * walking the blocks from the start, so a pointer that is not one (or a
 * heap whose entries were overwritten) is refused rather than trusted.
 * One thread per process here: no lock.
 */
#include "ntrtl.h"

#define RTLP_HEAP_SIGNATURE   0x70616548u   /* 'Heap' */
#define RTLP_HEAP_GRANULARITY 8u
#define RTLP_ENTRY_FREE       0xFFFFFFFFu   /* UserSize of a free block */

typedef struct _RTLP_HEAP_ENTRY {
    ULONG Size;       /* bytes, this entry included; a multiple of the granularity */
    ULONG UserSize;   /* what the caller asked for, or RTLP_ENTRY_FREE */
} RTLP_HEAP_ENTRY, *PRTLP_HEAP_ENTRY;

typedef struct _RTLP_HEAP {
    ULONG Signature;
    ULONG Size;       /* of the whole region */
    ULONG Reserved[2];
} RTLP_HEAP, *PRTLP_HEAP;

C_ASSERT(sizeof(RTLP_HEAP_ENTRY) == RTLP_HEAP_GRANULARITY);
C_ASSERT(sizeof(RTLP_HEAP) % RTLP_HEAP_GRANULARITY == 0);

#define RTLP_FIRST_ENTRY(h) ((PRTLP_HEAP_ENTRY)((PUCHAR)(h) + sizeof(RTLP_HEAP)))
#define RTLP_HEAP_END(h)    ((PUCHAR)(h) + (h)->Size)

/* The process heap, its header written on first use; NULL for any other handle. */
static PRTLP_HEAP RtlpGetHeap(PVOID HeapHandle)
{
    PRTLP_HEAP heap = HeapHandle;
    if (!heap || heap != NtCurrentTeb()->ProcessEnvironmentBlock->ProcessHeap)
        return NULL;
    if (heap->Signature == 0 && heap->Size == 0) {
        heap->Signature = RTLP_HEAP_SIGNATURE;
        heap->Size = MM_PROCESS_HEAP_SIZE;
        PRTLP_HEAP_ENTRY first = RTLP_FIRST_ENTRY(heap);
        first->Size = MM_PROCESS_HEAP_SIZE - sizeof(RTLP_HEAP);
        first->UserSize = RTLP_ENTRY_FREE;
    }
    return heap->Signature == RTLP_HEAP_SIGNATURE ? heap : NULL;
}

/* The entry after Entry, Entry itself ending the heap (NULL), or NULL for a broken chain. */
static PRTLP_HEAP_ENTRY RtlpNextEntry(PRTLP_HEAP Heap, PRTLP_HEAP_ENTRY Entry)
{
    ULONG left = (ULONG)(RTLP_HEAP_END(Heap) - (PUCHAR)Entry);
    if (Entry->Size == 0 || Entry->Size % RTLP_HEAP_GRANULARITY || Entry->Size >= left)
        return NULL;
    return (PRTLP_HEAP_ENTRY)((PUCHAR)Entry + Entry->Size);
}

static BOOLEAN RtlpEntryIsSound(PRTLP_HEAP Heap, PRTLP_HEAP_ENTRY Entry)
{
    ULONG left = (ULONG)(RTLP_HEAP_END(Heap) - (PUCHAR)Entry);
    return Entry->Size && Entry->Size % RTLP_HEAP_GRANULARITY == 0 && Entry->Size <= left;
}

/* The busy block whose data starts at Address, and the entry before it (NULL for the first). */
static PRTLP_HEAP_ENTRY RtlpFindBusy(PRTLP_HEAP Heap, PVOID Address, PRTLP_HEAP_ENTRY *Previous)
{
    PRTLP_HEAP_ENTRY entry = RTLP_FIRST_ENTRY(Heap), previous = NULL;
    if ((PUCHAR)Address <= (PUCHAR)entry || (PUCHAR)Address >= RTLP_HEAP_END(Heap))
        return NULL;
    while (entry && RtlpEntryIsSound(Heap, entry)) {
        if ((PUCHAR)(entry + 1) == (PUCHAR)Address) {
            *Previous = previous;
            return entry->UserSize == RTLP_ENTRY_FREE ? NULL : entry;
        }
        if ((PUCHAR)(entry + 1) > (PUCHAR)Address)
            return NULL;
        previous = entry;
        entry = RtlpNextEntry(Heap, entry);
    }
    return NULL;
}

/* Bytes an entry needs for Size bytes of data; 0 if that cannot fit any heap. */
static ULONG RtlpEntrySizeFor(SIZE_T Size)
{
    if (Size > MM_PROCESS_HEAP_SIZE)
        return 0;
    ULONG data = Size ? ((ULONG)Size + RTLP_HEAP_GRANULARITY - 1) & ~(RTLP_HEAP_GRANULARITY - 1)
                      : RTLP_HEAP_GRANULARITY;
    return data + sizeof(RTLP_HEAP_ENTRY);
}

/* Gives the tail of Entry beyond Size bytes back as a free block, if it can hold one. */
static VOID RtlpSplitEntry(PRTLP_HEAP Heap, PRTLP_HEAP_ENTRY Entry, ULONG Size)
{
    if (Entry->Size - Size < 2 * RTLP_HEAP_GRANULARITY)
        return;
    PRTLP_HEAP_ENTRY tail = (PRTLP_HEAP_ENTRY)((PUCHAR)Entry + Size);
    tail->Size = Entry->Size - Size;
    tail->UserSize = RTLP_ENTRY_FREE;
    Entry->Size = Size;
    PRTLP_HEAP_ENTRY next = RtlpNextEntry(Heap, tail);
    if (next && next->UserSize == RTLP_ENTRY_FREE && RtlpEntryIsSound(Heap, next))
        tail->Size += next->Size;
}

static PVOID RtlpAllocate(PRTLP_HEAP Heap, ULONG Flags, SIZE_T Size)
{
    ULONG need = RtlpEntrySizeFor(Size);
    if (!need)
        return NULL;
    for (PRTLP_HEAP_ENTRY e = RTLP_FIRST_ENTRY(Heap); e && RtlpEntryIsSound(Heap, e); e = RtlpNextEntry(Heap, e)) {
        if (e->UserSize != RTLP_ENTRY_FREE || e->Size < need)
            continue;
        RtlpSplitEntry(Heap, e, need);
        e->UserSize = (ULONG)Size;
        if (Flags & HEAP_ZERO_MEMORY)
            memset(e + 1, 0, Size);
        return e + 1;
    }
    return NULL;
}

/* Marks Entry free and merges it with free neighbours. */
static VOID RtlpFreeEntry(PRTLP_HEAP Heap, PRTLP_HEAP_ENTRY Entry, PRTLP_HEAP_ENTRY Previous)
{
    Entry->UserSize = RTLP_ENTRY_FREE;
    PRTLP_HEAP_ENTRY next = RtlpNextEntry(Heap, Entry);
    if (next && next->UserSize == RTLP_ENTRY_FREE && RtlpEntryIsSound(Heap, next))
        Entry->Size += next->Size;
    if (Previous && Previous->UserSize == RTLP_ENTRY_FREE)
        Previous->Size += Entry->Size;
}

PVOID NTAPI RtlAllocateHeap(PVOID HeapHandle, ULONG Flags, SIZE_T Size)
{
    PRTLP_HEAP heap = RtlpGetHeap(HeapHandle);
    return heap ? RtlpAllocate(heap, Flags, Size) : NULL;
}

BOOLEAN NTAPI RtlFreeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress)
{
    PRTLP_HEAP heap = RtlpGetHeap(HeapHandle);
    PRTLP_HEAP_ENTRY entry, previous;
    (void)Flags;
    if (!heap)
        return FALSE;
    if (!BaseAddress)
        return TRUE;   /* as NT: freeing nothing succeeds */
    entry = RtlpFindBusy(heap, BaseAddress, &previous);
    if (!entry)
        return FALSE;
    RtlpFreeEntry(heap, entry, previous);
    return TRUE;
}

SIZE_T NTAPI RtlSizeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress)
{
    PRTLP_HEAP heap = RtlpGetHeap(HeapHandle);
    PRTLP_HEAP_ENTRY entry, previous;
    (void)Flags;
    entry = heap ? RtlpFindBusy(heap, BaseAddress, &previous) : NULL;
    return entry ? entry->UserSize : (SIZE_T)-1;
}

/* Grows or shrinks Entry where it is; FALSE if the next block cannot give the room. */
static BOOLEAN RtlpResizeInPlace(PRTLP_HEAP Heap, PRTLP_HEAP_ENTRY Entry, ULONG Need)
{
    if (Need > Entry->Size) {
        PRTLP_HEAP_ENTRY next = RtlpNextEntry(Heap, Entry);
        if (!next || next->UserSize != RTLP_ENTRY_FREE || !RtlpEntryIsSound(Heap, next) ||
            Entry->Size + next->Size < Need)
            return FALSE;
        Entry->Size += next->Size;
    }
    RtlpSplitEntry(Heap, Entry, Need);
    return TRUE;
}

PVOID NTAPI RtlReAllocateHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress, SIZE_T Size)
{
    PRTLP_HEAP heap = RtlpGetHeap(HeapHandle);
    PRTLP_HEAP_ENTRY entry, previous;
    ULONG need = RtlpEntrySizeFor(Size);
    entry = heap && BaseAddress ? RtlpFindBusy(heap, BaseAddress, &previous) : NULL;
    if (!entry || !need)
        return NULL;
    ULONG old = entry->UserSize;
    if (RtlpResizeInPlace(heap, entry, need)) {
        entry->UserSize = (ULONG)Size;
        if ((Flags & HEAP_ZERO_MEMORY) && Size > old)
            memset((PUCHAR)(entry + 1) + old, 0, Size - old);
        return entry + 1;
    }
    if (Flags & HEAP_REALLOC_IN_PLACE_ONLY)
        return NULL;
    PUCHAR moved = RtlpAllocate(heap, Flags, Size);
    if (!moved)
        return NULL;
    memcpy(moved, entry + 1, old);
    /* the allocation may have taken the block before: find the neighbour again */
    entry = RtlpFindBusy(heap, BaseAddress, &previous);
    RtlpFreeEntry(heap, entry, previous);
    return moved;
}

/* guest/rtl/unicode.c's allocations: the process heap, as NT's ntdll has them. */
PVOID RtlpAllocateStringBuffer(SIZE_T Size)
{
    return RtlAllocateHeap(NtCurrentTeb()->ProcessEnvironmentBlock->ProcessHeap, 0, Size);
}

VOID RtlpFreeStringBuffer(PVOID Buffer)
{
    if (Buffer)
        RtlFreeHeap(NtCurrentTeb()->ProcessEnvironmentBlock->ProcessHeap, 0, Buffer);
}
