/* Basic NT types for the guest (i386 and amd64: LLP64, ULONG stays 32-bit; freestanding). */
#ifndef GUEST_NTDEF_H
#define GUEST_NTDEF_H

/* the amd64 kernel: nt/layout.h gives the generic names NT x64's values (not host builds of guest code) */
#if defined(__x86_64__) && !__STDC_HOSTED__ && !defined(_M_AMD64)
#define _M_AMD64 1
#endif

#include <stddef.h>
#include <stdint.h>
#include <nt/ntstatus.h>
#include <nt/layout.h>

/* stdcall on i386; the host build of the object manager's tests has no such convention */
#if defined(__i386__)
#define NTAPI     __attribute__((stdcall))
#define FASTCALL  __attribute__((fastcall))   /* ECX, EDX, then the stack: the DDK's Iof/Kf/Obf routines */
#else
#define NTAPI
#define FASTCALL
#endif
#define IN
#define OUT
#define OPTIONAL

typedef void            VOID, *PVOID;
typedef char            CHAR, *PCHAR;
typedef unsigned char   UCHAR, *PUCHAR, BOOLEAN, *PBOOLEAN;
typedef short           SHORT, CSHORT;
typedef char            CCHAR;
typedef unsigned short  USHORT, *PUSHORT, WCHAR, *PWCHAR, *PWSTR;
typedef const WCHAR    *PCWSTR;
typedef const char     *PCSTR;
typedef int             LONG, *PLONG;
typedef unsigned int    ULONG, *PULONG;
typedef uintptr_t       ULONG_PTR, *PULONG_PTR;    /* unsigned int on i386, as in NT */
typedef size_t          SIZE_T, *PSIZE_T;
typedef intptr_t        LONG_PTR;
typedef long long       LONGLONG;
typedef unsigned long long ULONGLONG, *PULONGLONG;
typedef long long       LONG64;
typedef unsigned long long ULONG64, *PULONG64;
typedef PVOID           HANDLE, *PHANDLE;
typedef NTSTATUS       *PNTSTATUS;
typedef UCHAR           KPROCESSOR_MODE;
typedef ULONG           ACCESS_MASK, *PACCESS_MASK;

#define TRUE  1
#define FALSE 0

typedef union _LARGE_INTEGER {
    struct { ULONG LowPart; LONG HighPart; };
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
    struct { ULONG LowPart; ULONG HighPart; };
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink, *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

#define CONTAINING_RECORD(address, type, field) ((type *)((char *)(address) - offsetof(type, field)))

/* Doubly linked lists with a head, as wdm.h's inline helpers. */
static inline void InitializeListHead(PLIST_ENTRY Head) { Head->Flink = Head->Blink = Head; }
static inline BOOLEAN IsListEmpty(const LIST_ENTRY *Head) { return Head->Flink == Head; }
static inline void InsertTailList(PLIST_ENTRY Head, PLIST_ENTRY Entry)
{
    Entry->Flink = Head;
    Entry->Blink = Head->Blink;
    Head->Blink->Flink = Entry;
    Head->Blink = Entry;
}
/* TRUE if the list is empty afterwards. */
static inline BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
    PLIST_ENTRY next = Entry->Flink, prev = Entry->Blink;
    prev->Flink = next;
    next->Blink = prev;
    return next == prev;
}
static inline PLIST_ENTRY RemoveHeadList(PLIST_ENTRY Head)
{
    PLIST_ENTRY entry = Head->Flink;
    RemoveEntryList(entry);
    return entry;
}

typedef struct _UNICODE_STRING {
    USHORT Length;          /* bytes, not counting a terminator */
    USHORT MaximumLength;
    PWSTR  Buffer;
} UNICODE_STRING, *PUNICODE_STRING;

typedef struct _STRING {
    USHORT Length;          /* bytes, not counting a terminator */
    USHORT MaximumLength;
    PCHAR  Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING;

typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;

typedef enum _MODE { KernelMode = 0, UserMode = 1 } MODE;

#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)
#define NtCurrentThread()  ((HANDLE)(LONG_PTR)-2)

/* Access rights: generic, standard, and what a type maps GENERIC_XXX onto. */
#define DELETE                   0x00010000
#define READ_CONTROL             0x00020000
#define SYNCHRONIZE              0x00100000
#define STANDARD_RIGHTS_REQUIRED 0x000F0000
#define GENERIC_READ             0x80000000
#define GENERIC_WRITE            0x40000000
#define GENERIC_EXECUTE          0x20000000
#define GENERIC_ALL              0x10000000
#define MAXIMUM_ALLOWED          0x02000000

typedef struct _GENERIC_MAPPING {
    ACCESS_MASK GenericRead, GenericWrite, GenericExecute, GenericAll;
} GENERIC_MAPPING, *PGENERIC_MAPPING;

/* OBJECT_ATTRIBUTES: how every NtCreateXxx/NtOpenXxx names its object. */
#define OBJ_INHERIT          0x00000002
#define OBJ_PERMANENT        0x00000010
#define OBJ_EXCLUSIVE        0x00000020
#define OBJ_CASE_INSENSITIVE 0x00000040
#define OBJ_OPENIF           0x00000080
#define OBJ_OPENLINK         0x00000100
#define OBJ_KERNEL_HANDLE    0x00000200
#define OBJ_FORCE_ACCESS_CHECK 0x00000400
#define OBJ_VALID_ATTRIBUTES 0x000007F2

typedef struct _OBJECT_ATTRIBUTES {
    ULONG Length;
    HANDLE RootDirectory;
    PUNICODE_STRING ObjectName;
    ULONG Attributes;
    PVOID SecurityDescriptor;
    PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;

#define InitializeObjectAttributes(p, n, a, r, s) do { \
        (p)->Length = sizeof(OBJECT_ATTRIBUTES); (p)->RootDirectory = (r); \
        (p)->Attributes = (a); (p)->ObjectName = (n); \
        (p)->SecurityDescriptor = (s); (p)->SecurityQualityOfService = NULL; } while (0)

typedef struct _IO_STATUS_BLOCK {
    union { NTSTATUS Status; PVOID Pointer; };
    ULONG_PTR Information;
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;

/* DbgPrint's conversion for a ULONG_PTR: 8 hex digits on i386, 16 on amd64 */
#if defined(__x86_64__)
#define FORMAT_ULONG_PTR "%016lX"
#else
#define FORMAT_ULONG_PTR "%08X"
#endif

#define ARRAYSIZE(a) (sizeof(a) / sizeof((a)[0]))
#define C_ASSERT(e)  _Static_assert(e, #e)

#endif
