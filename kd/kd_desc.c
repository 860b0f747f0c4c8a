/*
 * kd: !descriptor IDT|GDT|LDT <index> -- one descriptor from the guest's
 * tables: where it is, its 8 raw bytes, every decoded field, and for a gate
 * the descriptor of the code segment its selector names (the walk from IDT
 * vector 0x2E to KiSystemService through the GDT, done by the debugger).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kd.h"
#include "ntdb/x86_desc.h"

enum table { T_GDT, T_IDT, T_LDT };
static const char *const table_names[] = { "GDT", "IDT", "LDT" };

struct table_info {
    uint32_t base, limit;
    bool usable;
};

static struct table_info table_of(const struct kd_regs *r, enum table t)
{
    switch (t) {
    case T_GDT: return (struct table_info){ r->gdtr_base, r->gdtr_limit, true };
    case T_IDT: return (struct table_info){ r->idtr_base, r->idtr_limit, true };
    case T_LDT: return (struct table_info){ r->ldtr_base, r->ldtr_limit, r->ldtr_usable };
    }
    return (struct table_info){ 0, 0, false };
}

/* Reads entry index of table t; prints where it is and its bytes. false (printed) if it cannot. */
static bool read_entry(struct kd *kd, const struct kd_regs *r, enum table t, uint32_t index, uint8_t raw[8],
                       uint32_t *at)
{
    struct table_info ti = table_of(r, t);
    if (!ti.usable) {
        kd_error(kd, "No LDT is loaded (LDTR %04x)", r->ldtr);
        return false;
    }
    if ((uint64_t)index * 8 + 7 > ti.limit) {
        kd_error(kd, "Index 0x%x is beyond the %s (base %08x, limit %04x: %u entries)", index,
                 table_names[t], ti.base, ti.limit, (ti.limit + 1) / 8);
        return false;
    }
    *at = ti.base + index * 8;
    fprintf(kd->out, "%s base %08x, limit %04x; index 0x%x at %08x\n", table_names[t], ti.base, ti.limit, index,
            *at);
    if (!kd_read(kd, *at, raw, 8)) {
        kd_error(kd, "Memory access error at %08x: the %s entry is not readable", *at, table_names[t]);
        return false;
    }
    fprintf(kd->out, "%08x  %02x %02x %02x %02x %02x %02x %02x %02x\n", *at, raw[0], raw[1], raw[2], raw[3],
            raw[4], raw[5], raw[6], raw[7]);
    return true;
}

static void print_selector(struct kd *kd, const char *what, uint16_t sel)
{
    fprintf(kd->out, "%s selector %04x: %s index %u, RPL %u\n", what, sel, x86_sel_is_ldt(sel) ? "LDT" : "GDT",
            x86_sel_index(sel), x86_sel_rpl(sel));
}

static const char *gate_width(const struct x86_desc *d)
{
    return (d->type & 0x8) ? "32-bit" : "16-bit";
}

/* The decoded fields, one idea per line. */
static void print_decoded(struct kd *kd, const uint8_t raw[8], const struct x86_desc *d)
{
    static const uint8_t zero[8];
    if (!memcmp(raw, zero, 8)) {
        fprintf(kd->out, "null descriptor: not present, describes nothing\n");
        return;
    }
    fprintf(kd->out, "%s: %s, DPL %u, %s\n", x86_desc_kind_name(d->kind), d->present ? "present" : "NOT present",
            d->dpl, d->system ? "system descriptor (S=0)" : "code/data descriptor (S=1)");
    if (x86_desc_kind_is_gate(d->kind)) {
        if (d->kind == X86_DESC_TASK_GATE) {
            print_selector(kd, "TSS", d->selector);
            return;
        }
        fprintf(kd->out, "%s gate, type 0x%x\n", gate_width(d), d->type);
        print_selector(kd, "target code segment", d->selector);
        char sym[300];
        fprintf(kd->out, "target offset %08x", d->offset);
        if (symtab_format(kd->syms, d->offset, sym, sizeof(sym)))
            fprintf(kd->out, " (%s)", sym);
        fputc('\n', kd->out);
        if (d->kind == X86_DESC_CALL_GATE16 || d->kind == X86_DESC_CALL_GATE32)
            fprintf(kd->out, "parameters copied: %u\n", d->param_count);
        return;
    }
    if (d->kind == X86_DESC_RESERVED) {
        fprintf(kd->out, "type 0x%x is reserved in 32-bit protected mode\n", d->type);
        return;
    }
    uint64_t bytes = (uint64_t)d->limit + 1;
    uint32_t raw_limit = d->granularity_4k ? d->limit >> 12 : d->limit;
    fprintf(kd->out, "base %08x, limit %05x in %s (last offset %08x, %llu bytes)\n", d->base, raw_limit,
            d->granularity_4k ? "4 KiB pages" : "bytes", d->limit, (unsigned long long)bytes);
    if (d->kind == X86_DESC_CODE) {
        fprintf(kd->out, "%s default operand size\n", d->long_mode ? "64-bit (L set)" : d->db32 ? "32-bit" : "16-bit");
        fprintf(kd->out, "%s, %s, %s\n", d->conforming ? "conforming" : "non-conforming",
                d->readable ? "readable" : "execute-only", d->accessed ? "accessed" : "not accessed");
    } else if (d->kind == X86_DESC_DATA) {
        fprintf(kd->out, "%s stack/offsets\n", d->db32 ? "32-bit (B set)" : "16-bit");
        fprintf(kd->out, "%s, %s, %s\n", d->expand_down ? "expand-down" : "expand-up",
                d->writable ? "writable" : "read-only", d->accessed ? "accessed" : "not accessed");
    } else if (d->kind == X86_DESC_TSS32_BUSY || d->kind == X86_DESC_TSS16_BUSY) {
        fprintf(kd->out, "busy (the task register holds it)\n");
    }
}

void kd_cmd_descriptor(struct kd *kd, const char *args)
{
    char which[16];
    char index_text[64];
    int n = sscanf(args, "%15s %63s", which, index_text);
    if (n != 2) {
        kd_error(kd, "Usage: !descriptor IDT|GDT|LDT <index>");
        return;
    }
    enum table t;
    if (!strcasecmp(which, "IDT"))
        t = T_IDT;
    else if (!strcasecmp(which, "GDT"))
        t = T_GDT;
    else if (!strcasecmp(which, "LDT"))
        t = T_LDT;
    else {
        kd_error(kd, "Unknown table '%s': IDT, GDT or LDT", which);
        return;
    }
    uint32_t index;
    if (kd_eval(kd, index_text, &index) < 0)
        return;
    if (index > 0x1FFF) {
        kd_error(kd, "Index 0x%x: a descriptor table has at most 0x2000 entries", index);
        return;
    }
    struct kd_regs r;
    if (kd->target->get_regs(kd->target->ctx, &r) < 0) {
        kd_error(kd, "Cannot read the registers");
        return;
    }
    uint8_t raw[8];
    uint32_t at;
    if (!read_entry(kd, &r, t, index, raw, &at))
        return;
    struct x86_desc d;
    x86_desc_decode(raw, &d);
    print_decoded(kd, raw, &d);

    /* a gate leads to the code segment its selector names: decode that one too */
    if (!x86_desc_kind_is_gate(d.kind) || d.kind == X86_DESC_TASK_GATE)
        return;
    enum table tt = x86_sel_is_ldt(d.selector) ? T_LDT : T_GDT;
    fprintf(kd->out, "--- the target code segment: %s index %u ---\n", table_names[tt], x86_sel_index(d.selector));
    if (x86_sel_index(d.selector) == 0 && tt == T_GDT) {
        kd_error(kd, "The gate's selector is null: using it raises #GP");
        return;
    }
    uint8_t traw[8];
    if (!read_entry(kd, &r, tt, x86_sel_index(d.selector), traw, &at))
        return;
    struct x86_desc td;
    x86_desc_decode(traw, &td);
    print_decoded(kd, traw, &td);
    if (td.kind != X86_DESC_CODE)
        fprintf(kd->out, "warning: the gate's target is not a code segment: using the gate raises #GP\n");
    else if (td.present)
        fprintf(kd->out, "handler linear address %08x (segment base + offset)\n", td.base + d.offset);
}
