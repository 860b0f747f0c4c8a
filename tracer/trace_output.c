/* Trace output: one event per line, in either format. */
#include <string.h>
#include "ntdb/ntstatus_names.h"
#include "trace_output.h"

#define TEXT_ARG_MAX 1024

const char *trace_via_name(enum trace_via via)
{
    switch (via) {
    case VIA_INT2E:     return "int2e";
    case VIA_SYSENTER:  return "sysenter";
    case VIA_KERNEL_ZW: return "kernel-zw";
    case VIA_DIRECT:    return "direct";
    case VIA_SYSCALL:   return "syscall";
    }
    return "?";
}

void json_string(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7F)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* The arguments a call holds: its table may claim more than args[] has room for. */
static unsigned held_args(const struct trace_call *c)
{
    return c->argc < TRACE_MAX_ARGS ? c->argc : TRACE_MAX_ARGS;
}

static void call_name(const struct trace_call *c, char *buf, size_t len)
{
    if (c->name)
        snprintf(buf, len, "%s", c->name);
    else
        snprintf(buf, len, "service#%u:0x%03X", c->table, c->index);
}

void format_call(const struct guest_view *v, const struct trace_call *c, bool at_return, char *buf, size_t len)
{
    const struct service_proto *p = proto_find(c->name);
    const struct decode_ctx d = { v, c->style, c->pid };
    char name[80], arg[TEXT_ARG_MAX];
    size_t n;
    call_name(c, name, sizeof(name));
    n = (size_t)snprintf(buf, len, "%s(", name);
    unsigned argc = held_args(c);
    for (unsigned i = 0; i < c->argc && n < len; i++) {
        if (!c->args_ok) {
            n += (size_t)snprintf(buf + n, len - n, "<arguments unreadable at 0x%08x>", c->arg_ptr);
            break;
        }
        if (i == argc) {
            n += (size_t)snprintf(buf + n, len - n, ", ...");
            break;
        }
        if (p && i < p->argc)
            arg_render(&d, &p->args[i], c->args, argc, i, at_return, arg, sizeof(arg));
        else
            snprintf(arg, sizeof(arg), "0x%x", c->args[i]);
        n += (size_t)snprintf(buf + n, len - n, "%s%s=%s", i ? ", " : "",
                              p && i < p->argc ? p->args[i].name : "arg", arg);
    }
    if (n < len)
        snprintf(buf + n, len - n, ")");
}

/* A call a hook served (its routine in KiServiceTable is not nt's): " <hooked: 0x... outside nt>". */
static void hook_text(const struct trace_call *c, char *buf, size_t len)
{
    buf[0] = '\0';
    if (c->routine)
        snprintf(buf, len, " <hooked: 0x%08x%s%s>", c->routine, c->routine_symbol[0] ? " " : "", c->routine_symbol);
}

static void json_routine(FILE *out, const struct trace_call *c)
{
    if (!c->routine)
        return;
    fprintf(out, ",\"routine\":\"0x%08x\",\"routine_symbol\":", c->routine);
    json_string(out, c->routine_symbol[0] ? c->routine_symbol : NULL);
}

static void status_text(uint32_t status, char *buf, size_t len)
{
    const char *name = ntstatus_name(status);
    snprintf(buf, len, "%s (0x%x)", name ? name : "STATUS_UNKNOWN", status);
}

void emit_call_text(FILE *out, const struct guest_view *v, const struct trace_call *c, uint32_t status,
                    bool unfinished, bool resumed)
{
    char call[8192], st[96], hook[96];
    format_call(v, c, true, call, sizeof(call));
    hook_text(c, hook, sizeof(hook));
    if (unfinished)
        snprintf(st, sizeof(st), "? <unfinished: the guest ended>");
    else
        status_text(status, st, sizeof(st));
    fprintf(out, "[%u:%u %s] %s%s = %s%s\n", c->pid, c->tid, trace_via_name(c->via),
            resumed ? "<... resumed> " : "", call, st, hook);
}

void emit_unfinished_text(FILE *out, const struct guest_view *v, const struct trace_call *c)
{
    char call[8192];
    format_call(v, c, false, call, sizeof(call));
    fprintf(out, "[%u:%u %s] %s <unfinished ...>\n", c->pid, c->tid, trace_via_name(c->via), call);
}

static void json_args(FILE *out, const struct guest_view *v, const struct trace_call *c, bool at_return)
{
    const struct service_proto *p = proto_find(c->name);
    const struct decode_ctx d = { v, c->style, c->pid };
    char arg[TEXT_ARG_MAX];
    unsigned argc = held_args(c);
    fprintf(out, ",\"args\":[");
    for (unsigned i = 0; i < argc && c->args_ok; i++) {
        fprintf(out, "%s{\"name\":", i ? "," : "");
        json_string(out, p && i < p->argc ? p->args[i].name : "arg");
        fprintf(out, ",\"raw\":\"0x%08x\"", c->args[i]);
        if (p && i < p->argc && (!at_return || arg_is_output(p->args[i].kind))) {
            arg_render(&d, &p->args[i], c->args, argc, i, at_return, arg, sizeof(arg));
            fprintf(out, ",\"value\":");
            json_string(out, arg);
            if (arg_decoded(&d, &p->args[i], c->args, argc, i, at_return, arg, sizeof(arg))) {
                fprintf(out, ",\"decoded\":");   /* by name, without the number: flags, a handle's object */
                json_string(out, arg);
            }
        }
        fputc('}', out);
    }
    fputc(']', out);
}

void emit_syscall_json(FILE *out, const struct guest_view *v, const struct trace_call *c, const char *image)
{
    fprintf(out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"syscall\",\"via\":\"%s\",\"prev_mode\":\"%s\","
                 "\"cpl\":%u,\"pid\":%u,\"tid\":%u,\"image\":",
            (unsigned long long)c->seq, (unsigned long long)c->t_ns, trace_via_name(c->via),
            c->prev_mode ? "User" : "Kernel", c->cpl, c->pid, c->tid);
    json_string(out, image);
    fprintf(out, ",\"table\":%u,\"index\":%u,\"name\":", c->table, c->index);
    if (c->name)
        json_string(out, c->name);
    else
        fprintf(out, "null");
    fprintf(out, ",\"argc\":%u,\"args_ok\":%s", c->argc, c->args_ok ? "true" : "false");
    json_args(out, v, c, false);
    json_routine(out, c);
    fprintf(out, ",\"rip\":\"0x%08x\"}\n", c->return_rip);
}

void emit_sysret_json(FILE *out, const struct guest_view *v, const struct trace_call *c, uint64_t seq,
                      uint64_t t_ns, uint32_t status, uint32_t rip, bool unfinished)
{
    fprintf(out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"sysret\",\"call_seq\":%llu,\"via\":\"%s\","
                 "\"pid\":%u,\"tid\":%u,\"table\":%u,\"index\":%u,\"name\":",
            (unsigned long long)seq, (unsigned long long)t_ns, (unsigned long long)c->seq,
            trace_via_name(c->via), c->pid, c->tid, c->table, c->index);
    if (c->name)
        json_string(out, c->name);
    else
        fprintf(out, "null");
    if (unfinished) {
        fprintf(out, ",\"unfinished\":true,\"status\":null,\"status_name\":null");
    } else {
        const char *name = ntstatus_name(status);
        fprintf(out, ",\"unfinished\":false,\"status\":\"0x%08x\",\"status_name\":", status);
        if (name)
            json_string(out, name);
        else
            fprintf(out, "null");
        fprintf(out, ",\"duration_ns\":%llu", (unsigned long long)(t_ns - c->t_ns));
        json_args(out, v, c, true);
        fprintf(out, ",\"rip\":\"0x%08x\"", rip);
    }
    json_routine(out, c);
    fprintf(out, "}\n");
}

void emit_ring(const struct trace_event *e, unsigned from, unsigned to, const char *via, int vector, uint32_t rip)
{
    if (e->json && vector < 0)
        fprintf(e->out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"ring\",\"from\":%u,\"to\":%u,"
                        "\"via\":\"%s\",\"rip\":\"0x%08x\"}\n",
                (unsigned long long)e->seq, (unsigned long long)e->t_ns, from, to, via, rip);
    else if (e->json)
        fprintf(e->out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"ring\",\"from\":%u,\"to\":%u,"
                        "\"via\":\"%s\",\"vector\":%u,\"rip\":\"0x%08x\"}\n",
                (unsigned long long)e->seq, (unsigned long long)e->t_ns, from, to, via, (unsigned)vector, rip);
    else if (vector < 0)
        fprintf(e->out, "--- ring %u -> %u via %s at 0x%08x ---\n", from, to, via, rip);
    else
        fprintf(e->out, "--- ring %u -> %u via %s%s0x%02x at 0x%08x ---\n", from, to, via,
                to == 3 ? " ending " : " ", (unsigned)vector, rip);
}

void emit_msr(const struct trace_event *e, uint32_t index, const char *name, uint64_t old, uint64_t new_value,
              uint64_t rip)
{
    if (e->json)
        fprintf(e->out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"msr\",\"msr\":\"0x%x\","
                        "\"msr_name\":\"%s\",\"old\":\"0x%llx\",\"new\":\"0x%llx\",\"rip\":\"0x%08llx\"}\n",
                (unsigned long long)e->seq, (unsigned long long)e->t_ns, index, name, (unsigned long long)old,
                (unsigned long long)new_value, (unsigned long long)rip);
    else
        fprintf(e->out, "--- msr 0x%x (%s): 0x%llx -> 0x%llx at 0x%08llx ---\n", index, name,
                (unsigned long long)old, (unsigned long long)new_value, (unsigned long long)rip);
}

void emit_alert(const struct trace_event *e, const char *what, const char *detail, uint64_t old,
                uint64_t new_value, const char *old_symbol, const char *new_symbol, uint32_t rip)
{
    if (!e->json) {
        fprintf(e->out, "!!! alert: %s: %s: 0x%llx%s%s%s -> 0x%llx%s%s%s (rip 0x%08x) !!!\n", what, detail,
                (unsigned long long)old, old_symbol[0] ? " (" : "", old_symbol, old_symbol[0] ? ")" : "",
                (unsigned long long)new_value, new_symbol[0] ? " (" : "", new_symbol, new_symbol[0] ? ")" : "",
                rip);
        return;
    }
    fprintf(e->out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"alert\",\"what\":",
            (unsigned long long)e->seq, (unsigned long long)e->t_ns);
    json_string(e->out, what);
    fprintf(e->out, ",\"detail\":");
    json_string(e->out, detail);
    fprintf(e->out, ",\"old\":\"0x%llx\",\"new\":\"0x%llx\",\"old_symbol\":", (unsigned long long)old,
            (unsigned long long)new_value);
    json_string(e->out, old_symbol[0] ? old_symbol : NULL);
    fprintf(e->out, ",\"new_symbol\":");
    json_string(e->out, new_symbol[0] ? new_symbol : NULL);
    fprintf(e->out, ",\"rip\":\"0x%08x\"}\n", rip);
}

void emit_exit(const struct trace_event *e, const char *reason, uint32_t status, const char *status_name,
               bool hw_breakpoints, const struct tracer_stats *st, unsigned long vm_exits)
{
    if (!e->json) {
        fprintf(e->out, "+++ %s (0x%08x%s%s), traced with %s +++\n", reason, status, status_name ? " " : "",
                status_name ? status_name : "", hw_breakpoints ? "hardware breakpoints" : "instruction patching");
        return;
    }
    fprintf(e->out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"exit\",\"reason\":\"%s\","
                    "\"status\":\"0x%08x\",\"status_name\":",
            (unsigned long long)e->seq, (unsigned long long)e->t_ns, reason, status);
    json_string(e->out, status_name);
    /* for benchmarks: VM exits per traced call */
    fprintf(e->out, ",\"trap\":\"%s\",\"stats\":{\"syscalls\":%llu,\"sysrets\":%llu,\"unfinished\":%llu,"
                    "\"msr_writes\":%llu,\"ring_changes\":%llu,\"alerts\":%llu,\"breakpoint_exits\":%llu,"
                    "\"vm_exits\":%lu}}\n",
            hw_breakpoints ? "hw-breakpoint" : "patch", (unsigned long long)st->syscalls,
            (unsigned long long)st->sysrets, (unsigned long long)st->unfinished,
            (unsigned long long)st->msr_writes, (unsigned long long)st->ring_changes,
            (unsigned long long)st->alerts, (unsigned long long)st->breakpoint_exits, vm_exits);
}

void emit_summary(FILE *out, const struct summary_row *rows, size_t n)
{
    uint64_t total_ns = 0, calls = 0, errors = 0;
    for (size_t i = 0; i < n; i++) {
        total_ns += rows[i].ns;
        calls += rows[i].calls;
        errors += rows[i].errors;
    }
    fprintf(out, "%% time     seconds  usecs/call     calls    errors service\n");
    fprintf(out, "------ ----------- ----------- --------- --------- --------------------------------\n");
    for (size_t i = 0; i < n; i++) {
        const struct summary_row *r = &rows[i];
        char errs[24] = "";
        if (r->errors)
            snprintf(errs, sizeof(errs), "%llu", (unsigned long long)r->errors);
        fprintf(out, "%6.2f %11.6f %11llu %9llu %9s %s\n", total_ns ? 100.0 * (double)r->ns / (double)total_ns : 0.0,
                (double)r->ns / 1e9, (unsigned long long)(r->calls ? r->ns / 1000 / r->calls : 0),
                (unsigned long long)r->calls, errs, r->name);
    }
    fprintf(out, "------ ----------- ----------- --------- --------- --------------------------------\n");
    fprintf(out, "100.00 %11.6f %11llu %9llu %9llu total\n", (double)total_ns / 1e9,
            (unsigned long long)(calls ? total_ns / 1000 / calls : 0), (unsigned long long)calls,
            (unsigned long long)errors);
}
