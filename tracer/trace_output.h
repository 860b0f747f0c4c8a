/* Writing trace events: text for people (strace-like), JSON Lines for tools. */
#ifndef NTVISOR_TRACE_OUTPUT_H
#define NTVISOR_TRACE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "decode.h"
#include "tracer.h"

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

#endif
