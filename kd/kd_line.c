/*
 * kd's prompt: a minimal line editor on a raw terminal (insert, backspace,
 * delete, left/right, home/end, up/down through history, Ctrl-C clears the
 * line, Ctrl-D on an empty line ends the input). Not a terminal: plain reads.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "kd_line.h"

static void put(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void puts_fd(int fd, const char *s)
{
    put(fd, s, strlen(s));
}

static int get(int fd, char *c)
{
    for (;;) {
        ssize_t r = read(fd, c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        return r == 1 ? 1 : 0;
    }
}

static void redraw(int out, const char *prompt, const char *buf, size_t len, size_t pos)
{
    puts_fd(out, "\r");
    puts_fd(out, prompt);
    put(out, buf, len);
    puts_fd(out, "\x1b[K");
    for (size_t i = pos; i < len; i++)
        puts_fd(out, "\b");
}

static void remember(struct kd_line *l, const char *line)
{
    if (!*line || (l->n && !strcmp(l->history[l->n - 1], line)))
        return;
    char *copy = strdup(line);
    if (!copy)
        return;
    if (l->n == KD_LINE_HISTORY) {
        free(l->history[0]);
        memmove(l->history, l->history + 1, (KD_LINE_HISTORY - 1) * sizeof(char *));
        l->n--;
    }
    l->history[l->n++] = copy;
}

static char *read_plain(struct kd_line *l, const char *prompt, int in, int out)
{
    char buf[KD_LINE_MAX + 1];
    size_t len = 0;
    char c;
    bool any = false;
    puts_fd(out, prompt);
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
    remember(l, buf);
    return strdup(buf);
}

/* The line being edited: its text, the cursor, and where history recall stands. */
struct edit {
    char buf[KD_LINE_MAX + 1];
    size_t len, pos, hist;
};

static void delete_at_cursor(struct edit *e)
{
    if (e->pos < e->len) {
        memmove(e->buf + e->pos, e->buf + e->pos + 1, e->len - e->pos - 1);
        e->len--;
    }
}

/* An escape sequence after ESC: arrows (history, cursor), Home, End, Delete. */
static void edit_escape(const struct kd_line *l, struct edit *e, int in)
{
    char a, b;
    if (!get(in, &a) || !get(in, &b) || (a != '[' && a != 'O'))
        return;
    if (b == 'A' || b == 'B') {
        if (b == 'A' && e->hist > 0)
            e->hist--;
        else if (b == 'B' && e->hist < l->n)
            e->hist++;
        const char *h = e->hist < l->n ? l->history[e->hist] : "";
        e->len = e->pos = strlen(h) > KD_LINE_MAX ? KD_LINE_MAX : strlen(h);
        memcpy(e->buf, h, e->len);
    } else if (b == 'C' && e->pos < e->len) {
        e->pos++;
    } else if (b == 'D' && e->pos > 0) {
        e->pos--;
    } else if (b == 'H') {
        e->pos = 0;
    } else if (b == 'F') {
        e->pos = e->len;
    } else if (b == '3') {
        char t;
        if (get(in, &t) && t == '~')
            delete_at_cursor(e);
    }
}

enum key_result { KEY_EDITED, KEY_ENTER, KEY_EOF, KEY_CANCELLED };

/* One key of the line editor. */
static enum key_result edit_key(const struct kd_line *l, struct edit *e, char c, int in)
{
    if (c == '\r' || c == '\n')
        return KEY_ENTER;
    if (c == 3) {                                /* Ctrl-C: drop the line */
        e->len = e->pos = 0;
        return KEY_CANCELLED;
    }
    if (c == 4) {                                /* Ctrl-D */
        if (!e->len)
            return KEY_EOF;
        delete_at_cursor(e);
    } else if (c == 127 || c == 8) {             /* backspace */
        if (e->pos) {
            memmove(e->buf + e->pos - 1, e->buf + e->pos, e->len - e->pos);
            e->pos--;
            e->len--;
        }
    } else if (c == 1) {
        e->pos = 0;
    } else if (c == 5) {
        e->pos = e->len;
    } else if (c == 27) {
        edit_escape(l, e, in);
    } else if ((unsigned char)c >= 0x20 && e->len < KD_LINE_MAX) {
        memmove(e->buf + e->pos + 1, e->buf + e->pos, e->len - e->pos);
        e->buf[e->pos++] = c;
        e->len++;
    }
    return KEY_EDITED;
}

char *kd_line_read(struct kd_line *l, const char *prompt, int in, int out)
{
    struct termios old, raw;
    if (!isatty(in) || tcgetattr(in, &old) < 0)
        return read_plain(l, prompt, in, out);
    raw = old;
    raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | ISIG | IEXTEN);
    raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    tcsetattr(in, TCSAFLUSH, &raw);

    struct edit e = { .hist = l->n };
    bool eof = false;
    puts_fd(out, prompt);
    for (;;) {
        char c;
        enum key_result k = get(in, &c) ? edit_key(l, &e, c, in) : KEY_EOF;
        if (k == KEY_ENTER || k == KEY_EOF) {
            eof = k == KEY_EOF;
            break;
        }
        if (k == KEY_CANCELLED) {
            puts_fd(out, "^C\r\n");
            puts_fd(out, prompt);
            continue;
        }
        redraw(out, prompt, e.buf, e.len, e.pos);
    }
    puts_fd(out, "\r\n");
    tcsetattr(in, TCSAFLUSH, &old);
    if (eof && !e.len)
        return NULL;
    e.buf[e.len] = '\0';
    remember(l, e.buf);
    return strdup(e.buf);
}

void kd_line_free(struct kd_line *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->history[i]);
    l->n = 0;
}
