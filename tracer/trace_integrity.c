/*
 * Integrity alerts: after boot, KVM's dirty-page log says which pages the
 * guest wrote; the service table and IDT gate 0x2E are compared with what
 * boot left there, and the breakpoints follow a repointed entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nt/layout.h>
#include "trace_internal.h"

void trace_enable_dirty_log(struct tracer *t, struct kvm_vm *vm)
{
    t->dirty_words = kvm_dirty_log_words(vm);
    t->dirty = calloc(t->dirty_words, 8);
    t->dirty_log = t->dirty && kvm_log_dirty_pages(vm) == 0;
}

bool trace_fetch_dirty(struct tracer *t, struct kvm_vm *vm)
{
    return t->dirty_log && kvm_get_dirty_log(vm, t->dirty) == 0;
}

static bool page_dirty(const struct tracer *t, uint64_t gpa)
{
    uint64_t page = gpa / 4096;
    return page / 64 < t->dirty_words && (t->dirty[page / 64] >> (page % 64)) & 1;
}

/* IDT gate 0x2E repointed: an alert, and the breakpoints follow the new KiSystemService. */
static void check_idt_gate(struct tracer *t, const struct trace_stop *st, uint32_t rip)
{
    uint8_t raw[8];
    uint32_t target, gpa;
    if (!t->idt_gate_gpa || !page_dirty(t, t->idt_gate_gpa) ||
        !trace_read_idt_gate(st, IDT_SYSTEM_SERVICE, raw, &target, &gpa) || !memcmp(raw, t->idt_gate, 8))
        return;
    char detail[96];
    snprintf(detail, sizeof(detail), "IDT vector 0x2E now points at 0x%08x", target);
    trace_emit_alert(t, "IDT gate 0x2E changed", detail, t->ki_system_service, target, rip);
    memcpy(t->idt_gate, raw, 8);
    t->ki_system_service = target;
    trace_find_returns(t, &st->view, target);
    trace_arm(t, st->vm);
}

/* Entries of KiServiceTable rewritten since boot (or the last alert). */
static void check_service_table(struct tracer *t, const struct trace_stop *st, uint32_t rip)
{
    for (uint32_t i = 0; t->ki_service_copy && i < t->ki_service_limit; i++) {
        uint64_t gpa;
        uint32_t now, va = t->ki_service_table + i * 4;
        if (!gview_translate(&st->view, va, &gpa) || !page_dirty(t, gpa) || !gview_read_u32(&st->view, va, &now) ||
            now == t->ki_service_copy[i])
            continue;
        char detail[128];
        snprintf(detail, sizeof(detail), "KiServiceTable[0x%X] (%s) rewritten", i,
                 i < t->opt.services->count ? t->opt.services->entries[i].name : "?");
        trace_emit_alert(t, "service table entry changed", detail, t->ki_service_copy[i], now, rip);
        t->ki_service_copy[i] = now;
    }
}

void trace_find_hook(const struct tracer *t, const struct trace_stop *st, struct trace_call *c)
{
    uint32_t now;
    c->routine = 0;
    c->routine_symbol[0] = '\0';
    if (c->table != 0 || c->via == VIA_DIRECT || !t->ki_service_boot || c->index >= t->ki_service_limit ||
        !gview_read_u32(&st->view, t->ki_service_table + c->index * 4, &now) || now == t->ki_service_boot[c->index])
        return;
    c->routine = now;
    trace_symbol_of(t, now, c->routine_symbol, sizeof(c->routine_symbol));
}

/* Compares what was written since the last look with what boot left. */
void trace_check_integrity(struct tracer *t, const struct trace_stop *st, uint32_t rip)
{
    if (!t->booted || !trace_fetch_dirty(t, st->vm))
        return;
    check_idt_gate(t, st, rip);
    check_service_table(t, st, rip);
}
