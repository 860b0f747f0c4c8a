/* MmIsAddressValid: would touching Va fault? (present in the current address space) */
#include "../inc/mm.h"

BOOLEAN NTAPI MmIsAddressValid(PVOID VirtualAddress)
{
    return MmQueryPhysical((ULONG_PTR)VirtualAddress) != 0;
}
