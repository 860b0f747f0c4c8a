/*
 * System threads: threads of the System process that never leave kernel
 * mode (the worker threads that run work items). Each is a thread object
 * with its own kernel stack and the System process's address space, so in
 * it PsGetCurrentProcess() is System and a handle is looked up in System's
 * table (or the kernel's).
 */
#include "../inc/ps.h"
#include "../inc/mm.h"

#define PSP_SYSTEM_STACK_PAGES 3
static ULONG PspNextThreadId = 0x18;

NTSTATUS NTAPI PsCreateSystemThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess,
                                    POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle, PVOID ClientId,
                                    PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
    PETHREAD thread;
    (void)ClientId;
    if (ProcessHandle)
        return STATUS_NOT_IMPLEMENTED;    /* threads of other processes: not yet */
    if (KeGetPreviousMode() != KernelMode)
        return STATUS_ACCESS_DENIED;
    ULONG attributes = ObjectAttributes ? ObjectAttributes->Attributes : 0;
    PVOID stackTop = MmCreateKernelStack(PSP_SYSTEM_STACK_PAGES);
    if (!stackTop)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = ObCreateObject(PsThreadType, sizeof(ETHREAD), (PVOID *)&thread);
    if (!NT_SUCCESS(status))
        return status;
    thread->Tcb.Process = PsInitialSystemProcess;
    thread->Tcb.ThreadId = PspNextThreadId;
    thread->Tcb.PreviousMode = KernelMode;
    PspNextThreadId += 4;
    ObReferenceObject(thread);            /* the dispatcher's reference: a running thread never goes away */
    KeInitializeThread(&thread->Tcb, stackTop, StartRoutine, StartContext,
                       PsInitialSystemProcess->DirectoryTableBase);
    return ObInsertObject(thread, DesiredAccess, attributes, ThreadHandle);
}

NTSTATUS NTAPI PsTerminateSystemThread(NTSTATUS ExitStatus)
{
    (void)ExitStatus;
    if (PsGetCurrentProcess() != PsInitialSystemProcess)
        return STATUS_INVALID_PARAMETER;
    KeTerminateThread();
}
