/* Thread services that belong to the kernel core. */
#include "../inc/ke.h"

KPROCESSOR_MODE NTAPI KeGetPreviousMode(void)
{
    return KeGetCurrentThread()->PreviousMode;
}

/* There is one thread to run, so there is never anyone to yield to. */
NTSTATUS NTAPI NtYieldExecution(void)
{
    return STATUS_NO_YIELD_PERFORMED;
}
