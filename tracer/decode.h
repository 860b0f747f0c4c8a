/*
 * Decoding a system call's arguments from guest memory, where the prototype
 * is known. Every pointer is the guest's and untrusted: reads go through the
 * caller's page tables, are bounded, and fail soft ("<unreadable>").
 */
#ifndef NTVISOR_DECODE_H
#define NTVISOR_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmm/guest_mem.h"   /* struct guest_view: the caller's address space */

#define DECODE_MAX_TEXT 96      /* characters of a string or buffer shown */

enum arg_kind {
    ARG_ULONG, ARG_HANDLE, ARG_STATUS,
    ARG_ACCESS,             /* ACCESS_MASK: the standard and generic rights, the specific bits in hex */
    ARG_PTR,
    ARG_USTRING,            /* PUNICODE_STRING in */
    ARG_OBJECT_ATTRIBUTES,  /* POBJECT_ATTRIBUTES in */
    ARG_IO_STATUS,          /* PIO_STATUS_BLOCK out */
    ARG_BUFFER_IN,          /* PVOID in; its length is another argument */
    ARG_BUFFER_OUT,         /* PVOID out; its length is another argument */
    ARG_LARGE_IN,           /* PLARGE_INTEGER in */
    ARG_LARGE_OUT,          /* PLARGE_INTEGER out */
    ARG_HANDLE_OUT,         /* PHANDLE out */
    ARG_ULONG_OUT,          /* PULONG out */
    ARG_ULONG_INOUT,        /* PULONG / PVOID* in and out */
    /* values by name (ntdb/nt_flags.h), as -X says */
    ARG_ACCESS_FILE,        /* ACCESS_MASK of a file: FILE_READ_DATA... and the common rights */
    ARG_ACCESS_EVENT,       /* of an event: EVENT_MODIFY_STATE... */
    ARG_ACCESS_PROCESS,     /* of a process: PROCESS_VM_READ... */
    ARG_DISPOSITION,        /* CreateDisposition: FILE_SUPERSEDE..FILE_OVERWRITE_IF */
    ARG_CREATE_OPTIONS,     /* FILE_DIRECTORY_FILE|FILE_SYNCHRONOUS_IO_NONALERT... */
    ARG_SHARE,              /* FILE_SHARE_* */
    ARG_FILE_ATTRIBUTES,    /* FILE_ATTRIBUTE_* */
    ARG_IOCTL,              /* CTL_CODE(DeviceType, Function, Method, Access) */
    ARG_MEM_TYPE,           /* MEM_COMMIT|MEM_RESERVE... */
    ARG_PROTECT,            /* PAGE_* */
    ARG_PROTECT_OUT,        /* PULONG out holding PAGE_* */
    ARG_FILE_INFO_CLASS,    /* FILE_INFORMATION_CLASS */
    ARG_EVENT_TYPE,         /* EVENT_TYPE */
    ARG_KIND_COUNT
};

/* -X: how flags and enumerations read (strace's): numbers, names, or both */
enum decode_xlat { XLAT_ABBREV, XLAT_RAW, XLAT_VERBOSE };

struct trace_handles;

/* How the tracer shows arguments: one per run. */
struct decode_style {
    enum decode_xlat xlat;
    unsigned handle_detail;                 /* -y: 0 numbers; 1 with the object's name (or its type);
                                               2 (-yy) with its type and name */
    const struct trace_handles *handles;    /* what the handles refer to (-y); NULL: unknown */
};

/* What a call's arguments are rendered against: its address space, the style (NULL: the defaults), its process. */
struct decode_ctx {
    const struct guest_view *v;
    const struct decode_style *style;
    unsigned pid;
};

struct arg_proto {
    const char *name;
    enum arg_kind kind;
    int length_arg;         /* for buffers: index of the length argument, else -1 */
};

#define PROTO_MAX_ARGS 12
struct service_proto {
    const char *service;
    unsigned argc;
    struct arg_proto args[PROTO_MAX_ARGS];
};

/* The prototype of a service, or NULL when unknown. */
const struct service_proto *proto_find(const char *service);

/* Whether an argument shows something new after the call returns. */
bool arg_is_output(enum arg_kind kind);

/*
 * Renders argument i of a call into out (NUL-terminated, always): its raw
 * value, and what it points at where the kind says (at_return: the output
 * side), flags by name as the style's -X says and handles with their objects
 * under -y. A NULL pointer shows as NULL; one that should be read and cannot
 * be shows "<unreadable>"; i >= argc shows "?". Returns out.
 */
char *arg_render(const struct decode_ctx *d, const struct arg_proto *a, const uint32_t *args, unsigned argc,
                 unsigned i, bool at_return, char *out, size_t outlen);

/*
 * What argument i means, by name, without its number: a flag set's or an
 * enumeration's names (unless -X raw), a handle's object under -y (at_return
 * also that of a handle the call returned). False (out "") when it has none.
 */
bool arg_decoded(const struct decode_ctx *d, const struct arg_proto *a, const uint32_t *args, unsigned argc,
                 unsigned i, bool at_return, char *out, size_t outlen);

/* Reads a counted UTF-16 string at va (length in bytes) as printable, escaped text. */
void decode_utf16(const struct guest_view *v, uint32_t va, uint32_t length_bytes, char *out, size_t outlen);
/* Reads the first bytes of a buffer as escaped text. */
void decode_bytes(const struct guest_view *v, uint32_t va, uint32_t length, char *out, size_t outlen);

#endif
