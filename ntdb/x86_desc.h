/*
 * x86 descriptors (32-bit protected mode, 8 bytes each): decode, encode and
 * a human description, for the tracer and `!descriptor IDT|GDT <n>`.
 * Layouts from the Intel SDM vol. 3A, 3.4.5 (segment descriptors),
 * 3.5 (system descriptor types) and 6.11 / 5.8.3 / 7.2 (gates, TSS).
 * Pure functions of their arguments: no globals, no I/O.
 */
#ifndef NTVISOR_X86_DESC_H
#define NTVISOR_X86_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a descriptor is. For system descriptors (S bit clear) the value
   equals X86_DESC_SYS_BASE + the 4-bit type field. */
enum x86_desc_kind {
    X86_DESC_CODE,
    X86_DESC_DATA,
    X86_DESC_SYS_BASE,
    X86_DESC_RESERVED = X86_DESC_SYS_BASE,  /* types 0x0, 0x8, 0xA, 0xD */
    X86_DESC_TSS16_AVAIL,                   /* type 0x1 */
    X86_DESC_LDT,                           /* type 0x2 */
    X86_DESC_TSS16_BUSY,                    /* type 0x3 */
    X86_DESC_CALL_GATE16,                   /* type 0x4 */
    X86_DESC_TASK_GATE,                     /* type 0x5 */
    X86_DESC_INT_GATE16,                    /* type 0x6 */
    X86_DESC_TRAP_GATE16,                   /* type 0x7 */
    X86_DESC_TSS32_AVAIL = X86_DESC_SYS_BASE + 0x9,
    X86_DESC_TSS32_BUSY  = X86_DESC_SYS_BASE + 0xB,
    X86_DESC_CALL_GATE32 = X86_DESC_SYS_BASE + 0xC,
    X86_DESC_INT_GATE32  = X86_DESC_SYS_BASE + 0xE,
    X86_DESC_TRAP_GATE32 = X86_DESC_SYS_BASE + 0xF,
};

/* System descriptor types (the 4-bit type field with S clear). */
#define X86_TYPE_TSS16_AVAIL  0x1
#define X86_TYPE_LDT          0x2
#define X86_TYPE_TSS16_BUSY   0x3
#define X86_TYPE_CALL_GATE16  0x4
#define X86_TYPE_TASK_GATE    0x5
#define X86_TYPE_INT_GATE16   0x6
#define X86_TYPE_TRAP_GATE16  0x7
#define X86_TYPE_TSS32_AVAIL  0x9
#define X86_TYPE_TSS32_BUSY   0xB
#define X86_TYPE_CALL_GATE32  0xC
#define X86_TYPE_INT_GATE32   0xE
#define X86_TYPE_TRAP_GATE32  0xF

/* Access byte (byte 5) and flags nibble (high nibble of byte 6). */
#define X86_ACC_P        0x80
#define X86_ACC_DPL(d)   (((d) & 3u) << 5)
#define X86_ACC_S        0x10            /* code or data segment */
#define X86_ACC_CODE     0x08
#define X86_ACC_CONFORM  0x04            /* code: conforming */
#define X86_ACC_EXPDOWN  0x04            /* data: expand-down */
#define X86_ACC_READ     0x02            /* code: readable */
#define X86_ACC_WRITE    0x02            /* data: writable */
#define X86_ACC_ACCESSED 0x01
#define X86_FLAG_G       0x8             /* 4 KiB granularity (chosen by the encoder) */
#define X86_FLAG_DB      0x4             /* 32-bit code / big stack */
#define X86_FLAG_L       0x2             /* 64-bit code (reserved in 32-bit mode) */
#define X86_FLAG_AVL     0x1

struct x86_desc {
    bool present;
    unsigned dpl;
    bool system;                  /* S bit clear: system descriptor or gate */
    unsigned type;                /* the 4-bit type field */
    enum x86_desc_kind kind;

    /* code/data segments, TSS and LDT (zero for gates) */
    uint32_t base;
    uint32_t limit;               /* last valid offset: scaled by granularity */
    bool granularity_4k, db32, long_mode, avl;

    /* code/data segments only (false otherwise) */
    bool code, conforming, readable, writable, accessed, expand_down;

    /* gates only (zero otherwise); a task gate has a selector (the TSS) and no offset */
    uint16_t selector;
    uint32_t offset;              /* 16-bit gates: only the low 16 bits exist */
    unsigned param_count;         /* call gates: dwords (32-bit) or words (16-bit) copied */
};

void x86_desc_decode(const uint8_t raw[8], struct x86_desc *out);

/* A code/data segment, TSS or LDT descriptor. limit is the last valid offset
   (size - 1); granularity is chosen: byte granular up to 0xFFFFF, 4 KiB above,
   which needs the low 12 bits of limit all set. access is the whole byte 5
   (P, DPL, S, type); flags holds G (ignored), D/B, L, AVL as bits 3..0.
   Returns 0, or -1 (raw zeroed) if the limit cannot be represented. */
int x86_desc_encode_segment(uint8_t raw[8], uint32_t base, uint32_t limit, uint8_t access,
                            uint8_t flags);

/* An interrupt, trap, task or call gate (type one of the X86_TYPE_*_GATE*,
   call gates with no parameters). Returns 0, or -1 (raw zeroed) if type is
   not a gate or dpl > 3. */
int x86_desc_encode_gate(uint8_t raw[8], uint16_t selector, uint32_t offset, unsigned type,
                         unsigned dpl, bool present);

/* "code", "data", "32-bit interrupt gate", "LDT", "reserved", ... */
const char *x86_desc_kind_name(enum x86_desc_kind k);

static inline bool x86_desc_kind_is_gate(enum x86_desc_kind k)
{
    return k == X86_DESC_CALL_GATE16 || k == X86_DESC_TASK_GATE || k == X86_DESC_INT_GATE16 ||
           k == X86_DESC_TRAP_GATE16 || k == X86_DESC_CALL_GATE32 || k == X86_DESC_INT_GATE32 ||
           k == X86_DESC_TRAP_GATE32;
}

/* Selectors: index into the table, table indicator (LDT when set), RPL. */
static inline unsigned x86_sel_index(uint16_t s) { return s >> 3; }
static inline bool x86_sel_is_ldt(uint16_t s) { return (s >> 2) & 1; }
static inline unsigned x86_sel_rpl(uint16_t s) { return s & 3; }

/* A description of the descriptor, several lines ending in '\n', into buf
   (always NUL-terminated when len > 0). Returns the length it needed, like
   snprintf: a result >= len means the text was cut. */
int x86_desc_format(const uint8_t raw[8], char *buf, size_t len);

#endif
