/*
 * Integrity alerts: the watched state (KiServiceTable's entries, IDT gate
 * 0x2E) is compared with the host's copy of what boot left there at every
 * system-call entry and return (--one-exit: at every return, before the
 * call is named) and when the guest ends; the system-call MSRs
 * need no copy, their writes exit to the monitor (trace_msr.c).
 *
 * Why copies and not a dirty log: KVM logs dirty pages per memory slot, so
 * logging meant write-protecting all of the guest's RAM again at every look,
 * and each page the guest then wrote (its stacks, its data) cost a nested
 * page fault: about ten per call. Logging only the watched pages would need
 * a memory slot of their own, and the table shares its page with the
 * kernel's busiest data anyway. Comparing ~1 KiB of host memory at an exit
 * the call makes anyway costs no exit and no ioctl.
 *
 * Every look re-translates the watched addresses through the guest's current
 * page tables and IDTR: a hook that remaps the page holding the table (or
 * loads another IDT) shows up as the entries it changed. Not watched: the
 * descriptor's Base repointed at another table (KeServiceDescriptorTable
 * itself), and the table's own kernel-mode-only mapping in another address
 * space (kernel space is shared by all of them here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nt/layout.h>
#include "trace_internal.h"

/* IDT gate 0x2E repointed: an alert, and the breakpoints follow the new KiSystemService. */
static void check_idt_gate(struct tracer *t, const struct trace_stop *st, uint32_t rip)
{
    uint8_t raw[8];
    uint32_t target, gpa;
    if (!t->idt_gate_gpa || !trace_read_idt_gate(st, IDT_SYSTEM_SERVICE, raw, &target, &gpa) ||
        !memcmp(raw, t->idt_gate, 8))
        return;
    char detail[96];
    snprintf(detail, sizeof(detail), "IDT vector 0x2E now points at 0x%08x", target);
    trace_emit_alert(t, "IDT gate 0x2E changed", detail, t->ki_system_service, target, rip);
    memcpy(t->idt_gate, raw, 8);
    t->idt_gate_gpa = gpa;
    t->ki_system_service = target;
    trace_find_returns(t, &st->view, target);
    trace_arm(t, st->vm);
}

static void alert_service_entry(struct tracer *t, uint32_t i, uint32_t now, uint32_t rip)
{
    char detail[128];
    snprintf(detail, sizeof(detail), "KiServiceTable[0x%X] (%s) rewritten", i,
             i < t->opt.services->count ? t->opt.services->entries[i].name : "?");
    trace_emit_alert(t, "service table entry changed", detail, t->ki_service_copy[i], now, rip);
    t->ki_service_copy[i] = now;
}

/* Entries of KiServiceTable rewritten since boot (or the last alert): one memcmp when none is. */
static void check_service_table(struct tracer *t, const struct trace_stop *st, uint32_t rip)
{
    if (!t->ki_service_copy || !t->ki_service_now)
        return;
    /* an entry that cannot be read now (unmapped by a hook) is left as it was */
    size_t words = gview_read_some(&st->view, t->ki_service_table, t->ki_service_now, t->ki_service_limit * 4u) / 4;
    if (!memcmp(t->ki_service_now, t->ki_service_copy, words * 4))
        return;
    for (uint32_t i = 0; i < words; i++)
        if (t->ki_service_now[i] != t->ki_service_copy[i])
            alert_service_entry(t, i, t->ki_service_now[i], rip);
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

void trace_check_integrity(struct tracer *t, const struct trace_stop *st, uint32_t rip)
{
    if (!t->booted)
        return;
    check_idt_gate(t, st, rip);
    check_service_table(t, st, rip);
}
