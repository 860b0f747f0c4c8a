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
    uint64_t total_ns = 0, calls = 0, errors = 0;
    qsort(t->rows, t->n_rows, sizeof(*t->rows), by_time);
    for (size_t i = 0; i < t->n_rows; i++) {
        total_ns += t->rows[i].ns;
        calls += t->rows[i].calls;
        errors += t->rows[i].errors;
    }
    fprintf(out, "%% time     seconds  usecs/call     calls    errors service\n");
    fprintf(out, "------ ----------- ----------- --------- --------- --------------------------------\n");
    for (size_t i = 0; i < t->n_rows; i++) {
        const struct summary_row *r = &t->rows[i];
        char errs[24] = "";
        if (r->errors)
            snprintf(errs, sizeof(errs), "%llu", (unsigned long long)r->errors);
        fprintf(out, "%6.2f %11.6f %11llu %9llu %9s %s\n", total_ns ? 100.0 * (double)r->ns / (double)total_ns : 0.0,
                (double)r->ns / 1e9, (unsigned long long)(r->calls ? r->ns / 1000 / r->calls : 0),
                (unsigned long long)r->calls, errs, r->name);
    }
    fprintf(out, "------ ----------- ----------- --------- --------- --------------------------------\n");
    fprintf(out, "100.00 %11.6f %11llu %9llu %9llu total\n", (double)total_ns / 1e9,
            (unsigned long long)(calls ? total_ns / 1000 / calls : 0), (unsigned long long)calls,
            (unsigned long long)errors);
}
