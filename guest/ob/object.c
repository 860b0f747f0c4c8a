/*
 * Objects: a header in front of every body, with its type and its counts.
 * ObCreateObject hands out one reference; each ObReferenceObject adds one
 * and each ObDereferenceObject takes one away; the last runs the type's
 * delete procedure (a file closes, an event just goes) and frees the memory.
 */
#include "../inc/ob.h"

#define OB_POOL_TAG 0x6A624F20   /* ' Obj' */

NTSTATUS NTAPI ObCreateObject(POBJECT_TYPE ObjectType, ULONG BodySize, PVOID *Object)
{
    if (BodySize > EX_POOL_MAX_ALLOCATION - sizeof(OBJECT_HEADER))
        return STATUS_INSUFFICIENT_RESOURCES;
    POBJECT_HEADER header = ExAllocatePoolWithTag(NonPagedPool, sizeof(OBJECT_HEADER) + BodySize, OB_POOL_TAG);
    if (!header)
        return STATUS_INSUFFICIENT_RESOURCES;
    header->PointerCount = 1;
    header->HandleCount = 0;
    header->Type = ObjectType;
    ObjectType->TotalNumberOfObjects++;
    *Object = OBJECT_HEADER_TO_BODY(header);
    return STATUS_SUCCESS;
}

VOID NTAPI ObReferenceObject(PVOID Object)
{
    POBJECT_HEADER header = OBJECT_TO_OBJECT_HEADER(Object);
    if (header->PointerCount <= 0)
        KeBugCheckEx(REFERENCE_BY_POINTER, (ULONG_PTR)header->Type, (ULONG_PTR)Object,
                     (ULONG_PTR)header->PointerCount, 1);
    header->PointerCount++;
}

VOID NTAPI ObDereferenceObject(PVOID Object)
{
    POBJECT_HEADER header = OBJECT_TO_OBJECT_HEADER(Object);
    if (header->PointerCount <= 0 || header->PointerCount <= header->HandleCount)
        KeBugCheckEx(REFERENCE_BY_POINTER, (ULONG_PTR)header->Type, (ULONG_PTR)Object,
                     (ULONG_PTR)header->PointerCount, (ULONG_PTR)header->HandleCount);
    if (--header->PointerCount > 0)
        return;
    POBJECT_TYPE type = header->Type;
    if (type->DeleteProcedure)
        type->DeleteProcedure(Object);
    type->TotalNumberOfObjects--;
    ExFreePoolWithTag(header, OB_POOL_TAG);
}

POBJECT_TYPE ObGetObjectType(PVOID Object)
{
    return OBJECT_TO_OBJECT_HEADER(Object)->Type;
}

ACCESS_MASK ObpMapDesiredAccess(POBJECT_TYPE Type, ACCESS_MASK DesiredAccess)
{
    ACCESS_MASK access = DesiredAccess & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL |
                                           MAXIMUM_ALLOWED);
    if (DesiredAccess & GENERIC_READ)
        access |= Type->GenericMapping.GenericRead;
    if (DesiredAccess & GENERIC_WRITE)
        access |= Type->GenericMapping.GenericWrite;
    if (DesiredAccess & GENERIC_EXECUTE)
        access |= Type->GenericMapping.GenericExecute;
    /* no security descriptors yet: whoever may open an object may do anything with it */
    if (DesiredAccess & (GENERIC_ALL | MAXIMUM_ALLOWED))
        access |= Type->GenericMapping.GenericAll;
    return access & Type->ValidAccessMask;
}
