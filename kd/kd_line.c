/*
 * kd's prompt on a maintained line editor, libedit (BSD editline): its emacs
 * keys (Ctrl-A/E, arrows, Delete, Ctrl-K...), history recall with up/down and
 * Ctrl-R incremental search, Tab completion through the session's hook, and the
 * history in a file across sessions. Ctrl-C clears the line (ISIG is off while
 * editing, so it never ends the guest from the prompt); Ctrl-D on an empty line
 * ends the input. Not a terminal: plain reads, and nothing is saved.
 */
#include <errno.h>
#include <histedit.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kd_line.h"

/* ---------------------------------------------------------------- plain input */

static int get(int fd, char *c)
{
    for (;;) {
        ssize_t r = read(fd, c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        return r == 1 ? 1 : 0;
    }
}

static char *read_plain(const char *prompt, int in, int out)
{
    char buf[KD_LINE_MAX + 1];
    size_t len = 0;
    char c;
    bool any = false;
    if (*prompt && write(out, prompt, strlen(prompt)) < 0)
        return NULL;
    while (get(in, &c)) {
        any = true;
        if (c == '\n')
            break;
        if (len < KD_LINE_MAX && c != '\r')
            buf[len++] = c;
    }
    if (!any)
        return NULL;
    buf[len] = '\0';
    return strdup(buf);
}

/* ---------------------------------------------------------------- history */

char *kd_line_history_path(void)
{
    const char *env = getenv(KD_LINE_HISTORY_ENV);
    if (env)
        return *env ? strdup(env) : NULL;
    const char *home = getenv("HOME");
    if (!home || !*home)
        return NULL;
    char *path = malloc(strlen(home) + sizeof(KD_LINE_HISTORY_FILE) + 1);
    if (path)
        sprintf(path, "%s/%s", home, KD_LINE_HISTORY_FILE);
    return path;
}

static void remember(struct kd_line *l, const char *line)
{
    HistEvent ev;
    if (!*line || history(l->hist, &ev, H_ENTER, line) < 0)
        return;
    if (history(l->hist, &ev, H_GETSIZE) == 0)
        l->n = (size_t)ev.num;
    if (l->history_file)
        history(l->hist, &ev, H_SAVE, l->history_file);
}

/* ---------------------------------------------------------------- completion */

struct matches { char **v; size_t n, cap; const char *word; };

static void add_match(void *acc, const char *candidate)
{
    struct matches *m = acc;
    if (strncmp(candidate, m->word, strlen(m->word)))
        return;
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->v[i], candidate))
            return;
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        char **v = realloc(m->v, cap * sizeof(*v));
        if (!v)
            return;
        m->v = v, m->cap = cap;
    }
    char *copy = strdup(candidate);
    if (copy)
        m->v[m->n++] = copy;
}

static size_t common_prefix(const struct matches *m)
{
    size_t len = strlen(m->v[0]);
    for (size_t i = 1; i < m->n; i++) {
        size_t j = 0;
        while (j < len && m->v[i][j] == m->v[0][j])
            j++;
        len = j;
    }
    return len;
}

#define KD_LINE_LIST_MAX 60   /* candidates listed at a Tab that cannot go further */

static void list_matches(struct kd_line *l, const struct matches *m)
{
    fputc('\n', l->fout);
    for (size_t i = 0; i < m->n && i < KD_LINE_LIST_MAX; i++)
        fprintf(l->fout, "%s%s", m->v[i], i + 1 < m->n ? "  " : "");
    if (m->n > KD_LINE_LIST_MAX)
        fprintf(l->fout, "... (%zu in all)", m->n);
    fputc('\n', l->fout);
    fflush(l->fout);
}

/* Tab: the word before the cursor, extended as far as every completion agrees; listed when it cannot go on. */
static unsigned char complete_key(EditLine *el, int ch)
{
    (void)ch;
    struct kd_line *l;
    el_get(el, EL_CLIENTDATA, &l);
    const LineInfo *li = el_line(el);
    const char *start = li->cursor;
    while (start > li->buffer && !strchr(" \t;", start[-1]))
        start--;
    char word[KD_LINE_MAX + 1];
    size_t wlen = (size_t)(li->cursor - start);
    memcpy(word, start, wlen);
    word[wlen] = '\0';
    if (!l->complete)
        return CC_ERROR;

    struct matches m = { .word = word };
    l->complete(l->complete_ctx, word, add_match, &m);
    unsigned char rc = CC_ERROR;
    if (m.n) {
        size_t len = common_prefix(&m);
        char more[KD_LINE_MAX + 2];
        /* one completion ends the word, unless it is a module! waiting for its symbol */
        bool done = m.n == 1 && len && m.v[0][len - 1] != '!';
        snprintf(more, sizeof(more), "%.*s%s", (int)(len - wlen), m.v[0] + wlen, done ? " " : "");
        if (*more) {
            el_insertstr(el, more);
            rc = CC_REFRESH;
        } else {
            list_matches(l, &m);
            rc = CC_REDISPLAY;
        }
    }
    for (size_t i = 0; i < m.n; i++)
        free(m.v[i]);
    free(m.v);
    return rc;
}

/* ---------------------------------------------------------------- the editor */

static char *prompt_of(EditLine *el)
{
    struct kd_line *l;
    el_get(el, EL_CLIENTDATA, &l);
    return l->prompt;
}

static void close_editor(struct kd_line *l)
{
    if (l->el)
        el_end(l->el);
    if (l->fin)
        fclose(l->fin);
    if (l->fout)
        fclose(l->fout);
    l->el = NULL, l->fin = l->fout = NULL;
}

static void bind_keys(EditLine *el)
{
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_SETTY, "-d", "-isig", NULL);   /* Ctrl-C is a key while editing */
    el_set(el, EL_BIND, "^C", "ed-start-over", NULL);
    el_set(el, EL_BIND, "^R", "em-inc-search-prev", NULL);
    el_set(el, EL_ADDFN, "kd-complete", "complete a command or module!symbol", complete_key);
    el_set(el, EL_BIND, "^I", "kd-complete", NULL);
    /* arrows and Delete as xterm-like terminals send them, whatever terminfo says */
    el_set(el, EL_BIND, "\033[A", "ed-prev-history", NULL);
    el_set(el, EL_BIND, "\033[B", "ed-next-history", NULL);
    el_set(el, EL_BIND, "\033[C", "ed-next-char", NULL);
    el_set(el, EL_BIND, "\033[D", "ed-prev-char", NULL);
    el_set(el, EL_BIND, "\033[H", "ed-move-to-beg", NULL);
    el_set(el, EL_BIND, "\033[F", "ed-move-to-end", NULL);
    el_set(el, EL_BIND, "\033[3~", "ed-delete-next-char", NULL);
}

/* The editor for these descriptors, and the history loaded from its file once. */
static int open_editor(struct kd_line *l, int in, int out)
{
    HistEvent ev;
    if (l->el && l->in == in && l->out == out)
        return 0;
    close_editor(l);
    if (!l->hist) {
        l->hist = history_init();
        if (!l->hist)
            return -1;
        history(l->hist, &ev, H_SETSIZE, KD_LINE_HISTORY);
        history(l->hist, &ev, H_SETUNIQUE, 1);
        l->history_file = kd_line_history_path();
        if (l->history_file)
            history(l->hist, &ev, H_LOAD, l->history_file);
        if (history(l->hist, &ev, H_GETSIZE) == 0)
            l->n = (size_t)ev.num;
    }
    int din = dup(in), dout = dup(out);
    l->fin = din >= 0 ? fdopen(din, "r") : NULL;
    l->fout = dout >= 0 ? fdopen(dout, "w") : NULL;
    if (!l->fin || !l->fout) {
        if (!l->fin && din >= 0)
            close(din);
        if (!l->fout && dout >= 0)
            close(dout);
        close_editor(l);
        return -1;
    }
    l->el = el_init("ntvisor-kd", l->fin, l->fout, l->fout);
    if (!l->el) {
        close_editor(l);
        return -1;
    }
    l->in = in, l->out = out;
    el_set(l->el, EL_CLIENTDATA, l);
    el_set(l->el, EL_PROMPT, prompt_of);
    el_set(l->el, EL_HIST, history, l->hist);
    bind_keys(l->el);
    return 0;
}

char *kd_line_read(struct kd_line *l, const char *prompt, int in, int out)
{
    if (!isatty(in) || open_editor(l, in, out) < 0)
        return read_plain(prompt, in, out);
    snprintf(l->prompt, sizeof(l->prompt), "%s", prompt);
    int count;
    const char *got = el_gets(l->el, &count);
    if (!got || count <= 0)
        return NULL;
    char *line = strndup(got, strcspn(got, "\r\n"));
    if (line)
        remember(l, line);
    return line;
}

void kd_line_free(struct kd_line *l)
{
    close_editor(l);
    if (l->hist)
        history_end(l->hist);
    free(l->history_file);
    l->hist = NULL, l->history_file = NULL, l->n = 0;
}
