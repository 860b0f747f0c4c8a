/* The service tables built into ntvisor, by build name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ntvisor/abi.h>
#include "service_table.h"

int svc_table_builtin(const char *build, struct svc_table *out, char *err, size_t errlen)
{
    if (!build)
        build = SVC_DEFAULT_BUILD;
    for (const struct svc_builtin *b = svc_builtin_tables; b->build; b++)
        if (!strcmp(b->build, build))
            return svc_table_parse(b->tsv, strlen(b->tsv), out, err, errlen);
    if (errlen)
        snprintf(err, errlen, "no service table for build '%s'", build);
    return -1;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted union of the names of every built-in table, as pointers into tables[]. */
static const char **name_union(struct svc_table *tables, size_t n_tables, size_t *count)
{
    size_t total = 0, used = 0;
    for (size_t i = 0; i < n_tables; i++)
        total += tables[i].count;
    const char **names = malloc((total ? total : 1) * sizeof(*names));
    if (!names)
        return NULL;
    for (size_t i = 0; i < n_tables; i++)
        for (size_t j = 0; j < tables[i].count; j++)
            names[used++] = tables[i].entries[j].name;
    qsort(names, used, sizeof(*names), by_name);
    size_t unique = 0;
    for (size_t i = 0; i < used; i++)
        if (!unique || strcmp(names[unique - 1], names[i]))
            names[unique++] = names[i];
    *count = unique;
    return names;
}

int svc_services_module(const char *build, unsigned char **data, size_t *size, char *err, size_t errlen)
{
    size_t n_tables = 0;
    while (svc_builtin_tables[n_tables].build)
        n_tables++;
    struct svc_table *tables = calloc(n_tables ? n_tables : 1, sizeof(*tables));
    struct svc_table chosen = { 0 };
    const char **names = NULL;
    int rc = -1;
    if (errlen)
        err[0] = '\0';
    if (!tables)
        goto out;
    for (size_t i = 0; i < n_tables; i++)
        if (svc_table_parse(svc_builtin_tables[i].tsv, strlen(svc_builtin_tables[i].tsv), &tables[i], err, errlen) < 0)
            goto out;
    if (svc_table_builtin(build, &chosen, err, errlen) < 0)
        goto out;
    size_t n_names;
    names = name_union(tables, n_tables, &n_names);
    if (!names || chosen.count > NTV_SERVICES_MAX)
        goto out;

    struct ntv_services_header h;
    memcpy(h.magic, NTV_SERVICES_MAGIC, sizeof(h.magic));
    h.count = (unsigned)chosen.count;
    *size = sizeof(h) + chosen.count * sizeof(struct ntv_services_entry);
    *data = calloc(1, *size);
    if (!*data)
        goto out;
    memcpy(*data, &h, sizeof(h));
    struct ntv_services_entry *e = (struct ntv_services_entry *)(*data + sizeof(h));
    for (size_t i = 0; i < chosen.count; i++) {
        const char *key = chosen.entries[i].name;
        const char **found = bsearch(&key, names, n_names, sizeof(*names), by_name);
        e[i].slot = (unsigned short)(found - names);
        e[i].argument_bytes = (unsigned char)(chosen.entries[i].argc * 4);
    }
    rc = 0;
out:
    if (rc < 0 && errlen && !err[0])
        snprintf(err, errlen, "cannot build the services module for '%s'", build ? build : SVC_DEFAULT_BUILD);
    free(names);
    for (size_t i = 0; tables && i < n_tables; i++)
        svc_table_free(&tables[i]);
    free(tables);
    svc_table_free(&chosen);
    return rc;
}

void svc_builtin_list(FILE *out)
{
    for (const struct svc_builtin *b = svc_builtin_tables; b->build; b++)
        fprintf(out, "%s\n", b->build);
}
