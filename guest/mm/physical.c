/*
 * Physical pages: a bump allocator over the memory KSEG0 maps, with a list of
 * freed pages linked through their KSEG0 view. The same on every architecture.
 */
#include "../inc/mm.h"
#include "../inc/rtl.h"

static ULONG_PTR MiNextFreePhysical;
static ULONG_PTR MiFreePageList;      /* physical address of the first freed page, linked through KSEG0 */
static ULONG MiFreePageCount;
static ULONG_PTR MiPhysicalTop;

void MmInitSystem(ULONG_PTR FirstFreePhysical, ULONG_PTR PhysicalTop)
{
    MiNextFreePhysical = (FirstFreePhysical + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    MiPhysicalTop = PhysicalTop > MI_KSEG0_LIMIT ? MI_KSEG0_LIMIT : PhysicalTop;
}

ULONG_PTR MmAllocatePhysicalPage(void)
{
    if (MiFreePageList) {
        ULONG_PTR page = MiFreePageList;
        MiFreePageList = *(PULONG_PTR)MmPhysicalToVirtual(page);
        MiFreePageCount--;
        memset(MmPhysicalToVirtual(page), 0, PAGE_SIZE);
        return page;
    }
    if (MiNextFreePhysical + PAGE_SIZE > MiPhysicalTop)
        return 0;
    ULONG_PTR page = MiNextFreePhysical;
    MiNextFreePhysical += PAGE_SIZE;
    memset(MmPhysicalToVirtual(page), 0, PAGE_SIZE);
    return page;
}

PVOID MmCreateKernelStack(ULONG Pages)
{
    /* from the never-used top of memory: only there are pages known to be contiguous */
    ULONG_PTR size = (ULONG_PTR)Pages * PAGE_SIZE;
    if (Pages == 0 || MiNextFreePhysical + size > MiPhysicalTop || MiNextFreePhysical + size < MiNextFreePhysical)
        return NULL;
    ULONG_PTR base = MiNextFreePhysical;
    MiNextFreePhysical += size;
    memset(MmPhysicalToVirtual(base), 0, size);
    return (PUCHAR)MmPhysicalToVirtual(base) + size;
}

void MmFreePhysicalPage(ULONG_PTR Page)
{
    *(PULONG_PTR)MmPhysicalToVirtual(Page) = MiFreePageList;
    MiFreePageList = Page;
    MiFreePageCount++;
}

SIZE_T MmFreePhysicalBytes(void)
{
    return MiPhysicalTop - MiNextFreePhysical + MiFreePageCount * PAGE_SIZE;
}
