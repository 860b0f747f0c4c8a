/* The service tables built into ntvisor, by build name. */
#include <stdio.h>
#include <string.h>
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
