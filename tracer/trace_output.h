/* Writing trace events: text for people (strace-like), JSON Lines for tools. */
#ifndef NTVISOR_TRACE_OUTPUT_H
#define NTVISOR_TRACE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "decode.h"
#include "tracer.h"

/* Where an event goes and its place in the order (the tracer numbers them). */
struct trace_event {
    FILE *out;
    bool json;
    uint64_t seq, t_ns;
};

/* One line of the -c table: a service's calls, the errors among them, their time. */
struct summary_row {
    const char *name;
    uint64_t calls, errors, ns;
};

const char *trace_via_name(enum trace_via via);
/* A JSON string literal (quoted, escaped; ASCII out) for arbitrary bytes; NULL writes null. */
void json_string(FILE *out, const char *s);

/* "NtX(Name=value, ...)" into buf; at_return renders the output side of arguments. */
void format_call(const struct guest_view *v, const struct trace_call *c, bool at_return, char *buf, size_t len);

void emit_syscall_json(FILE *out, const struct guest_view *v, const struct trace_call *c, const char *image);
void emit_sysret_json(FILE *out, const struct guest_view *v, const struct trace_call *c, uint64_t seq,
                      uint64_t t_ns, uint32_t status, uint32_t rip, bool unfinished);
/* A complete call (text): "[pid:tid via] NtX(...) = STATUS (0x...)"; resumed: it was announced unfinished. */
void emit_call_text(FILE *out, const struct guest_view *v, const struct trace_call *c, uint32_t status,
                    bool unfinished, bool resumed);
void emit_unfinished_text(FILE *out, const struct guest_view *v, const struct trace_call *c);

/* A change of privilege level; vector < 0 for a system call or its return. */
void emit_ring(const struct trace_event *e, unsigned from, unsigned to, const char *via, int vector, uint32_t rip);
/* A WRMSR the filter trapped. */
void emit_msr(const struct trace_event *e, uint32_t index, const char *name, uint64_t old, uint64_t new_value,
              uint64_t rip);
/* An integrity alert; the symbols are "" where the addresses have none. */
void emit_alert(const struct trace_event *e, const char *what, const char *detail, uint64_t old,
                uint64_t new_value, const char *old_symbol, const char *new_symbol, uint32_t rip);
/* The -c table (like strace -c), rows in the order given. */
void emit_summary(FILE *out, const struct summary_row *rows, size_t n);
/* How the guest ended; the counters go into JSON only. */
void emit_exit(const struct trace_event *e, const char *reason, uint32_t status, const char *status_name,
               bool hw_breakpoints, const struct tracer_stats *st, unsigned long vm_exits);

#endif
