/* Argument decoding for the services whose prototypes the tracer knows. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "decode.h"
#include "ntdb/nt_flags.h"
#include "ntdb/ntstatus_names.h"
#include "trace_handles.h"

#define H(n)        { n, ARG_HANDLE, -1 }
#define U(n)        { n, ARG_ULONG, -1 }
#define P(n)        { n, ARG_PTR, -1 }
#define K(n, kind)  { n, kind, -1 }
#define HOUT(n)     { n, ARG_HANDLE_OUT, -1 }
#define IOSB        { "IoStatusBlock", ARG_IO_STATUS, -1 }
#define OA          { "ObjectAttributes", ARG_OBJECT_ATTRIBUTES, -1 }
#define APC         H("Event"), P("ApcRoutine"), P("ApcContext"), IOSB

static const struct service_proto protos[] = {
    { "NtClose", 1, { H("Handle") } },
    { "NtDisplayString", 1, { { "String", ARG_USTRING, -1 } } },
    { "NtTerminateProcess", 2, { H("ProcessHandle"), { "ExitStatus", ARG_STATUS, -1 } } },
    { "NtOpenProcess", 4, { HOUT("ProcessHandle"), K("DesiredAccess", ARG_ACCESS_PROCESS), OA, P("ClientId") } },
    { "NtQuerySystemTime", 1, { { "SystemTime", ARG_LARGE_OUT, -1 } } },
    { "NtQueryPerformanceCounter", 2, { { "PerformanceCounter", ARG_LARGE_OUT, -1 },
                                        { "PerformanceFrequency", ARG_LARGE_OUT, -1 } } },
    { "NtYieldExecution", 0, { { 0, ARG_ULONG, -1 } } },
    { "NtReadFile", 9, { H("FileHandle"), APC, { "Buffer", ARG_BUFFER_OUT, 6 }, U("Length"),
                         { "ByteOffset", ARG_LARGE_IN, -1 }, P("Key") } },
    { "NtWriteFile", 9, { H("FileHandle"), APC, { "Buffer", ARG_BUFFER_IN, 6 }, U("Length"),
                          { "ByteOffset", ARG_LARGE_IN, -1 }, P("Key") } },
    { "NtCreateFile", 11, { HOUT("FileHandle"), K("DesiredAccess", ARG_ACCESS_FILE), OA, IOSB,
                            { "AllocationSize", ARG_LARGE_IN, -1 }, K("FileAttributes", ARG_FILE_ATTRIBUTES),
                            K("ShareAccess", ARG_SHARE), K("CreateDisposition", ARG_DISPOSITION),
                            K("CreateOptions", ARG_CREATE_OPTIONS), P("EaBuffer"), U("EaLength") } },
    { "NtOpenFile", 6, { HOUT("FileHandle"), K("DesiredAccess", ARG_ACCESS_FILE), OA, IOSB,
                         K("ShareAccess", ARG_SHARE), K("OpenOptions", ARG_CREATE_OPTIONS) } },
    { "NtDeleteFile", 1, { OA } },
    { "NtQueryAttributesFile", 2, { OA, P("FileInformation") } },
    { "NtFlushBuffersFile", 2, { H("FileHandle"), IOSB } },
    { "NtDeviceIoControlFile", 10, { H("FileHandle"), APC, K("IoControlCode", ARG_IOCTL),
                                     { "InputBuffer", ARG_BUFFER_IN, 7 }, U("InputBufferLength"),
                                     { "OutputBuffer", ARG_BUFFER_OUT, 9 }, U("OutputBufferLength") } },
    { "NtFsControlFile", 10, { H("FileHandle"), APC, K("FsControlCode", ARG_IOCTL),
                               { "InputBuffer", ARG_BUFFER_IN, 7 }, U("InputBufferLength"),
                               { "OutputBuffer", ARG_BUFFER_OUT, 9 }, U("OutputBufferLength") } },
    { "NtQueryInformationFile", 5, { H("FileHandle"), IOSB, { "FileInformation", ARG_BUFFER_OUT, 3 },
                                     U("Length"), K("FileInformationClass", ARG_FILE_INFO_CLASS) } },
    { "NtSetInformationFile", 5, { H("FileHandle"), IOSB, { "FileInformation", ARG_BUFFER_IN, 3 },
                                   U("Length"), K("FileInformationClass", ARG_FILE_INFO_CLASS) } },
    { "NtQueryDirectoryFile", 11, { H("FileHandle"), APC, { "FileInformation", ARG_BUFFER_OUT, 6 }, U("Length"),
                                    K("FileInformationClass", ARG_FILE_INFO_CLASS), U("ReturnSingleEntry"),
                                    { "FileName", ARG_USTRING, -1 }, U("RestartScan") } },
    { "NtCreateEvent", 5, { HOUT("EventHandle"), K("DesiredAccess", ARG_ACCESS_EVENT), OA,
                            K("EventType", ARG_EVENT_TYPE), U("InitialState") } },
    { "NtOpenEvent", 3, { HOUT("EventHandle"), K("DesiredAccess", ARG_ACCESS_EVENT), OA } },
    { "NtSetEvent", 2, { H("EventHandle"), { "PreviousState", ARG_ULONG_OUT, -1 } } },
    { "NtResetEvent", 2, { H("EventHandle"), { "PreviousState", ARG_ULONG_OUT, -1 } } },
    { "NtPulseEvent", 2, { H("EventHandle"), { "PreviousState", ARG_ULONG_OUT, -1 } } },
    { "NtClearEvent", 1, { H("EventHandle") } },
    { "NtWaitForSingleObject", 3, { H("Handle"), U("Alertable"), { "Timeout", ARG_LARGE_IN, -1 } } },
    { "NtDelayExecution", 2, { U("Alertable"), { "DelayInterval", ARG_LARGE_IN, -1 } } },
    { "NtAllocateVirtualMemory", 6, { H("ProcessHandle"), { "BaseAddress", ARG_ULONG_INOUT, -1 }, U("ZeroBits"),
                                      { "RegionSize", ARG_ULONG_INOUT, -1 }, K("AllocationType", ARG_MEM_TYPE),
                                      K("Protect", ARG_PROTECT) } },
    { "NtFreeVirtualMemory", 4, { H("ProcessHandle"), { "BaseAddress", ARG_ULONG_INOUT, -1 },
                                  { "RegionSize", ARG_ULONG_INOUT, -1 }, K("FreeType", ARG_MEM_TYPE) } },
    { "NtProtectVirtualMemory", 5, { H("ProcessHandle"), { "BaseAddress", ARG_ULONG_INOUT, -1 },
                                     { "RegionSize", ARG_ULONG_INOUT, -1 }, K("NewProtect", ARG_PROTECT),
                                     K("OldProtect", ARG_PROTECT_OUT) } },
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
    return kind == ARG_IO_STATUS || kind == ARG_BUFFER_OUT || kind == ARG_LARGE_OUT || kind == ARG_HANDLE_OUT ||
           kind == ARG_ULONG_OUT || kind == ARG_ULONG_INOUT || kind == ARG_PROTECT_OUT;
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

static enum decode_xlat xlat_of(const struct decode_ctx *d)
{
    return d->style ? d->style->xlat : XLAT_ABBREV;
}

/* The names of a value of kind, as NT's headers spell them; false for a kind that has none. */
static bool names_of(enum arg_kind kind, uint32_t value, char *out, size_t outlen)
{
    static const struct { enum arg_kind kind; const struct nt_flags *table; } tables[] = {
        { ARG_ACCESS, &nt_access_mask }, { ARG_ACCESS_FILE, &nt_file_access },
        { ARG_ACCESS_EVENT, &nt_event_access }, { ARG_ACCESS_PROCESS, &nt_process_access },
        { ARG_DISPOSITION, &nt_create_disposition }, { ARG_CREATE_OPTIONS, &nt_create_options },
        { ARG_SHARE, &nt_share_access }, { ARG_FILE_ATTRIBUTES, &nt_file_attributes },
        { ARG_MEM_TYPE, &nt_mem_type }, { ARG_PROTECT, &nt_page_protect }, { ARG_PROTECT_OUT, &nt_page_protect },
        { ARG_FILE_INFO_CLASS, &nt_file_information_class }, { ARG_EVENT_TYPE, &nt_event_type },
    };
    if (kind == ARG_IOCTL) {
        nt_ioctl_format(value, out, outlen);
        return true;
    }
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        if (tables[i].kind == kind) {
            nt_flags_format(tables[i].table, value, out, outlen);
            return true;
        }
    return false;
}

/* A named value as -X says: the number (an enumeration's in decimal), its names, or both. */
static void render_named(enum decode_xlat x, enum arg_kind kind, uint32_t value, char *out, size_t outlen)
{
    char number[24], names[512];
    bool decimal = kind == ARG_DISPOSITION || kind == ARG_FILE_INFO_CLASS || kind == ARG_EVENT_TYPE;
    snprintf(number, sizeof(number), decimal ? "%u" : "0x%x", value);
    if (x == XLAT_RAW || !names_of(kind, value, names, sizeof(names)))
        snprintf(out, outlen, "%s", number);
    else if (x == XLAT_ABBREV)
        snprintf(out, outlen, "%s", names);
    else if (isdigit((unsigned char)names[0]))   /* verbose, and nothing has a name */
        snprintf(out, outlen, "%s", number);
    else
        snprintf(out, outlen, "%s /* %s */", number, names);
}

/* OBJECT_ATTRIBUTES.Attributes, as -X says. */
static void render_obj_attributes(enum decode_xlat x, uint32_t value, char *out, size_t outlen)
{
    char names[512];
    nt_flags_format(&nt_obj_attributes, value, names, sizeof(names));
    if (x == XLAT_RAW || !strncmp(names, "0x", 2) || !strcmp(names, "0"))
        snprintf(out, outlen, "0x%x", value);
    else if (x == XLAT_VERBOSE)
        snprintf(out, outlen, "0x%x /* %s */", value, names);
    else
        snprintf(out, outlen, "%s", names);
}

/* "<\??\C:\x>" for a handle the style can name (-y), else "". */
static void handle_suffix(const struct decode_ctx *d, uint32_t handle, char *out, size_t outlen)
{
    out[0] = '\0';
    if (d->style && d->style->handle_detail && d->style->handles)
        trace_handles_describe(d->style->handles, d->pid, handle, d->style->handle_detail, out, outlen);
}

static void render_handle(const struct decode_ctx *d, uint32_t value, char *out, size_t outlen)
{
    char object[TRACE_HANDLE_TEXT];
    handle_suffix(d, value, object, sizeof(object));
    if (value == 0xFFFFFFFFu)
        snprintf(out, outlen, "-1%s", object);
    else if (value == 0xFFFFFFFEu)
        snprintf(out, outlen, "-2%s", object);
    else
        snprintf(out, outlen, "0x%x%s", value, object);
}

static void render_object_attributes(const struct decode_ctx *d, uint32_t va, char *out, size_t outlen)
{
    uint32_t oa[6];   /* Length, RootDirectory, ObjectName, Attributes, SecurityDescriptor, SecurityQoS */
    if (!va) {
        snprintf(out, outlen, "NULL");
        return;
    }
    if (!gview_read(d->v, va, oa, sizeof(oa))) {
        snprintf(out, outlen, "0x%08x <unreadable>", va);
        return;
    }
    char name[DECODE_MAX_TEXT * 7 + 40], root[TRACE_HANDLE_TEXT + 40] = "", attributes[560];
    if (oa[1]) {
        char handle[TRACE_HANDLE_TEXT + 16];
        render_handle(d, oa[1], handle, sizeof(handle));
        snprintf(root, sizeof(root), "RootDirectory=%s, ", handle);
    }
    render_ustring(d->v, oa[2], name, sizeof(name));
    render_obj_attributes(xlat_of(d), oa[3], attributes, sizeof(attributes));
    snprintf(out, outlen, "0x%08x {%sObjectName=%s, Attributes=%s}", va, root, name, attributes);
}

/* The word an output (or in-out) pointer holds, as its kind shows it: "[0x4<name>]", "[PAGE_READWRITE]". */
static void render_word(const struct decode_ctx *d, enum arg_kind kind, uint32_t word, char *out, size_t outlen)
{
    char text[TRACE_HANDLE_TEXT + 600];
    if (kind == ARG_HANDLE_OUT)
        render_handle(d, word, text, sizeof(text));
    else if (kind == ARG_PROTECT_OUT)
        render_named(xlat_of(d), kind, word, text, sizeof(text));
    else
        snprintf(text, sizeof(text), "0x%x", word);
    snprintf(out, outlen, "[%s]", text);
}

/* An argument that points at an output (or an in-out word): what it holds, where at_return says to look. */
static void render_pointed(const struct decode_ctx *d, enum arg_kind kind, uint32_t value, bool at_return,
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
        if (gview_read(d->v, value, buf, 8)) {
            status = ntstatus_name(buf[0]);
            snprintf(out, outlen, "0x%08x {Status=%s%s0x%x, Information=%u}", value, status ? status : "",
                     status ? " " : "", buf[0], buf[1]);
        } else {
            snprintf(out, outlen, "0x%08x <unreadable>", value);
        }
    } else if (kind == ARG_LARGE_IN || kind == ARG_LARGE_OUT) {
        if (gview_read(d->v, value, buf, 8))
            snprintf(out, outlen, "0x%08x [0x%08x%08x]", value, buf[1], buf[0]);
        else
            snprintf(out, outlen, "0x%08x <unreadable>", value);
    } else if (gview_read(d->v, value, buf, 4)) {
        char word[TRACE_HANDLE_TEXT + 620];
        render_word(d, kind, buf[0], word, sizeof(word));
        snprintf(out, outlen, "0x%08x %s", value, word);
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

static void render_status(enum decode_xlat x, uint32_t value, char *out, size_t outlen)
{
    const char *status = x == XLAT_RAW ? NULL : ntstatus_name(value);
    snprintf(out, outlen, "0x%x%s%s", value, status ? " " : "", status ? status : "");
}

char *arg_render(const struct decode_ctx *d, const struct arg_proto *a, const uint32_t *args, unsigned argc,
                 unsigned i, bool at_return, char *out, size_t outlen)
{
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
        render_handle(d, value, out, outlen);
        break;
    case ARG_STATUS:
        render_status(xlat_of(d), value, out, outlen);
        break;
    case ARG_ULONG:
        snprintf(out, outlen, "%u", value);
        break;
    case ARG_USTRING:
        render_ustring(d->v, value, out, outlen);
        break;
    case ARG_OBJECT_ATTRIBUTES:
        render_object_attributes(d, value, out, outlen);
        break;
    case ARG_BUFFER_IN:
    case ARG_BUFFER_OUT:
        render_buffer(d->v, a, args, argc, value, at_return, out, outlen);
        break;
    case ARG_IO_STATUS:
    case ARG_LARGE_IN:
    case ARG_LARGE_OUT:
    case ARG_HANDLE_OUT:
    case ARG_ULONG_OUT:
    case ARG_ULONG_INOUT:
    case ARG_PROTECT_OUT:
        render_pointed(d, a->kind, value, at_return, out, outlen);
        break;
    case ARG_ACCESS:
    case ARG_ACCESS_FILE:
    case ARG_ACCESS_EVENT:
    case ARG_ACCESS_PROCESS:
    case ARG_DISPOSITION:
    case ARG_CREATE_OPTIONS:
    case ARG_SHARE:
    case ARG_FILE_ATTRIBUTES:
    case ARG_IOCTL:
    case ARG_MEM_TYPE:
    case ARG_PROTECT:
    case ARG_FILE_INFO_CLASS:
    case ARG_EVENT_TYPE:
        render_named(xlat_of(d), a->kind, value, out, outlen);
        break;
    case ARG_PTR:
    default:
        snprintf(out, outlen, value ? "0x%08x" : "NULL", value);
        break;
    }
    return out;
}

/* The word an output pointer holds at the return, read soft. */
static bool pointed_word(const struct decode_ctx *d, uint32_t va, uint32_t *word)
{
    return va && gview_read(d->v, va, word, 4);
}

bool arg_decoded(const struct decode_ctx *d, const struct arg_proto *a, const uint32_t *args, unsigned argc,
                 unsigned i, bool at_return, char *out, size_t outlen)
{
    uint32_t word;
    if (!outlen)
        return false;
    out[0] = '\0';
    if (!args || i >= argc)
        return false;
    if (a->kind == ARG_HANDLE || (a->kind == ARG_HANDLE_OUT && at_return && pointed_word(d, args[i], &word))) {
        char object[TRACE_HANDLE_TEXT];
        handle_suffix(d, a->kind == ARG_HANDLE ? args[i] : word, object, sizeof(object));
        size_t n = strlen(object);
        if (n < 2)
            return false;
        snprintf(out, outlen, "%.*s", (int)(n - 2), object + 1);   /* without the <> */
        return true;
    }
    if (xlat_of(d) == XLAT_RAW)
        return false;
    if (a->kind == ARG_PROTECT_OUT)
        return at_return && pointed_word(d, args[i], &word) && names_of(a->kind, word, out, outlen);
    return names_of(a->kind, args[i], out, outlen);
}
