/* The sorted union of service names that numbers ntdll's stubs and the kernel's routines. */
#include <stdlib.h>
#include <string.h>
#include "base/errbuf.h"
#include "service_slots.h"

/* By name, then by where the name was first seen (kept in .index while sorting). */
static int by_name_then_seen(const void *a, const void *b)
{
    const struct svc_entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int by_name(const void *key, const void *e)
{
    return strcmp(key, ((const struct svc_entry *)e)->name);
}

int svc_slots_of(const struct svc_table *tables, size_t n, struct svc_slots *out, char *err, size_t errlen)
{
    out->slot = NULL;
    out->count = 0;
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += tables[i].count;
    struct svc_entry *all = malloc((total ? total : 1) * sizeof(*all));
    if (!all)
        return errbuf_fail(err, errlen, "out of memory");
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < tables[i].count; j++) {
            all[used] = tables[i].entries[j];
            all[used].index = (unsigned)used;
            used++;
        }
    qsort(all, used, sizeof(*all), by_name_then_seen);
    size_t kept = 0;
    for (size_t i = 0; i < used; i++)
        if (!kept || strcmp(all[kept - 1].name, all[i].name))
            all[kept++] = all[i];
    for (size_t i = 0; i < kept; i++)
        all[i].index = (unsigned)i;
    out->slot = all;
    out->count = kept;
    return 0;
}

void svc_slots_free(struct svc_slots *s)
{
    free(s->slot);
    s->slot = NULL;
    s->count = 0;
}

long svc_slot_of(const struct svc_slots *s, const char *name)
{
    const struct svc_entry *e = s->count ? bsearch(name, s->slot, s->count, sizeof(*s->slot), by_name) : NULL;
    return e ? (long)(e - s->slot) : -1;
}
