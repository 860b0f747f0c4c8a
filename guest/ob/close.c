/*
 * NtClose. A handle is looked up in the current process's table, or in the
 * kernel's when its top bit says so -- and only for a kernel-mode caller:
 * from user mode a kernel handle, a pseudo-handle, a closed or never-opened
 * handle are all STATUS_INVALID_HANDLE.
 */
#include "../inc/ob.h"
#include "../inc/ps.h"

NTSTATUS NTAPI ObCloseHandle(HANDLE Handle, KPROCESSOR_MODE PreviousMode)
{
    if (ObpIsPseudoHandle(Handle))
        return STATUS_INVALID_HANDLE;
    if (ObpIsKernelHandle(Handle)) {
        if (PreviousMode != KernelMode)
            return STATUS_INVALID_HANDLE;
        return ObpCloseHandle(&ObpKernelHandleTable, Handle);
    }
    return ObpCloseHandle(&PsGetCurrentProcess()->ObjectTable, Handle);
}

NTSTATUS NTAPI NtClose(HANDLE Handle)
{
    return ObCloseHandle(Handle, KeGetPreviousMode());
}
