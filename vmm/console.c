/* The COM1 device. Input is never offered; output is flushed at each newline. */
#include <ntvisor/abi.h>
#include "console.h"

#define UART_RBR_THR 0
#define UART_IER     1
#define UART_IIR     2
#define UART_LCR     3
#define UART_MCR     4
#define UART_LSR     5
#define UART_MSR     6
#define UART_SCR     7
#define UART_LCR_DLAB 0x80
#define UART_IIR_NONE 0x01
#define UART_MSR_IDLE 0xB0   /* DCD, DSR, CTS */

void console_init(struct console *c, FILE *out)
{
    *c = (struct console){ .out = out, .lcr = 0x03 };
}

bool console_handles(uint16_t port)
{
    return port >= NTV_COM1_BASE && port < NTV_COM1_BASE + 8;
}

void console_put(FILE *out, uint8_t byte)
{
    if ((byte >= 0x20 && byte < 0x7F) || byte == '\n' || byte == '\t' || byte == '\r')
        fputc(byte, out);
    else
        fprintf(out, "\\x%02x", byte);
    if (byte == '\n')
        fflush(out);
}

void console_io(struct console *c, uint16_t port, bool is_write, uint8_t *data)
{
    unsigned reg = port - NTV_COM1_BASE;
    bool dlab = c->lcr & UART_LCR_DLAB;

    if (is_write) {
        switch (reg) {
        case UART_RBR_THR:
            if (dlab) {
                c->dll = *data;
            } else {
                console_put(c->out, *data);
                c->bytes++;
            }
            break;
        case UART_IER: if (dlab) c->dlm = *data; else c->ier = *data & 0x0F; break;
        case UART_LCR: c->lcr = *data; break;
        case UART_MCR: c->mcr = *data & 0x1F; break;
        case UART_SCR: c->scr = *data; break;
        default: break;   /* FCR, LSR, MSR: nothing to keep */
        }
        return;
    }
    switch (reg) {
    case UART_RBR_THR: *data = dlab ? c->dll : 0; break;
    case UART_IER: *data = dlab ? c->dlm : c->ier; break;
    case UART_IIR: *data = UART_IIR_NONE; break;
    case UART_LCR: *data = c->lcr; break;
    case UART_MCR: *data = c->mcr; break;
    case UART_LSR: *data = NTV_COM1_LSR_THRE | NTV_COM1_LSR_TEMT; break;
    case UART_MSR: *data = UART_MSR_IDLE; break;
    default: *data = c->scr; break;
    }
}
