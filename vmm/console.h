/* COM1: enough of a 16550 for polled output; the guest's bytes go to a FILE. */
#ifndef NTVISOR_CONSOLE_H
#define NTVISOR_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct console {
    FILE *out;
    uint8_t lcr, ier, mcr, scr, dll, dlm;
    unsigned long bytes;     /* bytes the guest sent */
};

void console_init(struct console *c, FILE *out);
bool console_handles(uint16_t port);
void console_io(struct console *c, uint16_t port, bool is_write, uint8_t *data);
/* Writes one guest byte: printable text, tab and newlines as they are, anything else as \xNN. */
void console_put(FILE *out, uint8_t byte);

#endif
