/* Thread services that belong to the kernel core. */
#include "../inc/ke.h"

PKTHREAD NTAPI KeGetCurrentThread(void)
{
    return KiCurrentThread;
}

KPROCESSOR_MODE NTAPI KeGetPreviousMode(void)
{
    return KeGetCurrentThread()->PreviousMode;
}

KPROCESSOR_MODE NTAPI ExGetPreviousMode(void)
{
    return KeGetPreviousMode();
}
