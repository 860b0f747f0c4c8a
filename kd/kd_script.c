/* The -c commands as a queue, and stdin's commands as one -c script. */
#include <stdlib.h>
#include <string.h>
#include "kd.h"
#include "kd_script.h"

static int append(void *ctx, const char *cmd)
{
    struct kd_script *s = ctx;
    char **cmds = realloc(s->cmds, (s->n + 1) * sizeof(char *));
    if (!cmds)
        return -1;
    s->cmds = cmds;
    if (!(s->cmds[s->n] = strdup(cmd)))
        return -1;
    s->n++;
    return 0;
}

int kd_script_load(struct kd_script *s, const char *text)
{
    s->given = true;
    return kd_split_commands(text, append, s) ? -1 : 0;
}

const char *kd_script_next(struct kd_script *s)
{
    return s->next < s->n ? s->cmds[s->next++] : NULL;
}

bool kd_script_pending(const struct kd_script *s)
{
    return s->next < s->n;
}

void kd_script_free(struct kd_script *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->cmds[i]);
    free(s->cmds);
    *s = (struct kd_script){ 0 };
}

char *kd_script_from_stream(FILE *in, size_t max)
{
    char *buf = malloc(max + 1);
    if (!buf)
        return NULL;
    size_t n = fread(buf, 1, max, in);
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\n' || buf[i] == '\r')
            buf[i] = ';';
    return buf;
}
