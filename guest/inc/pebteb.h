/* PEB, TEB and process parameters: the parts user mode reads, at NT's offsets. */
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
    BOOLEAN InheritedAddressSpace, ReadImageFileExecOptions, BeingDebugged, Spare;
    HANDLE Mutant;
    PVOID ImageBaseAddress;
    PVOID Ldr;
    PRTL_USER_PROCESS_PARAMETERS ProcessParameters;
} PEB, *PPEB;

typedef struct _TEB {
    PVOID ExceptionList, StackBase, StackLimit, SubSystemTib, FiberData, ArbitraryUserPointer;
    struct _TEB *Self;
    PVOID EnvironmentPointer;
    HANDLE UniqueProcess, UniqueThread;
    PVOID ActiveRpcHandle, ThreadLocalStoragePointer;
    PPEB ProcessEnvironmentBlock;
} TEB, *PTEB;

C_ASSERT(__builtin_offsetof(RTL_USER_PROCESS_PARAMETERS, ImagePathName) == 0x38);
C_ASSERT(__builtin_offsetof(RTL_USER_PROCESS_PARAMETERS, CommandLine) == 0x40);
C_ASSERT(__builtin_offsetof(PEB, ProcessParameters) == 0x10);
C_ASSERT(__builtin_offsetof(TEB, ProcessEnvironmentBlock) == 0x30);

#endif
