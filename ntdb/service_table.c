/* Parser for the per-build service tables. The files are input: every line is checked. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/errbuf.h"
#include "service_table.h"

#define SVC_HEADER     "index\tname\targc"
#define SVC_MAX_FILE   (1u << 20)

/* Splits off the next line (without "\n" or "\r\n"); returns 0 at end of text. */
static int next_line(const char **p, const char *end, const char **line, size_t *len)
{
    if (*p >= end)
        return 0;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    *line = *p;
    *len = (size_t)(stop - *p);
    if (*len && (*line)[*len - 1] == '\r')
        (*len)--;
    *p = nl ? nl + 1 : end;
    return 1;
}

static int parse_hex(const char *s, size_t n, unsigned *out)
{
    if (n < 3 || n > 7 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return -1;
    unsigned v = 0;
    for (size_t i = 2; i < n; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return -1;
        v = v * 16 + (unsigned)(isdigit((unsigned char)s[i]) ? s[i] - '0' : (tolower((unsigned char)s[i]) - 'a' + 10));
    }
    *out = v;
    return 0;
}

static int parse_dec(const char *s, size_t n, unsigned *out)
{
    if (n < 1 || n > 3)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

static int valid_name(const char *s, size_t n)
{
    if (n < 3 || n > SVC_MAX_NAME || strncmp(s, "Nt", 2) != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

static int parse_entry(const char *line, size_t len, unsigned lineno, unsigned expect,
                       struct svc_entry *e, char *err, size_t errlen)
{
    const char *t1 = memchr(line, '\t', len);
    const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(line + len - t1 - 1)) : NULL;
    if (!t1 || !t2 || memchr(t2 + 1, '\t', (size_t)(line + len - t2 - 1)))
        return errbuf_fail(err, errlen, "line %u: expected 3 tab-separated fields", lineno);

    const char *name = t1 + 1;
    size_t name_len = (size_t)(t2 - name);
    if (parse_hex(line, (size_t)(t1 - line), &e->index) < 0)
        return errbuf_fail(err, errlen, "line %u: index is not a hex number like 0x0B7", lineno);
    if (e->index != expect)
        return errbuf_fail(err, errlen,
                "line %u: index 0x%X out of order (expected 0x%X)", lineno, e->index, expect);
    if (!valid_name(name, name_len))
        return errbuf_fail(err, errlen,
                "line %u: service name must be Nt followed by letters, digits or _ (at most %d)",
                lineno, SVC_MAX_NAME);
    if (parse_dec(t2 + 1, (size_t)(line + len - t2 - 1), &e->argc) < 0 || e->argc > SVC_MAX_ARGC)
        return errbuf_fail(err, errlen, "line %u: argc must be a number from 0 to %d", lineno, SVC_MAX_ARGC);
    memcpy(e->name, name, name_len);
    e->name[name_len] = '\0';
    return 0;
}

int svc_table_parse(const char *text, size_t len, struct svc_table *out, char *err, size_t errlen)
{
    const char *p = text, *end = text + len, *line;
    size_t line_len;
    unsigned lineno = 1;

    out->entries = NULL;
    out->count = 0;
    if (!next_line(&p, end, &line, &line_len) || line_len != strlen(SVC_HEADER) ||
        memcmp(line, SVC_HEADER, line_len) != 0)
        return errbuf_fail(err, errlen, "line 1: expected the header \"index<TAB>name<TAB>argc\"");

    struct svc_entry *entries = calloc(SVC_MAX_SERVICES, sizeof(*entries));
    if (!entries)
        return errbuf_fail(err, errlen, "out of memory");
    size_t count = 0;
    while (next_line(&p, end, &line, &line_len)) {
        lineno++;
        if (line_len == 0)
            continue;
        if (count == SVC_MAX_SERVICES) {
            free(entries);
            return errbuf_fail(err, errlen, "line %u: more than %d services", lineno, SVC_MAX_SERVICES);
        }
        if (parse_entry(line, line_len, lineno, (unsigned)count, &entries[count], err, errlen) < 0) {
            free(entries);
            return -1;
        }
        for (size_t i = 0; i < count; i++) {
            if (strcmp(entries[i].name, entries[count].name) == 0) {
                errbuf_fail(err, errlen, "line %u: service %s already listed as 0x%X", lineno,
                            entries[i].name, entries[i].index);
                free(entries);
                return -1;
            }
        }
        count++;
    }
    if (count == 0) {
        free(entries);
        return errbuf_fail(err, errlen, "no services listed");
    }
    out->entries = entries;
    out->count = count;
    return 0;
}

int svc_table_load(const char *path, struct svc_table *out, char *err, size_t errlen)
{
    out->entries = NULL;
    out->count = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errbuf_fail(err, errlen, "%s: %s", path, strerror(errno));
    char *buf = malloc(SVC_MAX_FILE);
    size_t n = buf ? fread(buf, 1, SVC_MAX_FILE, f) : 0;
    int toolarge = buf && n == SVC_MAX_FILE && fgetc(f) != EOF;
    int ioerr = ferror(f);
    fclose(f);
    if (!buf)
        return errbuf_fail(err, errlen, "%s: out of memory", path);
    if (ioerr || toolarge) {
        free(buf);
        return errbuf_fail(err, errlen, "%s: %s", path, ioerr ? "read error" : "larger than 1 MiB");
    }
    char inner[200];
    int rc = svc_table_parse(buf, n, out, inner, sizeof(inner));
    free(buf);
    if (rc < 0)
        return errbuf_fail(err, errlen, "%s: %s", path, inner);
    return 0;
}

void svc_table_free(struct svc_table *t)
{
    free(t->entries);
    t->entries = NULL;
    t->count = 0;
}

const struct svc_entry *svc_table_find(const struct svc_table *t, const char *name)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->entries[i].name, name) == 0)
            return &t->entries[i];
    return NULL;
}

