/*
 * PEB, TEB and process parameters at NT's i386 offsets (XP), so programs
 * built against winternl.h read them where they expect: the fields this
 * system fills are named, the rest are kept as padding of the right size.
 */
#ifndef GUEST_PEBTEB_H
#define GUEST_PEBTEB_H

#include "ntdef.h"

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
    ULONG Spare0;
    LARGE_INTEGER CriticalSectionTimeout;
    ULONG HeapSegmentReserve, HeapSegmentCommit;
    ULONG HeapDeCommitTotalFreeThreshold, HeapDeCommitFreeBlockThreshold;
    ULONG NumberOfHeaps, MaximumNumberOfHeaps;
    PVOID *ProcessHeaps;
    PVOID GdiSharedHandleTable, ProcessStarterHelper;
    ULONG GdiDCAttributeList;
    PVOID LoaderLock;
    ULONG OSMajorVersion, OSMinorVersion;
    USHORT OSBuildNumber, OSCSDVersion;
    ULONG OSPlatformId;
    ULONG ImageSubsystem, ImageSubsystemMajorVersion, ImageSubsystemMinorVersion;
    ULONG ImageProcessAffinityMask;
    ULONG GdiHandleBuffer[34];
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

C_ASSERT(__builtin_offsetof(RTL_USER_PROCESS_PARAMETERS, ImagePathName) == 0x38);
C_ASSERT(__builtin_offsetof(RTL_USER_PROCESS_PARAMETERS, CommandLine) == 0x40);
C_ASSERT(__builtin_offsetof(PEB, ImageBaseAddress) == 0x08);
C_ASSERT(__builtin_offsetof(PEB, Ldr) == 0x0C);
C_ASSERT(__builtin_offsetof(PEB, ProcessParameters) == 0x10);
C_ASSERT(__builtin_offsetof(PEB, ProcessHeap) == 0x18);
C_ASSERT(__builtin_offsetof(PEB, NumberOfProcessors) == 0x64);
C_ASSERT(__builtin_offsetof(PEB, CriticalSectionTimeout) == 0x70);
C_ASSERT(__builtin_offsetof(PEB, ProcessHeaps) == 0x90);
C_ASSERT(__builtin_offsetof(PEB, OSMajorVersion) == 0xA4);
C_ASSERT(__builtin_offsetof(PEB, OSBuildNumber) == 0xAC);
C_ASSERT(__builtin_offsetof(PEB, ImageSubsystem) == 0xB4);
C_ASSERT(__builtin_offsetof(PEB, SessionId) == 0x1D4);
C_ASSERT(__builtin_offsetof(TEB, NtTib.Self) == 0x18);
C_ASSERT(__builtin_offsetof(TEB, ClientId) == 0x20);
C_ASSERT(__builtin_offsetof(TEB, ProcessEnvironmentBlock) == 0x30);
C_ASSERT(__builtin_offsetof(TEB, LastErrorValue) == 0x34);
C_ASSERT(__builtin_offsetof(TEB, ExceptionCode) == 0x1A4);

#endif
