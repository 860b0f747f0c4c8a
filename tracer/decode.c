/* Argument decoding for the services whose prototypes the tracer knows. */
#include <stdio.h>
#include <string.h>
#include "decode.h"
#include "ntdb/ntstatus_names.h"

#define H(n)        { n, ARG_HANDLE, -1 }
#define U(n)        { n, ARG_ULONG, -1 }
#define P(n)        { n, ARG_PTR, -1 }
#define A(n)        { n, ARG_ACCESS, -1 }
#define IOSB        { "IoStatusBlock", ARG_IO_STATUS, -1 }
#define OA          { "ObjectAttributes", ARG_OBJECT_ATTRIBUTES, -1 }

static const struct service_proto protos[] = {
    { "NtClose", 1, { H("Handle") } },
    { "NtDisplayString", 1, { { "String", ARG_USTRING, -1 } } },
    { "NtTerminateProcess", 2, { H("ProcessHandle"), { "ExitStatus", ARG_STATUS, -1 } } },
    { "NtQuerySystemTime", 1, { { "SystemTime", ARG_LARGE_OUT, -1 } } },
    { "NtQueryPerformanceCounter", 2, { { "PerformanceCounter", ARG_LARGE_OUT, -1 },
                                        { "PerformanceFrequency", ARG_LARGE_OUT, -1 } } },
    { "NtYieldExecution", 0, { { 0, ARG_ULONG, -1 } } },
    { "NtReadFile", 9, { H("FileHandle"), H("Event"), P("ApcRoutine"), P("ApcContext"), IOSB,
                         { "Buffer", ARG_BUFFER_OUT, 6 }, U("Length"), { "ByteOffset", ARG_LARGE_IN, -1 },
                         P("Key") } },
    { "NtWriteFile", 9, { H("FileHandle"), H("Event"), P("ApcRoutine"), P("ApcContext"), IOSB,
                          { "Buffer", ARG_BUFFER_IN, 6 }, U("Length"), { "ByteOffset", ARG_LARGE_IN, -1 },
                          P("Key") } },
    { "NtCreateFile", 11, { { "FileHandle", ARG_HANDLE_OUT, -1 }, A("DesiredAccess"), OA, IOSB,
                            { "AllocationSize", ARG_LARGE_IN, -1 }, U("FileAttributes"), U("ShareAccess"),
                            U("CreateDisposition"), U("CreateOptions"), P("EaBuffer"), U("EaLength") } },
    { "NtOpenFile", 6, { { "FileHandle", ARG_HANDLE_OUT, -1 }, A("DesiredAccess"), OA, IOSB,
                         U("ShareAccess"), U("OpenOptions") } },
    { "NtDeviceIoControlFile", 10, { H("FileHandle"), H("Event"), P("ApcRoutine"), P("ApcContext"), IOSB,
                                     U("IoControlCode"), { "InputBuffer", ARG_BUFFER_IN, 7 },
                                     U("InputBufferLength"), { "OutputBuffer", ARG_BUFFER_OUT, 9 },
                                     U("OutputBufferLength") } },
    { "NtQueryInformationFile", 5, { H("FileHandle"), IOSB, { "FileInformation", ARG_BUFFER_OUT, 3 },
                                     U("Length"), U("FileInformationClass") } },
    { "NtCreateEvent", 5, { { "EventHandle", ARG_HANDLE_OUT, -1 }, A("DesiredAccess"), OA,
                            U("EventType"), U("InitialState") } },
    { "NtSetEvent", 2, { H("EventHandle"), { "PreviousState", ARG_ULONG_OUT, -1 } } },
    { "NtWaitForSingleObject", 3, { H("Handle"), U("Alertable"), { "Timeout", ARG_LARGE_IN, -1 } } },
    { "NtDelayExecution", 2, { U("Alertable"), { "DelayInterval", ARG_LARGE_IN, -1 } } },
    { "NtAllocateVirtualMemory", 6, { H("ProcessHandle"), { "BaseAddress", ARG_ULONG_INOUT, -1 }, U("ZeroBits"),
                                      { "RegionSize", ARG_ULONG_INOUT, -1 }, U("AllocationType"), U("Protect") } },
    { "NtFreeVirtualMemory", 4, { H("ProcessHandle"), { "BaseAddress", ARG_ULONG_INOUT, -1 },
                                  { "RegionSize", ARG_ULONG_INOUT, -1 }, U("FreeType") } },
    { "NtProtectVirtualMemory", 5, { H("ProcessHandle"), { "BaseAddress", ARG_ULONG_INOUT, -1 },
                                     { "RegionSize", ARG_ULONG_INOUT, -1 }, U("NewProtect"),
                                     { "OldProtect", ARG_ULONG_OUT, -1 } } },
};

const struct service_proto *proto_find(const char *service)
{
    if (!service)
        return NULL;
    for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
        if (!strcmp(protos[i].service, service))
            return &protos[i];
    return NULL;
}

bool arg_is_output(enum arg_kind kind)
{
    return kind == ARG_IO_STATUS || kind == ARG_BUFFER_OUT || kind == ARG_LARGE_OUT ||
           kind == ARG_HANDLE_OUT || kind == ARG_ULONG_OUT || kind == ARG_ULONG_INOUT;
}

/* Appends c to out as printable text, escaping the rest; false when out is full. */
static bool put_escaped(char *out, size_t outlen, size_t *n, unsigned c)
{
    char tmp[8];
    int k;
    if (c == '"' || c == '\\')
        k = snprintf(tmp, sizeof(tmp), "\\%c", c);
    else if (c == '\n')
        k = snprintf(tmp, sizeof(tmp), "\\n");
    else if (c == '\r')
        k = snprintf(tmp, sizeof(tmp), "\\r");
    else if (c == '\t')
        k = snprintf(tmp, sizeof(tmp), "\\t");
    else if (c >= 0x20 && c < 0x7F)
        k = snprintf(tmp, sizeof(tmp), "%c", c);
    else if (c <= 0xFF)
        k = snprintf(tmp, sizeof(tmp), "\\x%02x", c);
    else
        k = snprintf(tmp, sizeof(tmp), "\\u%04x", c & 0xFFFF);
    if (*n + (size_t)k + 1 > outlen)
        return false;
    memcpy(out + *n, tmp, (size_t)k + 1);
    *n += (size_t)k;
    return true;
}

void decode_utf16(const struct guest_view *v, uint32_t va, uint32_t length_bytes, char *out, size_t outlen)
{
    uint16_t chars[DECODE_MAX_TEXT];
    uint32_t count = length_bytes / 2, shown = count < DECODE_MAX_TEXT ? count : DECODE_MAX_TEXT;
    size_t n = 0;
    if (outlen < 16) {
        if (outlen)
            out[0] = '\0';
        return;
    }
    if (shown && !gview_read(v, va, chars, shown * 2)) {
        snprintf(out, outlen, "<unreadable 0x%08x>", va);
        return;
    }
    out[n++] = '"';
    out[n] = '\0';
    uint32_t i;
    for (i = 0; i < shown && n + 8 < outlen; i++)
        if (!put_escaped(out, outlen - 4, &n, chars[i]))
            break;
    snprintf(out + n, outlen - n, "\"%s", i < count ? "..." : "");
}

void decode_bytes(const struct guest_view *v, uint32_t va, uint32_t length, char *out, size_t outlen)
{
    uint8_t bytes[DECODE_MAX_TEXT];
    uint32_t shown = length < DECODE_MAX_TEXT ? length : DECODE_MAX_TEXT;
    size_t n = 0;
    if (outlen < 16) {
        if (outlen)
            out[0] = '\0';
        return;
    }
    if (shown && !gview_read(v, va, bytes, shown)) {
        snprintf(out, outlen, "<unreadable 0x%08x>", va);
        return;
    }
    out[n++] = '"';
    out[n] = '\0';
    uint32_t i;
    for (i = 0; i < shown; i++)
        if (!put_escaped(out, outlen - 4, &n, bytes[i]))
            break;
    snprintf(out + n, outlen - n, "\"%s", i < length ? "..." : "");
}

static void render_ustring(const struct guest_view *v, uint32_t va, char *out, size_t outlen)
{
    uint8_t us[8];
    if (!va) {
        snprintf(out, outlen, "NULL");
        return;
    }
    if (!gview_read(v, va, us, sizeof(us))) {
        snprintf(out, outlen, "0x%08x <unreadable>", va);
        return;
    }
    uint16_t length = (uint16_t)(us[0] | us[1] << 8);
    uint32_t buffer = (uint32_t)us[4] | (uint32_t)us[5] << 8 | (uint32_t)us[6] << 16 | (uint32_t)us[7] << 24;
    char text[DECODE_MAX_TEXT * 7 + 16];
    decode_utf16(v, buffer, length, text, sizeof(text));
    snprintf(out, outlen, "0x%08x %s", va, text);
}

static void render_object_attributes(const struct guest_view *v, uint32_t va, char *out, size_t outlen)
{
    uint32_t oa[6];   /* Length, RootDirectory, ObjectName, Attributes, SecurityDescriptor, SecurityQoS */
    if (!va) {
        snprintf(out, outlen, "NULL");
        return;
    }
    if (!gview_read(v, va, oa, sizeof(oa))) {
        snprintf(out, outlen, "0x%08x <unreadable>", va);
        return;
    }
    char name[DECODE_MAX_TEXT * 7 + 40];
    render_ustring(v, oa[2], name, sizeof(name));
    snprintf(out, outlen, "0x%08x {ObjectName=%s, Attributes=0x%x}", va, name, oa[3]);
}

/* An argument that points at an output (or an in-out word): what it holds, where at_return says to look. */
static void render_pointed(const struct guest_view *v, enum arg_kind kind, uint32_t value, bool at_return,
                           char *out, size_t outlen)
{
    uint32_t buf[2];
    const char *status;
    bool shown_now = at_return || kind == ARG_LARGE_IN || kind == ARG_ULONG_INOUT;
    if (!value) {
        snprintf(out, outlen, "NULL");
    } else if (!shown_now) {
        snprintf(out, outlen, "0x%08x", value);
    } else if (kind == ARG_IO_STATUS) {
        if (gview_read(v, value, buf, 8)) {
            status = ntstatus_name(buf[0]);
            snprintf(out, outlen, "0x%08x {Status=%s%s0x%x, Information=%u}", value, status ? status : "",
                     status ? " " : "", buf[0], buf[1]);
        } else {
            snprintf(out, outlen, "0x%08x <unreadable>", value);
        }
    } else if (kind == ARG_LARGE_IN || kind == ARG_LARGE_OUT) {
        if (gview_read(v, value, buf, 8))
            snprintf(out, outlen, "0x%08x [0x%08x%08x]", value, buf[1], buf[0]);
        else
            snprintf(out, outlen, "0x%08x <unreadable>", value);
    } else if (gview_read(v, value, buf, 4)) {
        snprintf(out, outlen, "0x%08x [0x%x]", value, buf[0]);
    } else {
        snprintf(out, outlen, "0x%08x <unreadable>", value);
    }
}

/* A buffer whose length is another argument; an output one is shown at the return only. */
static void render_buffer(const struct guest_view *v, const struct arg_proto *a, const uint32_t *args,
                          unsigned argc, uint32_t value, bool at_return, char *out, size_t outlen)
{
    uint32_t length = a->length_arg >= 0 && (unsigned)a->length_arg < argc ? args[a->length_arg] : 0;
    if (!value) {
        snprintf(out, outlen, "NULL");
    } else if (a->kind == ARG_BUFFER_OUT && !at_return) {
        snprintf(out, outlen, "0x%08x", value);
    } else {
        char text[DECODE_MAX_TEXT * 5 + 16];
        decode_bytes(v, value, length, text, sizeof(text));
        snprintf(out, outlen, "0x%08x %s", value, text);
    }
}

char *arg_render(const struct guest_view *v, const struct arg_proto *a, const uint32_t *args, unsigned argc,
                 unsigned i, bool at_return, char *out, size_t outlen)
{
    const char *status;

    if (!outlen)
        return out;
    out[0] = '\0';
    if (!args || i >= argc) {
        snprintf(out, outlen, "?");     /* the call has no such argument */
        return out;
    }
    uint32_t value = args[i];
    switch (a->kind) {
    case ARG_HANDLE:
        if (value == 0xFFFFFFFFu)
            snprintf(out, outlen, "-1");
        else if (value == 0xFFFFFFFEu)
            snprintf(out, outlen, "-2");
        else
            snprintf(out, outlen, "0x%x", value);
        break;
    case ARG_STATUS:
        status = ntstatus_name(value);
        snprintf(out, outlen, "0x%x%s%s", value, status ? " " : "", status ? status : "");
        break;
    case ARG_ULONG:
        snprintf(out, outlen, "%u", value);
        break;
    case ARG_ACCESS:
        snprintf(out, outlen, "0x%x", value);
        break;
    case ARG_USTRING:
        render_ustring(v, value, out, outlen);
        break;
    case ARG_OBJECT_ATTRIBUTES:
        render_object_attributes(v, value, out, outlen);
        break;
    case ARG_BUFFER_IN:
    case ARG_BUFFER_OUT:
        render_buffer(v, a, args, argc, value, at_return, out, outlen);
        break;
    case ARG_IO_STATUS:
    case ARG_LARGE_IN:
    case ARG_LARGE_OUT:
    case ARG_HANDLE_OUT:
    case ARG_ULONG_OUT:
    case ARG_ULONG_INOUT:
        render_pointed(v, a->kind, value, at_return, out, outlen);
        break;
    case ARG_PTR:
    default:
        snprintf(out, outlen, value ? "0x%08x" : "NULL", value);
        break;
    }
    return out;
}
