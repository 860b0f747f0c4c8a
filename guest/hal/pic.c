/*
 * The 8259 interrupt controllers. The firmware may leave IRQ 0 mapped onto
 * vector 8 (#DF); remap both controllers above the CPU exceptions, at 0x30,
 * as NT's HAL does, and mask every line until a driver asks for one.
 */
#include "../inc/arch.h"
#include "../inc/hal.h"

#define PIC1_COMMAND 0x20
#define PIC1_DATA    0x21
#define PIC2_COMMAND 0xA0
#define PIC2_DATA    0xA1
#define PIC_ICW1     0x11      /* edge triggered, cascade, ICW4 follows */
#define PIC_ICW4     0x01      /* 8086 mode */
#define PRIMARY_VECTOR_BASE 0x30
#define PIC_EOI      0x20

void HalInitializePic(void)
{
    WRITE_PORT_UCHAR(PIC1_COMMAND, PIC_ICW1);
    WRITE_PORT_UCHAR(PIC2_COMMAND, PIC_ICW1);
    WRITE_PORT_UCHAR(PIC1_DATA, PRIMARY_VECTOR_BASE);
    WRITE_PORT_UCHAR(PIC2_DATA, PRIMARY_VECTOR_BASE + 8);
    WRITE_PORT_UCHAR(PIC1_DATA, 1 << 2);    /* secondary on IRQ 2 */
    WRITE_PORT_UCHAR(PIC2_DATA, 2);
    WRITE_PORT_UCHAR(PIC1_DATA, PIC_ICW4);
    WRITE_PORT_UCHAR(PIC2_DATA, PIC_ICW4);
    WRITE_PORT_UCHAR(PIC1_DATA, 0xFF);
    WRITE_PORT_UCHAR(PIC2_DATA, 0xFF);
}

void HalEnableInterrupt(ULONG Irq)
{
    USHORT port = Irq < 8 ? PIC1_DATA : PIC2_DATA;
    WRITE_PORT_UCHAR(port, READ_PORT_UCHAR(port) & ~(1u << (Irq & 7)));
    if (Irq >= 8)
        WRITE_PORT_UCHAR(PIC1_DATA, READ_PORT_UCHAR(PIC1_DATA) & ~(1u << 2));
}

void HalEndOfInterrupt(ULONG Irq)
{
    if (Irq >= 8)
        WRITE_PORT_UCHAR(PIC2_COMMAND, PIC_EOI);
    WRITE_PORT_UCHAR(PIC1_COMMAND, PIC_EOI);
}
