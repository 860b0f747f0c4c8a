/* The service tables built into ntvisor, by build name. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ntvisor/abi.h>
#include "base/errbuf.h"
#include "service_slots.h"
#include "service_table.h"

int svc_table_builtin(const char *build, struct svc_table *out, char *err, size_t errlen)
{
    if (!build)
        build = SVC_DEFAULT_BUILD;
    for (const struct svc_builtin *b = svc_builtin_tables; b->build; b++)
        if (!strcmp(b->build, build))
            return svc_table_parse(b->tsv, strlen(b->tsv), out, err, errlen);
    return errbuf_fail(err, errlen, "no service table for build '%s'", build);
}

int svc_slots_builtin(struct svc_slots *out, char *err, size_t errlen)
{
    size_t n = 0;
    while (svc_builtin_tables[n].build)
        n++;
    struct svc_table *tables = calloc(n ? n : 1, sizeof(*tables));
    int rc = tables ? 0 : errbuf_fail(err, errlen, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = svc_table_parse(svc_builtin_tables[i].tsv, strlen(svc_builtin_tables[i].tsv), &tables[i], err, errlen);
    if (rc == 0)
        rc = svc_slots_of(tables, n, out, err, errlen);
    for (size_t i = 0; tables && i < n; i++)
        svc_table_free(&tables[i]);
    free(tables);
    return rc;
}

/* For each service number of build, the slot of its name and its argument bytes. */
static bool fill_entries(const struct svc_slots *slots, const struct svc_table *build, struct ntv_services_entry *e)
{
    for (size_t i = 0; i < build->count; i++) {
        long slot = svc_slot_of(slots, build->entries[i].name);
        if (slot < 0)
            return false;   /* cannot happen for a built-in build */
        e[i].slot = (unsigned short)slot;
        e[i].argument_bytes = (unsigned char)(build->entries[i].argc * 4);
    }
    return true;
}

int svc_services_module(const char *build, unsigned char **data, size_t *size, char *err, size_t errlen)
{
    struct svc_slots slots = { 0 };
    struct svc_table chosen = { 0 };
    int rc = -1;
    if (errlen)
        err[0] = '\0';
    if (svc_slots_builtin(&slots, err, errlen) < 0 || svc_table_builtin(build, &chosen, err, errlen) < 0 ||
        chosen.count > NTV_SERVICES_MAX)
        goto out;

    struct ntv_services_header h;
    memcpy(h.magic, NTV_SERVICES_MAGIC, sizeof(h.magic));
    h.count = (unsigned)chosen.count;
    *size = sizeof(h) + chosen.count * sizeof(struct ntv_services_entry);
    *data = calloc(1, *size);
    if (!*data)
        goto out;
    memcpy(*data, &h, sizeof(h));
    if (!fill_entries(&slots, &chosen, (struct ntv_services_entry *)(*data + sizeof(h)))) {
        free(*data);
        *data = NULL;
        goto out;
    }
    rc = 0;
out:
    if (rc < 0 && errlen && !err[0])
        snprintf(err, errlen, "cannot build the services module for '%s'", build ? build : SVC_DEFAULT_BUILD);
    svc_slots_free(&slots);
    svc_table_free(&chosen);
    return rc;
}

void svc_builtin_list(FILE *out)
{
    for (const struct svc_builtin *b = svc_builtin_tables; b->build; b++)
        fprintf(out, "%s\n", b->build);
}
