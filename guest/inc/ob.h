/*
 * Object manager: typed, reference-counted objects and handle tables.
 *
 * Every object body is preceded by an OBJECT_HEADER naming its OBJECT_TYPE
 * and counting pointer references and handles; the object is deleted when
 * the last reference goes. A handle is an index into a HANDLE_TABLE: one per
 * process (EPROCESS.ObjectTable) and one for the kernel
 * (ObpKernelHandleTable), whose handles have the high bit set (0x8000xxxx),
 * as on NT, so a kernel handle is told apart by its value alone.
 *
 * object.c and handle.c are plain C that also builds on the host (the Check
 * tests in tests/test_ob.c); what needs the current process or previous mode
 * lives in obref.c and close.c.
 *
 * ntvisor kd mirrors HANDLE_TABLE, HANDLE_TABLE_ENTRY, OBJECT_HEADER and
 * OBJECT_TYPE.Name in kd/kd_layout.h (checked by tests/kd_layout_check.c).
 */
#ifndef GUEST_OB_H
#define GUEST_OB_H

#include "ntdef.h"
#include "ex.h"

#ifndef REFERENCE_BY_POINTER
#define REFERENCE_BY_POINTER 0x18     /* bugcheck: a reference count went below zero */
#define INVALID_KERNEL_HANDLE 0x93    /* bugcheck: the kernel closed a handle it does not own */
#endif
__attribute__((noreturn)) void NTAPI KeBugCheckEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4);

typedef struct _OBJECT_TYPE {
    const char *Name;
    GENERIC_MAPPING GenericMapping;       /* GENERIC_XXX -> this type's rights */
    ACCESS_MASK ValidAccessMask;
    VOID (*DeleteProcedure)(PVOID Object);   /* last reference gone; may be NULL */
    VOID (*CloseProcedure)(PVOID Object, ULONG HandleCountBefore); /* a handle closed; may be NULL */
    ULONG TotalNumberOfObjects;
    ULONG TotalNumberOfHandles;
} OBJECT_TYPE, *POBJECT_TYPE;

typedef struct _OBJECT_HEADER {
    LONG PointerCount;     /* references, each handle counting as one */
    LONG HandleCount;
    POBJECT_TYPE Type;
    ULONG Flags;
    /* the object body follows, 8-byte aligned */
} __attribute__((aligned(8))) OBJECT_HEADER, *POBJECT_HEADER;

#define OBJECT_TO_OBJECT_HEADER(o)  ((POBJECT_HEADER)(o) - 1)
#define OBJECT_HEADER_TO_BODY(h)    ((PVOID)((POBJECT_HEADER)(h) + 1))

/* Handles: multiples of 4 (the low two bits are tag bits NT ignores); kernel ones have the top bit. */
#define KERNEL_HANDLE_MASK     0x80000000u
#define OBJ_HANDLE_TAGBITS     0x3u
#define ObpIsKernelHandle(h)   (((ULONG_PTR)(h) & KERNEL_HANDLE_MASK) != 0 && !ObpIsPseudoHandle(h))
#define ObpIsPseudoHandle(h)   ((LONG_PTR)(h) == -1 || (LONG_PTR)(h) == -2)

typedef struct _HANDLE_TABLE_ENTRY {
    POBJECT_HEADER Object;            /* NULL: a free entry */
    union {
        ACCESS_MASK GrantedAccess;    /* in use */
        ULONG NextFreeTableEntry;     /* free: index of the next free entry, 0 ends the list */
    };
} HANDLE_TABLE_ENTRY, *PHANDLE_TABLE_ENTRY;

typedef struct _HANDLE_TABLE {
    PHANDLE_TABLE_ENTRY Table;        /* grows on demand; entry 0 is never used (handle 0 is NULL) */
    ULONG Capacity;
    ULONG FirstFree;
    ULONG HandleCount;
    BOOLEAN KernelTable;              /* hands out 0x8000xxxx handles */
} HANDLE_TABLE, *PHANDLE_TABLE;

/* The most handles one table holds: its entries fit in one pool block. */
#define HANDLE_TABLE_MAX_ENTRIES  (EX_POOL_MAX_ALLOCATION / sizeof(HANDLE_TABLE_ENTRY))

/* ---- object.c */
/* A zeroed object of BodySize bytes with one reference; STATUS_INSUFFICIENT_RESOURCES if no pool. */
NTSTATUS NTAPI ObCreateObject(POBJECT_TYPE ObjectType, ULONG BodySize, PVOID *Object);
VOID NTAPI ObReferenceObject(PVOID Object);
/* Drops one reference; the last one runs the type's DeleteProcedure and frees the object. */
VOID NTAPI ObDereferenceObject(PVOID Object);
/* The fastcall forms wdm.h's ObReferenceObject/ObDereferenceObject macros call (ob/obfast.c). */
LONG_PTR FASTCALL ObfReferenceObject(PVOID Object);
LONG_PTR FASTCALL ObfDereferenceObject(PVOID Object);
POBJECT_TYPE ObGetObjectType(PVOID Object);
/* DesiredAccess with GENERIC_XXX mapped through the type, limited to its valid rights. */
ACCESS_MASK ObpMapDesiredAccess(POBJECT_TYPE Type, ACCESS_MASK DesiredAccess);

/* ---- handle.c: one table, no notion of process or mode */
VOID ObpInitializeHandleTable(PHANDLE_TABLE Table, BOOLEAN KernelTable);
/* Closes every handle left (process exit). */
VOID ObpSweepHandleTable(PHANDLE_TABLE Table);
/* A new handle to Object granting GrantedAccess; the handle holds its own reference. */
NTSTATUS ObpCreateHandle(PHANDLE_TABLE Table, PVOID Object, ACCESS_MASK GrantedAccess, PHANDLE Handle);
/* The entry Handle names in Table, or NULL (free, out of range, NULL, or the other table's kind). */
PHANDLE_TABLE_ENTRY ObpLookupHandle(PHANDLE_TABLE Table, HANDLE Handle);
/* Frees the entry and drops the handle's reference; STATUS_INVALID_HANDLE if there is none. */
NTSTATUS ObpCloseHandle(PHANDLE_TABLE Table, HANDLE Handle);
/*
 * The heart of ObReferenceObjectByHandle, given the two tables it may look
 * in: the current process's and the kernel's. Checks, in NT's order, the
 * table (a kernel handle from user mode is invalid), the type
 * (STATUS_OBJECT_TYPE_MISMATCH) and, for user mode, the access granted
 * (STATUS_ACCESS_DENIED). On success Object is referenced.
 */
NTSTATUS ObpReferenceObjectByHandleInTables(PHANDLE_TABLE ProcessTable, PHANDLE_TABLE KernelTable,
                                            HANDLE Handle, ACCESS_MASK DesiredAccess,
                                            POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                            PVOID *Object, PACCESS_MASK GrantedAccess);

/* ---- obref.c and close.c: the kernel's side (current process, previous mode) */
extern HANDLE_TABLE ObpKernelHandleTable;
VOID ObInitSystem(VOID);
NTSTATUS NTAPI ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                         KPROCESSOR_MODE AccessMode, PVOID *Object, PVOID HandleInformation);
/*
 * Gives a new object (with its creation reference) a handle in the current
 * process's table, or the kernel's with OBJ_KERNEL_HANDLE. The creation
 * reference is consumed either way: on failure the object is deleted.
 */
NTSTATUS NTAPI ObInsertObject(PVOID Object, ACCESS_MASK DesiredAccess, ULONG HandleAttributes, PHANDLE Handle);
NTSTATUS NTAPI NtClose(HANDLE Handle);

/* ---- capture.c: OBJECT_ATTRIBUTES from a service's caller */
typedef struct _OB_CAPTURED_ATTRIBUTES {
    ULONG Attributes;              /* OBJ_KERNEL_HANDLE only for kernel-mode callers */
    HANDLE RootDirectory;
    UNICODE_STRING ObjectName;     /* in pool; Length 0 when there is no name */
} OB_CAPTURED_ATTRIBUTES, *POB_CAPTURED_ATTRIBUTES;
/* ObjectAttributes may be NULL. On success release the capture with ObpReleaseCapturedAttributes. */
NTSTATUS ObpCaptureObjectAttributes(POBJECT_ATTRIBUTES ObjectAttributes, KPROCESSOR_MODE PreviousMode,
                                    POB_CAPTURED_ATTRIBUTES Captured);
VOID ObpReleaseCapturedAttributes(POB_CAPTURED_ATTRIBUTES Captured);
NTSTATUS NTAPI ObCloseHandle(HANDLE Handle, KPROCESSOR_MODE PreviousMode);
/* ex/event.c: writes a new handle to the service's caller; closes it again if that faults. */
NTSTATUS ExpReturnHandle(PHANDLE UserHandle, HANDLE Handle);

#endif
