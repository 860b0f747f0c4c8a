/* The current process's and thread's ids, as drivers ask for them. */
#include "../inc/ps.h"

HANDLE NTAPI PsGetCurrentProcessId(VOID)
{
    return (HANDLE)(ULONG_PTR)PsGetCurrentProcess()->UniqueProcessId;
}

HANDLE NTAPI PsGetCurrentThreadId(VOID)
{
    return (HANDLE)(ULONG_PTR)KeGetCurrentThread()->ThreadId;
}
