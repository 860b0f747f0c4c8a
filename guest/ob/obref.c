/*
 * The object manager's kernel side: the kernel handle table, and the
 * routines that need to know who is calling -- the current process (whose
 * table a handle is looked up in) and the previous mode (whether
 * OBJ_KERNEL_HANDLE and access checks apply).
 */
#include "../inc/ob.h"
#include "../inc/ps.h"

HANDLE_TABLE ObpKernelHandleTable;

VOID ObInitSystem(VOID)
{
    ObpInitializeHandleTable(&ObpKernelHandleTable, TRUE);
}

/* NtCurrentProcess() and NtCurrentThread(): valid in every process, never in a table. */
static NTSTATUS ObpReferencePseudoHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                         PVOID *Object)
{
    PVOID object = Handle == NtCurrentProcess() ? (PVOID)PsGetCurrentProcess()
                                                : (PVOID)PsGetCurrentThread();
    POBJECT_TYPE type = Handle == NtCurrentProcess() ? PsProcessType : PsThreadType;
    if (ObjectType && ObjectType != type)
        return STATUS_OBJECT_TYPE_MISMATCH;
    (void)DesiredAccess;   /* a pseudo-handle grants all access to one's own process and thread */
    ObReferenceObject(object);
    *Object = object;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                         KPROCESSOR_MODE AccessMode, PVOID *Object, PVOID HandleInformation)
{
    (void)HandleInformation;
    *Object = NULL;
    if (ObpIsPseudoHandle(Handle))
        return ObpReferencePseudoHandle(Handle, DesiredAccess, ObjectType, Object);
    return ObpReferenceObjectByHandleInTables(&PsGetCurrentProcess()->ObjectTable, &ObpKernelHandleTable,
                                              Handle, DesiredAccess, ObjectType, AccessMode, Object, NULL);
}

NTSTATUS NTAPI ObInsertObject(PVOID Object, ACCESS_MASK DesiredAccess, ULONG HandleAttributes, PHANDLE Handle)
{
    PHANDLE_TABLE table = (HandleAttributes & OBJ_KERNEL_HANDLE) ? &ObpKernelHandleTable
                                                                : &PsGetCurrentProcess()->ObjectTable;
    ACCESS_MASK granted = ObpMapDesiredAccess(ObGetObjectType(Object), DesiredAccess);
    NTSTATUS status = ObpCreateHandle(table, Object, granted, Handle);
    ObDereferenceObject(Object);   /* the handle, if any, holds its own reference */
    return status;
}
