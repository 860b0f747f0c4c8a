/*
 * NtClose. The object manager and its handle tables are not built yet, so no
 * handle is valid in any table: every close fails as NT fails a bad handle.
 */
#include "../inc/ntdef.h"

NTSTATUS NTAPI NtClose(HANDLE Handle)
{
    (void)Handle;
    return STATUS_INVALID_HANDLE;
}
