/*
 * PEB, TEB and process parameters at NT's offsets (XP's on i386, XP x64's
 * and Windows 7's on amd64: the same fields, pointer-sized where NT's are),
 * so programs built against winternl.h read them where they expect: the
 * fields this system fills are named, the rest are kept as padding of the
 * right size.
 */
#ifndef GUEST_PEBTEB_H
#define GUEST_PEBTEB_H

#include "ntdef.h"

#if defined(__x86_64__)
#define GDI_HANDLE_BUFFER_SIZE 60
#else
#define GDI_HANDLE_BUFFER_SIZE 34
#endif

typedef struct _RTL_USER_PROCESS_PARAMETERS {
    ULONG MaximumLength, Length, Flags, DebugFlags;
    HANDLE ConsoleHandle;
    ULONG ConsoleFlags;
    HANDLE StandardInput, StandardOutput, StandardError;
    UNICODE_STRING CurrentDirectoryPath;
    HANDLE CurrentDirectoryHandle;
    UNICODE_STRING DllPath;
    UNICODE_STRING ImagePathName;
    UNICODE_STRING CommandLine;
} RTL_USER_PROCESS_PARAMETERS, *PRTL_USER_PROCESS_PARAMETERS;

typedef struct _PEB {
    BOOLEAN InheritedAddressSpace, ReadImageFileExecOptions, BeingDebugged, SpareBool;
    HANDLE Mutant;
    PVOID ImageBaseAddress;
    PVOID Ldr;
    PRTL_USER_PROCESS_PARAMETERS ProcessParameters;
    PVOID SubSystemData;
    PVOID ProcessHeap;
    PVOID FastPebLock, FastPebLockRoutine, FastPebUnlockRoutine;
    ULONG EnvironmentUpdateCount;
    PVOID KernelCallbackTable;
    ULONG SystemReserved[1];
    ULONG AtlThunkSListPtr32;
    PVOID FreeList;
    ULONG TlsExpansionCounter;
    PVOID TlsBitmap;
    ULONG TlsBitmapBits[2];
    PVOID ReadOnlySharedMemoryBase, ReadOnlySharedMemoryHeap, ReadOnlyStaticServerData;
    PVOID AnsiCodePageData, OemCodePageData, UnicodeCaseTableData;
    ULONG NumberOfProcessors;
    ULONG NtGlobalFlag;
#if !defined(__x86_64__)
    ULONG Spare0;                   /* i386 aligns LONGLONG to 4 in a structure: NT's padding */
#endif
    LARGE_INTEGER CriticalSectionTimeout;
    SIZE_T HeapSegmentReserve, HeapSegmentCommit;
    SIZE_T HeapDeCommitTotalFreeThreshold, HeapDeCommitFreeBlockThreshold;
    ULONG NumberOfHeaps, MaximumNumberOfHeaps;
    PVOID *ProcessHeaps;
    PVOID GdiSharedHandleTable, ProcessStarterHelper;
    ULONG_PTR GdiDCAttributeList;
    PVOID LoaderLock;
    ULONG OSMajorVersion, OSMinorVersion;
    USHORT OSBuildNumber, OSCSDVersion;
    ULONG OSPlatformId;
    ULONG ImageSubsystem, ImageSubsystemMajorVersion, ImageSubsystemMinorVersion;
    ULONG_PTR ImageProcessAffinityMask;
    ULONG GdiHandleBuffer[GDI_HANDLE_BUFFER_SIZE];
    PVOID PostProcessInitRoutine;
    PVOID TlsExpansionBitmap;
    ULONG TlsExpansionBitmapBits[32];
    ULONG SessionId;
} PEB, *PPEB;

typedef struct _NT_TIB {
    PVOID ExceptionList, StackBase, StackLimit, SubSystemTib, FiberData, ArbitraryUserPointer;
    struct _NT_TIB *Self;
} NT_TIB, *PNT_TIB;

typedef struct _CLIENT_ID {
    HANDLE UniqueProcess, UniqueThread;
} CLIENT_ID, *PCLIENT_ID;

typedef struct _TEB {
    NT_TIB NtTib;
    PVOID EnvironmentPointer;
    CLIENT_ID ClientId;
    PVOID ActiveRpcHandle, ThreadLocalStoragePointer;
    PPEB ProcessEnvironmentBlock;
    ULONG LastErrorValue;
    ULONG CountOfOwnedCriticalSections;
    PVOID CsrClientThread, Win32ThreadInfo;
    ULONG User32Reserved[26], UserReserved[5];
    PVOID WOW32Reserved;
    ULONG CurrentLocale, FpSoftwareStatusRegister;
    PVOID SystemReserved1[54];
    NTSTATUS ExceptionCode;
} TEB, *PTEB;

/* NT's offsets: i386, then amd64 (as mingw-w64's winternl.h has them for x86_64) */
#if defined(__x86_64__)
#define PEBTEB_OFFSET(type, field, i386, amd64) C_ASSERT(__builtin_offsetof(type, field) == (amd64))
#else
#define PEBTEB_OFFSET(type, field, i386, amd64) C_ASSERT(__builtin_offsetof(type, field) == (i386))
#endif
PEBTEB_OFFSET(RTL_USER_PROCESS_PARAMETERS, ImagePathName, 0x38, 0x60);
PEBTEB_OFFSET(RTL_USER_PROCESS_PARAMETERS, CommandLine, 0x40, 0x70);
PEBTEB_OFFSET(PEB, ImageBaseAddress, 0x08, 0x10);
PEBTEB_OFFSET(PEB, Ldr, 0x0C, 0x18);
PEBTEB_OFFSET(PEB, ProcessParameters, 0x10, 0x20);
PEBTEB_OFFSET(PEB, ProcessHeap, 0x18, 0x30);
PEBTEB_OFFSET(PEB, NumberOfProcessors, 0x64, 0xB8);
PEBTEB_OFFSET(PEB, CriticalSectionTimeout, 0x70, 0xC0);
PEBTEB_OFFSET(PEB, ProcessHeaps, 0x90, 0xF0);
PEBTEB_OFFSET(PEB, OSMajorVersion, 0xA4, 0x118);
PEBTEB_OFFSET(PEB, OSBuildNumber, 0xAC, 0x120);
PEBTEB_OFFSET(PEB, ImageSubsystem, 0xB4, 0x128);
PEBTEB_OFFSET(PEB, PostProcessInitRoutine, 0x14C, 0x230);
PEBTEB_OFFSET(PEB, SessionId, 0x1D4, 0x2C0);
PEBTEB_OFFSET(TEB, NtTib.Self, 0x18, 0x30);
PEBTEB_OFFSET(TEB, ClientId, 0x20, 0x40);
PEBTEB_OFFSET(TEB, ProcessEnvironmentBlock, 0x30, 0x60);
PEBTEB_OFFSET(TEB, LastErrorValue, 0x34, 0x68);
PEBTEB_OFFSET(TEB, ExceptionCode, 0x1A4, 0x2C0);

#endif
