/* Thread services that belong to the kernel core. */
#include "../inc/ke.h"

KPROCESSOR_MODE NTAPI KeGetPreviousMode(void)
{
    return KeGetCurrentThread()->PreviousMode;
}
