/* Processes and threads. */
#ifndef GUEST_PS_H
#define GUEST_PS_H

#include "ke.h"

typedef struct _EPROCESS {
    ULONG UniqueProcessId;
    ULONG DirectoryTableBase;      /* physical address of the page directory */
    PVOID Peb;
    NTSTATUS ExitStatus;
    char ImageFileName[16];
} EPROCESS, *PEPROCESS;

typedef struct _ETHREAD {
    KTHREAD Tcb;
} ETHREAD, *PETHREAD;

/* A Multiboot module as the kernel sees it: bytes in KSEG0 and its command line. */
typedef struct _PS_IMAGE_SOURCE {
    const UCHAR *Data;
    ULONG Size;
    const char *CommandLine;
} PS_IMAGE_SOURCE;

extern EPROCESS PsInitialSystemProcess;

void PsInitSystem(void);
/* Creates the first user process and enters it; returns only on failure. */
NTSTATUS PspCreateInitialProcess(const PS_IMAGE_SOURCE *Program, const PS_IMAGE_SOURCE *Ntdll);
/* Loads an ELF32 user image into the current address space; returns its entry point. */
NTSTATUS PspLoadUserImage(const PS_IMAGE_SOURCE *Image, ULONG LowestAddress, ULONG HighestAddress,
                          ULONG *EntryPoint);

__attribute__((noreturn)) void PspExitProcess(NTSTATUS ExitStatus);
__attribute__((noreturn)) void PspTerminateProcessByException(NTSTATUS Status, ULONG Eip, ULONG Address);

static inline PEPROCESS PsGetCurrentProcess(void) { return KeGetCurrentThread()->Process; }

#endif
