/* Counting the system-call entries in QEMU's TCG log, line by line. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "exec_log.h"

/* The ring-3 PCs whose translated instruction enters the kernel (a handful): PC -> kind. */
#define MAX_GATES 512
struct gates {
    uint64_t pc[MAX_GATES];
    enum exec_insn kind[MAX_GATES];
    int n;
};

static int gate_of(const struct gates *g, uint64_t pc)
{
    for (int i = 0; i < g->n; i++)
        if (g->pc[i] == pc)
            return i;
    return -1;
}

/* "0x7ffe0302:  0f 34    sysenter": a (re)translation of the instruction at pc. */
static void on_in_asm(struct gates *g, const char *line)
{
    unsigned long long pc;
    unsigned b0, b1;
    if (sscanf(line, "0x%llx:  %x %x", &pc, &b0, &b1) != 3)
        return;
    int kind = b0 == 0xCD && b1 == 0x2E ? EXEC_INT2E : b0 == 0x0F && b1 == 0x34 ? EXEC_SYSENTER
             : b0 == 0x0F && b1 == 0x05 ? EXEC_SYSCALL : -1;
    int i = gate_of(g, pc);
    if (i < 0 && kind >= 0 && g->n < MAX_GATES)
        i = g->n++;
    else if (i >= 0 && kind < 0) {   /* the code there changed: forget it */
        g->n--;
        g->pc[i] = g->pc[g->n];
        g->kind[i] = g->kind[g->n];
        return;
    }
    if (i >= 0) {
        g->pc[i] = pc;
        g->kind[i] = (enum exec_insn)kind;
    }
}

/*
 * A gate's "Trace" line is only counted once the next event shows it ran:
 * QEMU logs a TB before it runs it, and a TB whose start finds an exit
 * request (an interrupt due, the I/O thread) returns at once and runs again
 * later, logged again. So a gate logged twice in a row, or followed by a
 * hardware interrupt, did not run the first time (SYSCALL, SYSENTER and
 * INT n are followed by the kernel's entry, with interrupts off).
 */
struct tentative {
    bool held;
    uint64_t pc;
    enum exec_insn kind;
};

static void tentative_commit(struct tentative *t, struct exec_counts *c)
{
    if (t->held)
        c->insns[t->kind]++;
    t->held = false;
}

/* "     7: v=2e e=0000 i=1 cpl=3 IP=001b:7ffe0304 pc=... SP=... env->regs[R_EAX]=00000043": an interrupt
   taken (i=1: by INT n), the privilege level it was taken from, EAX. */
static void on_interrupt(struct exec_counts *c, struct tentative *t, const char *line)
{
    unsigned vector, error, soft, cpl, eax;
    const char *v = strstr(line, " v="), *a = strstr(line, "EAX]=");
    if (!v || !a || sscanf(v, " v=%x e=%x i=%u cpl=%u", &vector, &error, &soft, &cpl) != 4 ||
        sscanf(a, "EAX]=%x", &eax) != 1)
        return;
    if (soft == 0)
        t->held = false;   /* the gate logged before it did not run: the interrupt came first */
    else
        tentative_commit(t, c);
    if (vector == 0x2E && soft == 1 && cpl == 3)
        c->int2e_user[EXEC_SERVICE_OF(eax)]++;
}

int exec_log_count(FILE *log, struct exec_counts *c, char *err, size_t errlen)
{
    static struct gates g;
    struct tentative t = { 0 };
    static unsigned relogged[EXEC_SERVICES];   /* the dump of an entry logged again: read, not counted */
    bool after_fast_entry = false;              /* the last event was KiFastCallEntry's TB */
    char *line = NULL;
    size_t cap = 0;
    unsigned *pending = NULL;   /* the entry just logged: its register dump follows */
    g.n = 0;
    while (getline(&line, &cap, log) > 0) {
        c->lines++;
        unsigned long long cs_base, pc;
        unsigned flags, cflags, eax;
        if (pending && !strncmp(line, "EAX=", 4) && sscanf(line, "EAX=%x", &eax) == 1) {
            pending[EXEC_SERVICE_OF(eax)]++;
            pending = NULL;
        } else if (!strncmp(line, "Trace ", 6)) {
            const char *b = strchr(line, '[');
            if (pending || !b || sscanf(b, "[%llx/%llx/%x/%x]", &cs_base, &pc, &flags, &cflags) != 4) {
                snprintf(err, errlen, "log line %lu: %s", c->lines, pending ? "no registers at an entry" : line);
                free(line);
                return -1;
            }
            int i = (flags & 3) == 3 ? gate_of(&g, pc) : -1;   /* TB flags: CPL in bits 0-1 */
            if (!(i >= 0 && t.held && t.pc == pc))   /* the same gate again: the first did not run */
                tentative_commit(&t, c);
            if (i >= 0)
                t = (struct tentative){ true, pc, g.kind[i] };
            if (pc == c->ki_fast_call_entry && (flags & 3) == 0) {
                /* twice in a row, with no ring-3 code between: the same TB left at its start and run again */
                pending = after_fast_entry ? relogged : c->fast;
                c->fast_entries += !after_fast_entry;
                after_fast_entry = true;
                continue;
            }
            after_fast_entry = false;
            if (pc == c->ki_system_service && (flags & 3) == 0) {
                c->service_entries++;
                pending = c->service;
            }
        } else if (!strncmp(line, "0x", 2)) {
            on_in_asm(&g, line);
        } else if (strstr(line, ": v=")) {
            after_fast_entry = false;
            on_interrupt(c, &t, line);
        }
    }
    tentative_commit(&t, c);
    free(line);
    if (pending) {
        snprintf(err, errlen, "the log ends at an entry");
        return -1;
    }
    return 0;
}
