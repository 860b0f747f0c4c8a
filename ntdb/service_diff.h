/*
 * What moved between two builds' service tables: the articles' point that a
 * service's number belongs to one version of the OS. Services are matched by
 * name; each change is one record, in the order of the names.
 */
#ifndef NTVISOR_SERVICE_DIFF_H
#define NTVISOR_SERVICE_DIFF_H

#include <stddef.h>
#include "service_table.h"

enum svc_change_kind {
    SVC_MOVED,      /* in both, under another number */
    SVC_ARGC,       /* in both, same number, another argument count */
    SVC_ADDED,      /* only in the second table */
    SVC_REMOVED,    /* only in the first table */
};

struct svc_change {
    enum svc_change_kind kind;
    const struct svc_entry *from;   /* NULL for SVC_ADDED */
    const struct svc_entry *to;     /* NULL for SVC_REMOVED */
};

struct svc_diff {
    struct svc_change *changes;     /* sorted by service name */
    size_t count;
    size_t unchanged;               /* in both, same number and argument count */
};

/* Compares from with to; the records point into both tables, which must outlive the diff. 0, or -1 (out of memory). */
int svc_table_diff(const struct svc_table *from, const struct svc_table *to, struct svc_diff *out);
void svc_diff_free(struct svc_diff *d);

#endif
