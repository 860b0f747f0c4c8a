/* Trace files read back for the end-to-end tests (see trace_file.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json_check.h"
#include "trace_file.h"

void read_trace(const char *path, struct trace *t)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "no trace file %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    t->text = calloc(1, (size_t)size + 1);
    ck_assert_uint_eq(fread(t->text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    t->lines = strdup(t->text);
    t->n = 0;
    for (char *p = strtok(t->lines, "\n"); p && t->n < MAX_LINES; p = strtok(NULL, "\n"))
        t->line[t->n++] = p;
}

void free_trace(struct trace *t)
{
    free(t->text);
    free(t->lines);
}

int syscall_names(const struct trace *t, const char *names[], int max)
{
    int n = 0;
    for (int i = 0; i < t->n; i++) {
        ck_assert_msg(json_valid(t->line[i]), "line %d is not valid JSON: %s", i + 1, t->line[i]);
        if (!strstr(t->line[i], "\"ev\":\"syscall\""))
            continue;
        const char *p = strstr(t->line[i], "\"name\":\"");
        ck_assert_ptr_nonnull(p);
        static char buf[MAX_LINES][64];
        if (n < max && n < MAX_LINES) {
            sscanf(p + 8, "%63[^\"]", buf[n]);
            names[n] = buf[n];
            n++;
        }
    }
    return n;
}
