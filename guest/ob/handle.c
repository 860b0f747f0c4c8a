/*
 * Handle tables. A handle is (index << 2), with the top bit set for the
 * kernel's table; the low two bits are tag bits and ignored, as on NT. Free
 * entries form a list through NextFreeTableEntry so a closed handle's index
 * is handed out again first. Entry 0 is never used: NULL is never a handle.
 * One processor and no pre-emption inside the kernel: no lock yet.
 */
#include "../inc/ob.h"
#include "../inc/rtl.h"

#define HT_POOL_TAG     0x6C627448   /* 'Htbl' */
#define HT_FIRST_SIZE   32

VOID ObpInitializeHandleTable(PHANDLE_TABLE Table, BOOLEAN KernelTable)
{
    memset(Table, 0, sizeof(*Table));
    Table->KernelTable = KernelTable;
}

static HANDLE ObpIndexToHandle(PHANDLE_TABLE Table, ULONG Index)
{
    return (HANDLE)(ULONG_PTR)((Index << 2) | (Table->KernelTable ? KERNEL_HANDLE_MASK : 0));
}

static BOOLEAN ObpGrow(PHANDLE_TABLE Table)
{
    ULONG capacity = Table->Capacity ? Table->Capacity * 2 : HT_FIRST_SIZE;
    if (capacity > HANDLE_TABLE_MAX_ENTRIES)
        capacity = HANDLE_TABLE_MAX_ENTRIES;
    if (capacity <= Table->Capacity)
        return FALSE;
    PHANDLE_TABLE_ENTRY entries = ExAllocatePoolWithTag(NonPagedPool, capacity * sizeof(*entries), HT_POOL_TAG);
    if (!entries)
        return FALSE;
    if (Table->Table) {
        memcpy(entries, Table->Table, Table->Capacity * sizeof(*entries));
        ExFreePoolWithTag(Table->Table, HT_POOL_TAG);
    }
    /* the new entries join the free list in ascending order; entry 0 stays unused */
    ULONG first = Table->Capacity ? Table->Capacity : 1;
    for (ULONG i = capacity - 1; i >= first; i--) {
        entries[i].Object = NULL;
        entries[i].NextFreeTableEntry = Table->FirstFree;
        Table->FirstFree = i;
    }
    Table->Table = entries;
    Table->Capacity = capacity;
    return TRUE;
}

NTSTATUS ObpCreateHandle(PHANDLE_TABLE Table, PVOID Object, ACCESS_MASK GrantedAccess, PHANDLE Handle)
{
    if (!Table->FirstFree && !ObpGrow(Table))
        return STATUS_INSUFFICIENT_RESOURCES;
    ULONG index = Table->FirstFree;
    PHANDLE_TABLE_ENTRY entry = &Table->Table[index];
    Table->FirstFree = entry->NextFreeTableEntry;

    POBJECT_HEADER header = OBJECT_TO_OBJECT_HEADER(Object);
    ObReferenceObject(Object);
    header->HandleCount++;
    header->Type->TotalNumberOfHandles++;
    entry->Object = header;
    entry->GrantedAccess = GrantedAccess;
    Table->HandleCount++;
    *Handle = ObpIndexToHandle(Table, index);
    return STATUS_SUCCESS;
}

PHANDLE_TABLE_ENTRY ObpLookupHandle(PHANDLE_TABLE Table, HANDLE Handle)
{
    ULONG_PTR value = (ULONG_PTR)Handle;
    if (!Table || ObpIsPseudoHandle(Handle))
        return NULL;
    if (((value & KERNEL_HANDLE_MASK) != 0) != (Table->KernelTable != 0))
        return NULL;
    value &= ~(ULONG_PTR)KERNEL_HANDLE_MASK;
    if (value > 0xFFFFFFFFu)
        return NULL;
    ULONG index = (ULONG)(value >> 2);
    if (index == 0 || index >= Table->Capacity || !Table->Table[index].Object)
        return NULL;
    return &Table->Table[index];
}

NTSTATUS ObpCloseHandle(PHANDLE_TABLE Table, HANDLE Handle)
{
    PHANDLE_TABLE_ENTRY entry = ObpLookupHandle(Table, Handle);
    if (!entry)
        return STATUS_INVALID_HANDLE;
    POBJECT_HEADER header = entry->Object;
    ULONG index = (ULONG)(entry - Table->Table);
    entry->Object = NULL;
    entry->NextFreeTableEntry = Table->FirstFree;
    Table->FirstFree = index;
    Table->HandleCount--;

    PVOID object = OBJECT_HEADER_TO_BODY(header);
    ULONG before = (ULONG)header->HandleCount;
    header->HandleCount--;
    header->Type->TotalNumberOfHandles--;
    if (header->Type->CloseProcedure)
        header->Type->CloseProcedure(object, before);
    ObDereferenceObject(object);
    return STATUS_SUCCESS;
}

VOID ObpSweepHandleTable(PHANDLE_TABLE Table)
{
    for (ULONG i = 1; i < Table->Capacity; i++)
        if (Table->Table[i].Object)
            ObpCloseHandle(Table, ObpIndexToHandle(Table, i));
    if (Table->Table)
        ExFreePoolWithTag(Table->Table, HT_POOL_TAG);
    ObpInitializeHandleTable(Table, Table->KernelTable);
}

NTSTATUS ObpReferenceObjectByHandleInTables(PHANDLE_TABLE ProcessTable, PHANDLE_TABLE KernelTable,
                                            HANDLE Handle, ACCESS_MASK DesiredAccess,
                                            POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                            PVOID *Object, PACCESS_MASK GrantedAccess)
{
    PHANDLE_TABLE table = ProcessTable;
    if (ObpIsKernelHandle(Handle)) {
        /* kernel handles exist for the kernel: from user mode they name nothing */
        if (AccessMode != KernelMode)
            return STATUS_INVALID_HANDLE;
        table = KernelTable;
    }
    PHANDLE_TABLE_ENTRY entry = ObpLookupHandle(table, Handle);
    if (!entry)
        return STATUS_INVALID_HANDLE;
    POBJECT_HEADER header = entry->Object;
    if (ObjectType && header->Type != ObjectType)
        return STATUS_OBJECT_TYPE_MISMATCH;
    if (AccessMode != KernelMode) {
        ACCESS_MASK wanted = ObpMapDesiredAccess(header->Type, DesiredAccess);
        if (wanted & ~entry->GrantedAccess)
            return STATUS_ACCESS_DENIED;
    }
    PVOID body = OBJECT_HEADER_TO_BODY(header);
    ObReferenceObject(body);
    *Object = body;
    if (GrantedAccess)
        *GrantedAccess = entry->GrantedAccess;
    return STATUS_SUCCESS;
}
