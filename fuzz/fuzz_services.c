/*
 * The service tables (ntdb/service_table.c), their diff (service_diff.c) and
 * slots (service_slots.c): the input is one or two TSV tables, split at the
 * first form feed; without one the second is the built-in default build.
 * A first line "build:NAME" asks for a built-in table and its services
 * module by that name instead.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ntdb/service_diff.h"
#include "ntdb/service_slots.h"

static void check_diff(const struct svc_table *a, const struct svc_table *b)
{
    struct svc_diff d;
    if (svc_table_diff(a, b, &d) < 0)
        return;
    size_t from = d.unchanged, to = d.unchanged;
    for (size_t i = 0; i < d.count; i++) {
        const struct svc_change *c = &d.changes[i];
        from += c->from != NULL;
        to += c->to != NULL;
        if ((c->kind == SVC_ADDED) != !c->from || (c->kind == SVC_REMOVED) != !c->to)
            abort();
    }
    if (from != a->count || to != b->count)   /* every service of each side is accounted for once */
        abort();
    svc_diff_free(&d);
}

static void check_table(const struct svc_table *t, const struct svc_table *other)
{
    for (size_t i = 0; i < t->count; i++)
        if (t->entries[i].index != i || svc_table_find(t, t->entries[i].name) == NULL)
            abort();
    check_diff(t, other);
    check_diff(other, t);
    struct svc_table both[2] = { *t, *other };
    struct svc_slots s;
    char err[256];
    if (svc_slots_of(both, 2, &s, err, sizeof(err)) == 0) {
        for (size_t i = 0; i < t->count; i++)
            if (svc_slot_of(&s, t->entries[i].name) < 0)
                abort();
        svc_slots_free(&s);
    }
}

/* An exact-size copy, not NUL-terminated: a parser reading past len is seen. */
static int parse(const uint8_t *data, size_t size, struct svc_table *t)
{
    char err[256];
    char *copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    int rc = svc_table_parse(copy, size, t, err, sizeof(err));
    free(copy);
    return rc;
}

static void builtin(const uint8_t *data, size_t size)
{
    char name[128], err[256];
    size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
    memcpy(name, data, n);
    name[n] = '\0';
    struct svc_table t;
    if (svc_table_builtin(name, &t, err, sizeof(err)) < 0)
        return;
    svc_table_free(&t);
    /* the module's slots parse every built-in table (slow): once per build */
    static char done[64][128];
    static size_t n_done;
    for (size_t i = 0; i < n_done; i++)
        if (!strcmp(done[i], name))
            return;
    if (n_done < 64)
        strcpy(done[n_done++], name);
    unsigned char *module;
    size_t module_size;
    if (svc_services_module(name, &module, &module_size, err, sizeof(err)) == 0)
        free(module);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 6 && !memcmp(data, "build:", 6)) {
        builtin(data + 6, size - 6);
        return 0;
    }
    static struct svc_table def;
    static int have_def;
    char err[256];
    if (!have_def && svc_table_builtin(NULL, &def, err, sizeof(err)) == 0)
        have_def = 1;
    const uint8_t *ff = memchr(data, '\f', size);
    size_t first = ff ? (size_t)(ff - data) : size;
    struct svc_table a, b;
    if (parse(data, first, &a) < 0)
        return 0;
    if (ff && parse(ff + 1, size - first - 1, &b) == 0) {
        check_table(&a, &b);
        svc_table_free(&b);
    } else if (have_def) {
        check_table(&a, &def);
    }
    svc_table_free(&a);
    return 0;
}
