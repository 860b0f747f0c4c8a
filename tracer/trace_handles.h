/*
 * -y: what each handle refers to, known from the calls that made it. The
 * tracer sees NtCreateFile, NtOpenFile, NtCreateEvent... return with the
 * handle in their PHANDLE output and the name in their OBJECT_ATTRIBUTES;
 * it keeps the object's type (from the service's name) and name per process
 * and handle, kernel handles (top bit set) in one table of their own, and
 * forgets a handle when NtClose closes it. A handle made by a call it did not
 * see, or by a service whose prototype it does not know, has no name.
 */
#ifndef NTVISOR_TRACE_HANDLES_H
#define NTVISOR_TRACE_HANDLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmm/guest_mem.h"
#include "tracer.h"

#define TRACE_HANDLE_NAME  160      /* bytes of an object's name kept (escaped, cut with "...") */
#define TRACE_HANDLE_TYPE  24
#define TRACE_HANDLE_TEXT  (TRACE_HANDLE_NAME + TRACE_HANDLE_TYPE + 4)   /* "<Type:name>" */
#define TRACE_HANDLES_MAX  256      /* a full map reuses its slots in turn */

struct trace_handle {
    bool used;
    unsigned pid;                   /* 0: the kernel's handle table */
    uint32_t handle;                /* without NT's two tag bits */
    char type[TRACE_HANDLE_TYPE];   /* "File", "Event" */
    char name[TRACE_HANDLE_NAME];   /* "\??\C:\tour.log", or "" */
};

/* All zero is an empty map. */
struct trace_handles {
    struct trace_handle slot[TRACE_HANDLES_MAX];
    unsigned next_reuse;
};

/* A handle made in process pid (kernel handles go to the kernel's table whatever pid says). */
void trace_handles_add(struct trace_handles *h, unsigned pid, uint32_t handle, const char *type, const char *name);
void trace_handles_forget(struct trace_handles *h, unsigned pid, uint32_t handle);
const struct trace_handle *trace_handles_find(const struct trace_handles *h, unsigned pid, uint32_t handle);
/*
 * "<name>" (detail 1: the name, or the type for an unnamed object) or
 * "<Type:name>" (detail 2, -yy) into out; false ("") for a handle not known.
 */
bool trace_handles_describe(const struct trace_handles *h, unsigned pid, uint32_t handle, unsigned detail,
                            char *out, size_t outlen);

/* At a call's return, before it is shown: a handle it made, named from its arguments (v: its address space). */
void trace_handles_note_made(struct trace_handles *h, const struct guest_view *v, const struct trace_call *c,
                             uint32_t status);
/* After it is shown: the handle a successful NtClose closed is forgotten. */
void trace_handles_note_closed(struct trace_handles *h, const struct trace_call *c, uint32_t status);

/* The "Nt<verb><Type>" of a service that makes a handle: its object type ("File"), or "" (for tests). */
void trace_handles_type_of(const char *service, char *out, size_t outlen);

#endif
