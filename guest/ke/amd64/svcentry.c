/*
 * amd64 KiServiceTable entries, compacted as NT x64 keeps them (KeCompactServiceTable):
 * (Routine - KiServiceTable) << 4 | the arguments beyond the four in registers.
 */
#include <nt/svc_compact.h>
#include "../../inc/ke.h"

ULONG KiEncodeServiceTableEntry(ULONG_PTR Routine, ULONG ArgumentBytes)
{
    int32_t entry;
    if (!svc_compact_encode((ULONG_PTR)KiServiceTable, Routine, svc_compact_stack_args(ArgumentBytes / 4), &entry))
        KeBugCheckEx(PHASE0_INITIALIZATION_FAILED, 2, Routine, ArgumentBytes, 0);
    return (ULONG)entry;
}
