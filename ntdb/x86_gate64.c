/* x64 IDT gates; see x86_gate64.h. */
#include <stdio.h>
#include <string.h>

#include "x86_gate64.h"

#define GATE64_INTERRUPT 0xE
#define GATE64_TRAP      0xF

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void x86_gate64_decode(const uint8_t raw[X86_GATE64_SIZE], struct x86_gate64 *out)
{
    uint32_t lo = get32(raw), hi = get32(raw + 4), upper = get32(raw + 8), last = get32(raw + 12);
    memset(out, 0, sizeof *out);
    out->selector = (uint16_t)(lo >> 16);
    out->offset = (uint64_t)upper << 32 | (hi & 0xFFFF0000u) | (lo & 0xFFFFu);
    out->ist = hi & 7;
    out->type = (hi >> 8) & 0xF;
    out->dpl = (hi >> 13) & 3;
    out->present = (hi >> 15) & 1;
    /* S (bit 12) clear, and the type field of the upper half (bits 12:8 of its second dword) zero */
    out->valid = (out->type == GATE64_INTERRUPT || out->type == GATE64_TRAP) && !((hi >> 12) & 1) &&
                 !((last >> 8) & 0x1F);
}

int x86_gate64_encode(uint8_t raw[X86_GATE64_SIZE], uint16_t selector, uint64_t offset, unsigned type,
                      unsigned dpl, unsigned ist, bool present)
{
    memset(raw, 0, X86_GATE64_SIZE);
    if ((type != GATE64_INTERRUPT && type != GATE64_TRAP) || dpl > 3 || ist > 7)
        return -1;
    put32(raw, (uint32_t)selector << 16 | (uint32_t)(offset & 0xFFFF));
    put32(raw + 4, (uint32_t)(offset & 0xFFFF0000u) | (present ? 1u << 15 : 0) | dpl << 13 | type << 8 | ist);
    put32(raw + 8, (uint32_t)(offset >> 32));
    return 0;
}

int x86_gate64_format(const uint8_t raw[X86_GATE64_SIZE], char *buf, size_t len)
{
    struct x86_gate64 g;
    x86_gate64_decode(raw, &g);
    const char *kind = !g.valid ? "not a valid 64-bit gate"
                       : g.type == GATE64_INTERRUPT ? "64-bit interrupt gate" : "64-bit trap gate";
    int n = snprintf(buf, len,
                     "bytes %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x\n"
                     "%s (type 0x%X), %s, DPL %u\n"
                     "  target %04x:%08x`%08x (selector index %u, %s, RPL %u), IST %u%s\n",
                     raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], raw[10],
                     raw[11], raw[12], raw[13], raw[14], raw[15], kind, g.type,
                     g.present ? "present" : "not present", g.dpl, g.selector, (unsigned)(g.offset >> 32),
                     (unsigned)g.offset, g.selector >> 3, (g.selector & 4) ? "LDT" : "GDT", g.selector & 3,
                     g.ist, g.ist ? "" : " (RSP0)");
    if (len && n < 0)
        buf[0] = '\0';
    return n < 0 ? 0 : n;
}
