/* Two builds' service tables, compared name by name. */
#include <stdlib.h>
#include <string.h>
#include "service_diff.h"

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const struct svc_entry *const *)a)->name, (*(const struct svc_entry *const *)b)->name);
}

/* The table's entries as pointers sorted by name; NULL when out of memory. */
static const struct svc_entry **sorted_by_name(const struct svc_table *t)
{
    const struct svc_entry **v = malloc((t->count ? t->count : 1) * sizeof(*v));
    if (!v)
        return NULL;
    for (size_t i = 0; i < t->count; i++)
        v[i] = &t->entries[i];
    qsort(v, t->count, sizeof(*v), by_name);
    return v;
}

static void record(struct svc_diff *d, enum svc_change_kind kind, const struct svc_entry *from,
                   const struct svc_entry *to)
{
    d->changes[d->count++] = (struct svc_change){ kind, from, to };
}

/* One step of the merge of both sorted lists; returns how far each advanced (bit 0: a, bit 1: b). */
static int merge_step(struct svc_diff *d, const struct svc_entry *a, const struct svc_entry *b)
{
    int c = !a ? 1 : !b ? -1 : strcmp(a->name, b->name);
    if (c < 0) {
        record(d, SVC_REMOVED, a, NULL);
        return 1;
    }
    if (c > 0) {
        record(d, SVC_ADDED, NULL, b);
        return 2;
    }
    if (a->index != b->index)
        record(d, SVC_MOVED, a, b);
    else if (a->argc != b->argc)
        record(d, SVC_ARGC, a, b);
    else
        d->unchanged++;
    return 3;
}

int svc_table_diff(const struct svc_table *from, const struct svc_table *to, struct svc_diff *out)
{
    memset(out, 0, sizeof(*out));
    const struct svc_entry **a = sorted_by_name(from), **b = sorted_by_name(to);
    out->changes = malloc((from->count + to->count + 1) * sizeof(*out->changes));
    if (!a || !b || !out->changes) {
        free(a);
        free(b);
        svc_diff_free(out);
        return -1;
    }
    size_t i = 0, j = 0;
    while (i < from->count || j < to->count) {
        int moved = merge_step(out, i < from->count ? a[i] : NULL, j < to->count ? b[j] : NULL);
        i += moved & 1;
        j += (moved >> 1) & 1;
    }
    free(a);
    free(b);
    return 0;
}

void svc_diff_free(struct svc_diff *d)
{
    free(d->changes);
    d->changes = NULL;
    d->count = d->unchanged = 0;
}
