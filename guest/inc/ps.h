/* Processes and threads. */
/* ntvisor kd mirrors EPROCESS in kd/kd_layout.h (checked by tests/kd_layout_check.c). */
#ifndef GUEST_PS_H
#define GUEST_PS_H

#include "ke.h"
#include "ob.h"

struct _MMVAD;

typedef struct _EPROCESS {
    ULONG UniqueProcessId;
    ULONG DirectoryTableBase;      /* physical address of the page directory */
    PVOID Peb;
    NTSTATUS ExitStatus;
    char ImageFileName[16];
    HANDLE_TABLE ObjectTable;      /* this process's handles */
    struct _MMVAD *VadRoot;        /* its user address space, a list sorted by address */
} EPROCESS, *PEPROCESS;

typedef struct _ETHREAD {
    KTHREAD Tcb;
    KSCHEDULING_STATE Scheduling;  /* KiThreadScheduling(&Tcb): the dispatcher's part */
} ETHREAD, *PETHREAD;

/* A Multiboot module as the kernel sees it: bytes in KSEG0 and its command line. */
typedef struct _PS_IMAGE_SOURCE {
    const UCHAR *Data;
    ULONG Size;
    const char *CommandLine;
} PS_IMAGE_SOURCE;

extern PEPROCESS PsInitialSystemProcess;
extern OBJECT_TYPE PsProcessType[1], PsThreadType[1];

void PsInitSystem(void);
/* A thread of the System process running StartRoutine(StartContext) in kernel mode. */
NTSTATUS NTAPI PsCreateSystemThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess,
                                    POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle, PVOID ClientId,
                                    PKSTART_ROUTINE StartRoutine, PVOID StartContext);
NTSTATUS NTAPI PsTerminateSystemThread(NTSTATUS ExitStatus);
/* Creates the first user process and enters it; returns only on failure. */
NTSTATUS PspCreateInitialProcess(const PS_IMAGE_SOURCE *Program, const PS_IMAGE_SOURCE *Ntdll);

__attribute__((noreturn)) void PspExitProcess(NTSTATUS ExitStatus);
__attribute__((noreturn)) void PspTerminateProcessByException(NTSTATUS Status, ULONG_PTR Pc, ULONG_PTR Address);

static inline PEPROCESS PsGetCurrentProcess(void) { return KeGetCurrentThread()->Process; }
HANDLE NTAPI PsGetCurrentProcessId(VOID);
HANDLE NTAPI PsGetCurrentThreadId(VOID);
PCHAR NTAPI PsGetProcessImageFileName(PEPROCESS Process);
/* KTHREAD is the first member of ETHREAD, as on NT. */
static inline PETHREAD PsGetCurrentThread(void) { return (PETHREAD)KeGetCurrentThread(); }

#endif
