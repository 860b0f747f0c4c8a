/* Basic NT types for the guest (i386, freestanding). */
#ifndef GUEST_NTDEF_H
#define GUEST_NTDEF_H

#include <stddef.h>
#include <stdint.h>
#include <nt/ntstatus.h>
#include <nt/layout.h>

#define NTAPI     __attribute__((stdcall))
#define IN
#define OUT
#define OPTIONAL

typedef void            VOID, *PVOID;
typedef char            CHAR, *PCHAR;
typedef unsigned char   UCHAR, *PUCHAR, BOOLEAN, *PBOOLEAN;
typedef short           SHORT;
typedef unsigned short  USHORT, *PUSHORT, WCHAR, *PWCHAR, *PWSTR;
typedef const WCHAR    *PCWSTR;
typedef const char     *PCSTR;
typedef int             LONG, *PLONG;
typedef unsigned int    ULONG, *PULONG;
typedef unsigned int    ULONG_PTR, SIZE_T, *PSIZE_T;
typedef long long       LONGLONG;
typedef unsigned long long ULONGLONG, *PULONGLONG;
typedef PVOID           HANDLE, *PHANDLE;
typedef NTSTATUS       *PNTSTATUS;
typedef UCHAR           KPROCESSOR_MODE;

#define TRUE  1
#define FALSE 0

typedef union _LARGE_INTEGER {
    struct { ULONG LowPart; LONG HighPart; };
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef struct _UNICODE_STRING {
    USHORT Length;          /* bytes, not counting a terminator */
    USHORT MaximumLength;
    PWSTR  Buffer;
} UNICODE_STRING, *PUNICODE_STRING;

typedef enum _MODE { KernelMode = 0, UserMode = 1 } MODE;

#define NtCurrentProcess() ((HANDLE)(LONG)-1)
#define NtCurrentThread()  ((HANDLE)(LONG)-2)

#define ARRAYSIZE(a) (sizeof(a) / sizeof((a)[0]))
#define C_ASSERT(e)  _Static_assert(e, #e)

#endif
