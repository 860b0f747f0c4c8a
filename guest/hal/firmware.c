/* Leaving the machine: the monitor's exit port (QEMU's isa-debug-exit). */
#include <ntvisor/abi.h>
#include "../inc/arch.h"
#include "../inc/hal.h"

void HalReturnToFirmware(ULONG Kind, ULONG Detail)
{
    /* drain the UART so no console byte is lost under a real 16550 */
    while (!(READ_PORT_UCHAR(NTV_COM1_LSR) & NTV_COM1_LSR_TEMT))
        ;
    WRITE_PORT_ULONG(NTV_PORT_EXIT_DETAIL, Detail);
    WRITE_PORT_ULONG(NTV_PORT_EXIT, NTV_EXIT_VALUE(Kind, Detail));
    for (;;) {
        _disable();
        __halt();
    }
}
