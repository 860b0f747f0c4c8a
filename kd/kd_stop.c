/* The stop point: --stop parsing, which system calls are stops, and their descriptions. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "kd_stop.h"

/* A service name as NT spells it in the kernel: ReadFile and ZwReadFile are NtReadFile. */
static int parse_service(struct kd_stop *s, const char *arg)
{
    size_t len = strlen(arg);
    if (!len || len > KD_STOP_SERVICE_MAX)
        return -1;
    for (const char *p = arg; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return -1;
    bool prefixed = len > 2 && (!strncmp(arg, "Nt", 2) || !strncmp(arg, "Zw", 2));
    s->kind = KD_STOP_SERVICE;
    snprintf(s->service, sizeof(s->service), "Nt%s", prefixed ? arg + 2 : arg);
    return 0;
}

int kd_stop_parse(struct kd_stop *s, const char *arg)
{
    if (!strcmp(arg, "boot"))
        s->kind = KD_STOP_BOOT;
    else if (!strcmp(arg, "exit"))
        s->kind = KD_STOP_EXIT;
    else if (!strcmp(arg, "first-syscall"))
        s->kind = KD_STOP_FIRST_SYSCALL;
    else
        return parse_service(s, arg);
    return 0;
}

bool kd_stop_is_call(const struct kd_stop *s, const struct trace_call *c, unsigned stops_so_far)
{
    switch (s->kind) {
    case KD_STOP_FIRST_SYSCALL:
        /* the program's own call: the kernel's calls before it are not the program's */
        return c->cpl == 3 && stops_so_far == 0;
    case KD_STOP_SERVICE:
        return c->table == 0 && c->name && !strcmp(c->name, s->service);
    default:
        return false;
    }
}

void kd_stop_describe_call(const struct kd_stop *s, const struct trace_call *c, char *buf, size_t len)
{
    snprintf(buf, len, "system call %s0x%x via %s (--stop=%s)", c->table ? "table 1, " : "", c->index,
             c->via == VIA_SYSENTER ? "SYSENTER, nt!KiFastCallEntry"
             : c->via == VIA_SYSCALL ? "SYSCALL, nt!KiFastCallEntry" : "nt!KiSystemService",
             s->kind == KD_STOP_FIRST_SYSCALL ? "first-syscall" : s->service);
}

void kd_stop_describe_exit(const struct kd_stop *s, const char *reason, char *buf, size_t len)
{
    snprintf(buf, len, "the guest ended: %s%s", reason, s->kind == KD_STOP_EXIT ? " (--stop=exit)" : "");
}
