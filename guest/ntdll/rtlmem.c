/* The Rtl memory routines ntdll exports (the DDK makes them macros for drivers). */
#include "ntrtl.h"

VOID NTAPI RtlCopyMemory(PVOID Destination, const VOID *Source, SIZE_T Length)
{
    memmove(Destination, Source, Length);   /* overlap-safe, as RtlMoveMemory: costs nothing here */
}

VOID NTAPI RtlMoveMemory(PVOID Destination, const VOID *Source, SIZE_T Length)
{
    memmove(Destination, Source, Length);
}

VOID NTAPI RtlZeroMemory(PVOID Destination, SIZE_T Length)
{
    memset(Destination, 0, Length);
}

VOID NTAPI RtlFillMemory(PVOID Destination, SIZE_T Length, UCHAR Fill)
{
    memset(Destination, Fill, Length);
}
