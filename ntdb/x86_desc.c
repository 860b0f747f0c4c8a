/* x86 segment and gate descriptors (Intel SDM vol. 3A, chapters 3, 5, 6, 7).
 *
 *   segment, TSS, LDT              gate
 *   byte 0-1  limit 15:0           offset 15:0
 *   byte 2-3  base 15:0            selector
 *   byte 4    base 23:16           call gate: param count (4:0)
 *   byte 5    P DPL(2) S type(4)   P DPL(2) 0 type(4)
 *   byte 6    G D/B L AVL limit 19:16   offset 23:16
 *   byte 7    base 31:24           offset 31:24
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "x86_desc.h"

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

void x86_desc_decode(const uint8_t raw[8], struct x86_desc *out)
{
    uint8_t access = raw[5], flags = raw[6] >> 4;

    memset(out, 0, sizeof(*out));
    out->present = access & X86_ACC_P;
    out->dpl = (access >> 5) & 3;
    out->system = !(access & X86_ACC_S);
    out->type = access & 0xF;

    if (!out->system) {
        out->kind = (access & X86_ACC_CODE) ? X86_DESC_CODE : X86_DESC_DATA;
        out->code = access & X86_ACC_CODE;
        out->accessed = access & X86_ACC_ACCESSED;
        if (out->code) {
            out->conforming = access & X86_ACC_CONFORM;
            out->readable = access & X86_ACC_READ;
        } else {
            out->expand_down = access & X86_ACC_EXPDOWN;
            out->writable = access & X86_ACC_WRITE;
        }
    } else {
        switch (out->type) {
        case 0x0: case 0x8: case 0xA: case 0xD:
            out->kind = X86_DESC_RESERVED;
            break;
        default:
            out->kind = (enum x86_desc_kind)(X86_DESC_SYS_BASE + out->type);
            break;
        }
    }

    if (x86_desc_kind_is_gate(out->kind)) {
        out->selector = get16(raw + 2);
        if (out->kind == X86_DESC_TASK_GATE)
            return;
        out->offset = get16(raw);
        if (out->type & 0x8)   /* 32-bit gate */
            out->offset |= (uint32_t)get16(raw + 6) << 16;
        if (out->kind == X86_DESC_CALL_GATE16 || out->kind == X86_DESC_CALL_GATE32)
            out->param_count = raw[4] & 0x1F;
        return;
    }
    if (out->kind == X86_DESC_RESERVED)
        return;

    /* code, data, TSS, LDT: base and limit */
    out->base = (uint32_t)get16(raw + 2) | (uint32_t)raw[4] << 16 | (uint32_t)raw[7] << 24;
    out->limit = (uint32_t)get16(raw) | (uint32_t)(raw[6] & 0xF) << 16;
    out->granularity_4k = flags & X86_FLAG_G;
    out->db32 = flags & X86_FLAG_DB;
    out->long_mode = flags & X86_FLAG_L;
    out->avl = flags & X86_FLAG_AVL;
    if (out->granularity_4k)
        out->limit = out->limit << 12 | 0xFFF;
}

int x86_desc_encode_segment(uint8_t raw[8], uint32_t base, uint32_t limit, uint8_t access,
                            uint8_t flags)
{
    uint32_t field = limit;
    flags &= X86_FLAG_DB | X86_FLAG_L | X86_FLAG_AVL;
    memset(raw, 0, 8);
    if (limit > 0xFFFFF) {
        if ((limit & 0xFFF) != 0xFFF)
            return -1;
        field = limit >> 12;
        flags |= X86_FLAG_G;
    }
    raw[0] = (uint8_t)field;
    raw[1] = (uint8_t)(field >> 8);
    raw[2] = (uint8_t)base;
    raw[3] = (uint8_t)(base >> 8);
    raw[4] = (uint8_t)(base >> 16);
    raw[5] = access;
    raw[6] = (uint8_t)(flags << 4 | ((field >> 16) & 0xF));
    raw[7] = (uint8_t)(base >> 24);
    return 0;
}

int x86_desc_encode_gate(uint8_t raw[8], uint16_t selector, uint32_t offset, unsigned type,
                         unsigned dpl, bool present)
{
    memset(raw, 0, 8);
    switch (type) {
    case X86_TYPE_CALL_GATE16: case X86_TYPE_TASK_GATE: case X86_TYPE_INT_GATE16:
    case X86_TYPE_TRAP_GATE16: case X86_TYPE_CALL_GATE32: case X86_TYPE_INT_GATE32:
    case X86_TYPE_TRAP_GATE32:
        break;
    default:
        return -1;
    }
    if (dpl > 3)
        return -1;
    if (type == X86_TYPE_TASK_GATE)
        offset = 0;
    else if (!(type & 0x8))
        offset &= 0xFFFF;   /* 16-bit gates: bytes 6-7 are reserved (zero) */
    raw[0] = (uint8_t)offset;
    raw[1] = (uint8_t)(offset >> 8);
    raw[2] = (uint8_t)selector;
    raw[3] = (uint8_t)(selector >> 8);
    raw[5] = (uint8_t)((present ? X86_ACC_P : 0) | X86_ACC_DPL(dpl) | type);
    raw[6] = (uint8_t)(offset >> 16);
    raw[7] = (uint8_t)(offset >> 24);
    return 0;
}

const char *x86_desc_kind_name(enum x86_desc_kind k)
{
    switch (k) {
    case X86_DESC_CODE:        return "code segment";
    case X86_DESC_DATA:        return "data segment";
    case X86_DESC_RESERVED:    return "reserved system type";
    case X86_DESC_TSS16_AVAIL: return "16-bit TSS (available)";
    case X86_DESC_LDT:         return "LDT";
    case X86_DESC_TSS16_BUSY:  return "16-bit TSS (busy)";
    case X86_DESC_CALL_GATE16: return "16-bit call gate";
    case X86_DESC_TASK_GATE:   return "task gate";
    case X86_DESC_INT_GATE16:  return "16-bit interrupt gate";
    case X86_DESC_TRAP_GATE16: return "16-bit trap gate";
    case X86_DESC_TSS32_AVAIL: return "32-bit TSS (available)";
    case X86_DESC_TSS32_BUSY:  return "32-bit TSS (busy)";
    case X86_DESC_CALL_GATE32: return "32-bit call gate";
    case X86_DESC_INT_GATE32:  return "32-bit interrupt gate";
    case X86_DESC_TRAP_GATE32: return "32-bit trap gate";
    }
    return "unknown";
}

/* snprintf into buf at *pos, keeping the would-be length like snprintf does. */
struct out {
    char *buf;
    size_t len, pos;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    size_t room = o->pos < o->len ? o->len - o->pos : 0;
    va_start(ap, fmt);
    int n = vsnprintf(room ? o->buf + o->pos : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->pos += (size_t)n;
}

static void put_selector(struct out *o, uint16_t sel)
{
    put(o, "index %u, %s, RPL %u", x86_sel_index(sel), x86_sel_is_ldt(sel) ? "LDT" : "GDT",
        x86_sel_rpl(sel));
}

int x86_desc_format(const uint8_t raw[8], char *buf, size_t len)
{
    static const uint8_t zero[8];
    struct out o = { .buf = buf, .len = len, .pos = 0 };
    struct x86_desc d;

    if (len)
        buf[0] = '\0';
    x86_desc_decode(raw, &d);
    put(&o, "bytes %02x %02x %02x %02x %02x %02x %02x %02x\n", raw[0], raw[1], raw[2], raw[3],
        raw[4], raw[5], raw[6], raw[7]);
    if (!memcmp(raw, zero, 8)) {
        put(&o, "null descriptor (not present)\n");
        return o.pos > (size_t)0x7FFFFFFF ? 0x7FFFFFFF : (int)o.pos;
    }

    put(&o, "%s", x86_desc_kind_name(d.kind));
    if (d.kind == X86_DESC_RESERVED)
        put(&o, " 0x%X", d.type);
    put(&o, ", %s, DPL %u\n", d.present ? "present" : "not present", d.dpl);

    if (x86_desc_kind_is_gate(d.kind)) {
        if (d.kind == X86_DESC_TASK_GATE) {
            put(&o, "  TSS selector %04x (", d.selector);
        } else {
            put(&o, "  target %04x:%0*x (selector ", d.selector, (d.type & 0x8) ? 8 : 4,
                d.offset);
        }
        put_selector(&o, d.selector);
        put(&o, ")\n");
        if (d.kind == X86_DESC_CALL_GATE16 || d.kind == X86_DESC_CALL_GATE32)
            put(&o, "  %u parameter %s%s copied\n", d.param_count,
                d.kind == X86_DESC_CALL_GATE32 ? "dword" : "word", d.param_count == 1 ? "" : "s");
    } else if (d.kind != X86_DESC_RESERVED) {
        put(&o, "  base %08x, limit %08x (%s granularity)\n", d.base, d.limit,
            d.granularity_4k ? "4 KiB" : "byte");
        if (d.kind == X86_DESC_CODE) {
            put(&o, "  %s, %s, %s, %s", d.long_mode ? "64-bit" : d.db32 ? "32-bit" : "16-bit",
                d.readable ? "execute/read" : "execute-only",
                d.conforming ? "conforming" : "non-conforming",
                d.accessed ? "accessed" : "not accessed");
        } else if (d.kind == X86_DESC_DATA) {
            put(&o, "  %s, %s, %s, %s", d.db32 ? "32-bit (big)" : "16-bit",
                d.writable ? "read/write" : "read-only", d.expand_down ? "expand-down" : "expand-up",
                d.accessed ? "accessed" : "not accessed");
        } else if (d.avl) {
            put(&o, "  AVL set\n");
        }
        if (!d.system)
            put(&o, "%s\n", d.avl ? ", AVL set" : "");
    }
    return o.pos > (size_t)0x7FFFFFFF ? 0x7FFFFFFF : (int)o.pos;
}
