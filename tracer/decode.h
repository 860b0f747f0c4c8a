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
    ARG_ULONG, ARG_HANDLE, ARG_STATUS, ARG_ACCESS, ARG_PTR,
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
 * side). A NULL pointer shows as NULL; one that should be read and cannot
 * be shows "<unreadable>"; i >= argc shows "?". Returns out.
 */
char *arg_render(const struct guest_view *v, const struct arg_proto *a, const uint32_t *args, unsigned argc,
                 unsigned i, bool at_return, char *out, size_t outlen);

/* Reads a counted UTF-16 string at va (length in bytes) as printable, escaped text. */
void decode_utf16(const struct guest_view *v, uint32_t va, uint32_t length_bytes, char *out, size_t outlen);
/* Reads the first bytes of a buffer as escaped text. */
void decode_bytes(const struct guest_view *v, uint32_t va, uint32_t length, char *out, size_t outlen);

#endif
