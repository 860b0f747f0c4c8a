/*
 * The tracer's argument decoders and event writers (tracer/decode.c,
 * tracer/trace_output.c) over a fuzzed guest memory: a call's name, argument
 * words and output-buffer size come from the input, the memory they point
 * into too, and the -X style and -y handle map it is shown with (the map fed
 * by the fuzzed calls' returns, as the tracer feeds it). JSON output must
 * stay printable ASCII, one event a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include "fake_guest.h"
#include "tracer/decode.h"
#include "tracer/trace_handles.h"
#include "tracer/trace_output.h"

static const char *const names[] = {
    "NtClose", "NtDisplayString", "NtTerminateProcess", "NtQuerySystemTime", "NtQueryPerformanceCounter",
    "NtYieldExecution", "NtReadFile", "NtWriteFile", "NtCreateFile", "NtOpenFile", "NtDeviceIoControlFile",
    "NtQueryInformationFile", "NtCreateEvent", "NtSetEvent", "NtWaitForSingleObject", "NtDelayExecution",
    "NtAllocateVirtualMemory", "NtFreeVirtualMemory", "NtProtectVirtualMemory", "NtResetEvent", "NtClearEvent",
    "NtPulseEvent", "NtOpenEvent", "NtOpenProcess", "NtSetInformationFile", "NtFsControlFile", "NtQueryDirectoryFile",
    "NtQueryAttributesFile", "NtDeleteFile", "NtFlushBuffersFile",
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

static char fuzzed_name[64];
static struct trace_handles handles;   /* kept across inputs, as a run keeps it across calls */
static struct decode_style styles[4] = {
    { XLAT_ABBREV, 0, NULL }, { XLAT_RAW, 1, &handles }, { XLAT_VERBOSE, 2, &handles }, { XLAT_ABBREV, 1, &handles },
};

static void read_call(struct fz *f, struct trace_call *c)
{
    uint8_t pick = fz_u8(f);
    memset(c, 0, sizeof(*c));
    c->via = (enum trace_via)(fz_u8(f) % 6);   /* one past the last: "?" */
    c->index = fz_u16(f);
    c->argc = fz_u8(f) % 40;                   /* a table may claim more than TRACE_MAX_ARGS */
    c->args_ok = pick & 0x80;
    c->t_ns = fz_u32(f);
    for (unsigned i = 0; i < TRACE_MAX_ARGS; i++)
        c->args[i] = fz_u32(f);
    if ((pick & 0x7F) < N_NAMES)
        c->name = names[pick & 0x7F];
    else if ((pick & 0x7F) == 0x7F)
        c->name = fz_str(f, fuzzed_name, sizeof(fuzzed_name) - 1);
    c->pid = fz_u8(f) % 3;
    c->style = &styles[fz_u8(f) % 4];
}

/* Every byte of a JSON event is printable ASCII or the newline that ends it. */
static void check_json(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((s[i] < 0x20 || s[i] > 0x7E) && s[i] != '\n')
            abort();
    if (len && s[len - 1] != '\n')
        abort();
}

static void emit_all(const struct guest_view *v, const struct trace_call *c, uint32_t status)
{
    char *json = NULL, *text = NULL;
    size_t json_len = 0, text_len = 0;
    FILE *j = open_memstream(&json, &json_len), *t = open_memstream(&text, &text_len);
    if (!j || !t)
        abort();
    emit_syscall_json(j, v, c, "fuzz.exe");
    emit_sysret_json(j, v, c, 2, c->t_ns + 5, status, 0x401000, false);
    emit_sysret_json(j, v, c, 3, c->t_ns + 5, status, 0x401000, true);
    emit_call_text(t, v, c, status, false, status & 1);
    emit_unfinished_text(t, v, c);
    fclose(j);
    fclose(t);
    check_json(json, json_len);
    free(json);
    free(text);
}

/* One argument of any kind, with a length argument anywhere, into a buffer exactly outlen long. */
static void render_one(struct fz *f, const struct guest_view *v, const struct trace_call *c)
{
    const struct decode_ctx d = { v, c->style, c->pid };
    struct arg_proto a = { "Arg", (enum arg_kind)(fz_u8(f) % ARG_KIND_COUNT), (int8_t)fz_u8(f) };
    size_t outlen = 1 + fz_u8(f) % 200;
    char *out = malloc(outlen);
    if (!out)
        abort();
    unsigned i = fz_u8(f) % 20;
    unsigned held = c->argc < TRACE_MAX_ARGS ? c->argc : TRACE_MAX_ARGS;
    arg_render(&d, &a, c->args, held, i, i & 1, out, outlen);
    arg_decoded(&d, &a, c->args, held, i, i & 1, out, outlen);
    decode_utf16(v, c->args[0], c->args[1] & 0x1FFFF, out, outlen);
    decode_bytes(v, c->args[2], c->args[3], out, outlen);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };
    struct guest_view v = fg_build(&f);
    struct trace_call c;
    read_call(&f, &c);
    uint32_t status = fz_u32(&f);
    size_t buflen = 1 + fz_u16(&f) % 2048;
    render_one(&f, &v, &c);
    fg_fill(&f);

    char *buf = malloc(buflen);
    if (!buf)
        abort();
    format_call(&v, &c, false, buf, buflen);
    trace_handles_note_made(&handles, &v, &c, status);
    format_call(&v, &c, true, buf, buflen);
    free(buf);
    emit_all(&v, &c, status);
    trace_handles_note_closed(&handles, &c, status);
    return 0;
}
