/*
 * x64 IDT gates (16 bytes each): decode, encode and a human description, for
 * the tracer's and kd's view of an amd64 guest (`!descriptor IDT 2e`).
 * Layout from the Intel SDM vol. 3A 6.14.1 and the AMD APM vol. 2 4.8.4: in
 * long mode the IDT holds only 64-bit interrupt (0xE) and trap (0xF) gates.
 * Pure functions of their arguments: no globals, no I/O.
 */
#ifndef NTVISOR_X86_GATE64_H
#define NTVISOR_X86_GATE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X86_GATE64_SIZE 16

struct x86_gate64 {
    bool present;
    unsigned dpl;
    unsigned type;          /* the 4-bit type field: 0xE interrupt, 0xF trap gate */
    bool valid;             /* a 64-bit interrupt or trap gate, the S bit and the reserved type bits of
                               the upper half clear: what the CPU accepts when it delivers through it */
    unsigned ist;           /* interrupt stack table index, 0 = the TSS's RSP0 */
    uint16_t selector;
    uint64_t offset;        /* the handler: bits 63:0 from the three offset fields */
};

void x86_gate64_decode(const uint8_t raw[X86_GATE64_SIZE], struct x86_gate64 *out);

/* A 64-bit interrupt or trap gate (type 0xE or 0xF). Returns 0, or -1 (raw zeroed) for
   another type, dpl > 3 or ist > 7. */
int x86_gate64_encode(uint8_t raw[X86_GATE64_SIZE], uint16_t selector, uint64_t offset, unsigned type,
                      unsigned dpl, unsigned ist, bool present);

/* A description, several lines ending in '\n', into buf (always NUL-terminated when len > 0).
   Returns the length it needed, like snprintf. */
int x86_gate64_format(const uint8_t raw[X86_GATE64_SIZE], char *buf, size_t len);

#endif
