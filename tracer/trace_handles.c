/* -y: the objects handles refer to, from the calls that made them (see trace_handles.h). */
#include <stdio.h>
#include <string.h>
#include "decode.h"
#include "trace_handles.h"

#define KERNEL_HANDLE_BIT 0x80000000u
#define HANDLE_TAG_BITS   3u

/* NT ignores a handle's two low bits; a kernel handle belongs to no process. */
static void handle_key(unsigned *pid, uint32_t *handle)
{
    if ((*handle & KERNEL_HANDLE_BIT) && *handle < 0xFFFFFFFEu)   /* not -1 or -2, the current process or thread */
        *pid = 0;
    *handle &= ~HANDLE_TAG_BITS;
}

static struct trace_handle *slot_of(const struct trace_handles *h, unsigned pid, uint32_t handle)
{
    handle_key(&pid, &handle);
    for (size_t i = 0; i < TRACE_HANDLES_MAX; i++)
        if (h->slot[i].used && h->slot[i].pid == pid && h->slot[i].handle == handle)
            return (struct trace_handle *)&h->slot[i];
    return NULL;
}

const struct trace_handle *trace_handles_find(const struct trace_handles *h, unsigned pid, uint32_t handle)
{
    return slot_of(h, pid, handle);
}

/* A free slot, or (the map full) the next one in turn. */
static struct trace_handle *free_slot(struct trace_handles *h)
{
    for (size_t i = 0; i < TRACE_HANDLES_MAX; i++)
        if (!h->slot[i].used)
            return &h->slot[i];
    struct trace_handle *e = &h->slot[h->next_reuse % TRACE_HANDLES_MAX];
    h->next_reuse = (h->next_reuse + 1) % TRACE_HANDLES_MAX;
    return e;
}

void trace_handles_add(struct trace_handles *h, unsigned pid, uint32_t handle, const char *type, const char *name)
{
    struct trace_handle *e = slot_of(h, pid, handle);
    if (!e)
        e = free_slot(h);
    handle_key(&pid, &handle);
    e->used = true;
    e->pid = pid;
    e->handle = handle;
    snprintf(e->type, sizeof(e->type), "%s", type);
    snprintf(e->name, sizeof(e->name), "%s", name);
}

void trace_handles_forget(struct trace_handles *h, unsigned pid, uint32_t handle)
{
    struct trace_handle *e = slot_of(h, pid, handle);
    if (e)
        e->used = false;
}

bool trace_handles_describe(const struct trace_handles *h, unsigned pid, uint32_t handle, unsigned detail,
                            char *out, size_t outlen)
{
    const struct trace_handle *e = slot_of(h, pid, handle);
    if (outlen)
        out[0] = '\0';
    if (!e || !detail || !outlen)
        return false;
    if (detail >= 2 && e->name[0])
        snprintf(out, outlen, "<%s:%s>", e->type, e->name);
    else
        snprintf(out, outlen, "<%s>", e->name[0] ? e->name : e->type);
    return true;
}

void trace_handles_type_of(const char *service, char *out, size_t outlen)
{
    static const char *const verbs[] = { "NtCreate", "NtOpen" };
    if (outlen)
        out[0] = '\0';
    for (size_t i = 0; service && i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        size_t n = strlen(verbs[i]);
        if (!strncmp(service, verbs[i], n) && service[n]) {
            const char *type = service + n;
            size_t len = strlen(type);
            /* NtCreateNamedPipeFile, NtCreateMailslotFile: files too */
            snprintf(out, outlen, "%s", len > 4 && !strcmp(type + len - 4, "File") ? "File" : type);
            return;
        }
    }
}

/* A counted UTF-16 name at va as text: printable ASCII as it is, the rest escaped, cut with "...". */
static void read_name(const struct guest_view *v, uint32_t va, uint32_t length_bytes, char *out, size_t outlen)
{
    uint16_t units[TRACE_HANDLE_NAME];
    uint32_t count = length_bytes / 2, shown = count < TRACE_HANDLE_NAME ? count : TRACE_HANDLE_NAME;
    size_t n = 0;
    out[0] = '\0';
    if (!shown || !gview_read(v, va, units, shown * 2))
        return;
    uint32_t i;
    for (i = 0; i < shown; i++) {
        char c[8];
        int k = units[i] >= 0x20 && units[i] < 0x7F ? snprintf(c, sizeof(c), "%c", units[i])
                                                    : snprintf(c, sizeof(c), units[i] <= 0xFF ? "\\x%02x" : "\\u%04x",
                                                               units[i]);
        if (n + (size_t)k + 4 > outlen)
            break;
        memcpy(out + n, c, (size_t)k + 1);
        n += (size_t)k;
    }
    if (i < count)
        snprintf(out + n, outlen - n, "...");
}

/* The name an OBJECT_ATTRIBUTES gives, after its root directory's where that is known; "" if none. */
static void object_name(const struct trace_handles *h, const struct guest_view *v, unsigned pid, uint32_t oa_va,
                        char *out, size_t outlen)
{
    uint32_t oa[3];   /* Length, RootDirectory, ObjectName */
    uint8_t us[8];    /* UNICODE_STRING: Length, MaximumLength, Buffer */
    char relative[TRACE_HANDLE_NAME];
    out[0] = '\0';
    if (!oa_va || !gview_read(v, oa_va, oa, sizeof(oa)) || !oa[2] || !gview_read(v, oa[2], us, sizeof(us)))
        return;
    uint32_t buffer = (uint32_t)us[4] | (uint32_t)us[5] << 8 | (uint32_t)us[6] << 16 | (uint32_t)us[7] << 24;
    read_name(v, buffer, (uint32_t)(us[0] | us[1] << 8), relative, sizeof(relative));
    const struct trace_handle *root = oa[1] ? slot_of(h, pid, oa[1]) : NULL;
    int n = root && root->name[0] ? snprintf(out, outlen, "%s\\%s", root->name, relative)
                                  : snprintf(out, outlen, "%s", relative);
    if (n >= (int)outlen && outlen > 4)
        memcpy(out + outlen - 4, "...", 4);   /* cut: say so */
}

void trace_handles_note_made(struct trace_handles *h, const struct guest_view *v, const struct trace_call *c,
                             uint32_t status)
{
    const struct service_proto *p = proto_find(c->name);
    if (!p || (int32_t)status < 0 || !c->args_ok)
        return;
    uint32_t oa_va = 0, handle;
    int out_arg = -1;
    for (unsigned i = 0; i < p->argc && i < c->argc; i++) {
        if (p->args[i].kind == ARG_OBJECT_ATTRIBUTES)
            oa_va = c->args[i];
        if (p->args[i].kind == ARG_HANDLE_OUT)
            out_arg = (int)i;
    }
    if (out_arg < 0 || !c->args[out_arg] || !gview_read(v, c->args[out_arg], &handle, sizeof(handle)) || !handle)
        return;
    char type[TRACE_HANDLE_TYPE], name[TRACE_HANDLE_NAME];
    trace_handles_type_of(c->name, type, sizeof(type));
    object_name(h, v, c->pid, oa_va, name, sizeof(name));
    trace_handles_add(h, c->pid, handle, type, name);
}

void trace_handles_note_closed(struct trace_handles *h, const struct trace_call *c, uint32_t status)
{
    if (c->name && !strcmp(c->name, "NtClose") && c->argc >= 1 && c->args_ok && (int32_t)status >= 0)
        trace_handles_forget(h, c->pid, c->args[0]);
}
