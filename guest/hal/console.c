/* The console: COM1, polled. */
#include <stdarg.h>
#include <ntvisor/abi.h>
#include "../inc/arch.h"
#include "../inc/hal.h"
#include "../inc/rtl.h"

void HalInitializeConsole(void)
{
    WRITE_PORT_UCHAR(NTV_COM1_BASE + 1, 0x00);   /* no interrupts */
    WRITE_PORT_UCHAR(NTV_COM1_BASE + 3, 0x80);   /* DLAB */
    WRITE_PORT_UCHAR(NTV_COM1_BASE + 0, 0x01);   /* 115200 baud */
    WRITE_PORT_UCHAR(NTV_COM1_BASE + 1, 0x00);
    WRITE_PORT_UCHAR(NTV_COM1_BASE + 3, 0x03);   /* 8N1 */
}

static void HalPutChar(char c)
{
    while (!(READ_PORT_UCHAR(NTV_COM1_LSR) & NTV_COM1_LSR_THRE))
        ;
    WRITE_PORT_UCHAR(NTV_COM1_THR, (UCHAR)c);
}

void HalDisplayBuffer(const char *Buffer, ULONG Length)
{
    for (ULONG i = 0; i < Length; i++)
        HalPutChar(Buffer[i]);
}

void HalDisplayString(const char *String)
{
    HalDisplayBuffer(String, strlen(String));
}

void DbgPrint(const char *Format, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, Format);
    RtlFormatV(line, sizeof(line), Format, ap);
    va_end(ap);
    HalDisplayString(line);
}
