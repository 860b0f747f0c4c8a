/* Command lines with their files mapped to lab paths (see argmap.h). */
#include "argmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The entry whose value lies in arg (its terminating NUL included: an empty --opt=), or NULL. */
static const struct lab_argmap *entry_in(const char *arg, const struct lab_argmap *map, size_t n)
{
    uintptr_t lo = (uintptr_t)arg, hi = lo + strlen(arg);

    for (size_t i = 0; i < n; i++) {
        uintptr_t v = (uintptr_t)map[i].value;
        if (map[i].value && map[i].lab_value && v >= lo && v <= hi)
            return &map[i];
    }
    return NULL;
}

/* arg with its text from e->value on replaced by e->lab_value. */
static char *rewrite(const char *arg, const struct lab_argmap *e)
{
    size_t keep = (size_t)((uintptr_t)e->value - (uintptr_t)arg), add = strlen(e->lab_value);
    char *s = malloc(keep + add + 1);

    if (s) {
        memcpy(s, arg, keep);
        memcpy(s + keep, e->lab_value, add + 1);
    }
    return s;
}

char **lab_argv_map(int argc, char *const *argv, const struct lab_argmap *map, size_t n)
{
    char **out = calloc((size_t)(argc > 0 ? argc : 0) + 1, sizeof *out);

    if (!out)
        return NULL;
    for (int i = 0; i < argc; i++) {
        const struct lab_argmap *e = entry_in(argv[i], map, n);
        out[i] = e ? rewrite(argv[i], e) : strdup(argv[i]);
        if (!out[i]) {
            lab_argv_free(out);
            return NULL;
        }
    }
    return out;
}

void lab_argv_free(char **argv)
{
    if (!argv)
        return;
    for (size_t i = 0; argv[i]; i++)
        free(argv[i]);
    free(argv);
}
