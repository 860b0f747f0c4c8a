/* What drivers ask about the current process and thread: ids and the image name. */
#include "../inc/ps.h"

HANDLE NTAPI PsGetCurrentProcessId(VOID)
{
    return (HANDLE)(ULONG_PTR)PsGetCurrentProcess()->UniqueProcessId;
}

HANDLE NTAPI PsGetCurrentThreadId(VOID)
{
    return (HANDLE)(ULONG_PTR)KeGetCurrentThread()->ThreadId;
}

/* The process's image name (EPROCESS.ImageFileName): undocumented, but drivers of the articles' kind use it. */
PCHAR NTAPI PsGetProcessImageFileName(PEPROCESS Process)
{
    return Process->ImageFileName;
}
