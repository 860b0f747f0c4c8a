/* -c: calls, errors and time per service, like strace -c. */
#include <stdlib.h>
#include <string.h>
#include "trace_internal.h"

struct summary_row *trace_row_of(struct tracer *t, const char *name)
{
    const char *key = name ? name : "<invalid service>";
    for (size_t i = 0; i < t->n_rows; i++)
        if (!strcmp(t->rows[i].name, key))
            return &t->rows[i];
    struct summary_row *rows = realloc(t->rows, (t->n_rows + 1) * sizeof(*rows));
    if (!rows)
        return NULL;
    t->rows = rows;
    t->rows[t->n_rows] = (struct summary_row){ .name = key };
    return &t->rows[t->n_rows++];
}

static int by_time(const void *a, const void *b)
{
    const struct summary_row *x = a, *y = b;
    return x->ns < y->ns ? 1 : x->ns > y->ns ? -1 : strcmp(x->name, y->name);
}

void tracer_print_summary(struct tracer *t, FILE *out)
{
    qsort(t->rows, t->n_rows, sizeof(*t->rows), by_time);
    emit_summary(out, t->rows, t->n_rows);
}
