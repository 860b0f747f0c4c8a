/* i386 KiServiceTable entries: the routine's address (KiArgumentTable gives its argument bytes). */
#include "../../inc/ke.h"

ULONG KiEncodeServiceTableEntry(ULONG_PTR Routine, ULONG ArgumentBytes)
{
    (void)ArgumentBytes;
    return (ULONG)Routine;
}
