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

    char buf[KD_LINE_MAX + 1];
    size_t len = 0, pos = 0, hist = l->n;
    char *result = NULL;
    bool eof = false;
    puts_fd(out, prompt);
    for (;;) {
        char c;
        if (!get(in, &c)) {
            eof = true;
            break;
        }
        if (c == '\r' || c == '\n') {
            break;
        } else if (c == 3) {                   /* Ctrl-C: drop the line */
            puts_fd(out, "^C\r\n");
            len = pos = 0;
            puts_fd(out, prompt);
            continue;
        } else if (c == 4) {                   /* Ctrl-D */
            if (!len) {
                eof = true;
                break;
            }
            if (pos < len) {
                memmove(buf + pos, buf + pos + 1, len - pos - 1);
                len--;
            }
        } else if (c == 127 || c == 8) {       /* backspace */
            if (pos) {
                memmove(buf + pos - 1, buf + pos, len - pos);
                pos--;
                len--;
            }
        } else if (c == 1) {
            pos = 0;
        } else if (c == 5) {
            pos = len;
        } else if (c == 27) {                  /* escape sequences: arrows, delete */
            char a, b;
            if (!get(in, &a) || !get(in, &b))
                continue;
            if (a != '[' && a != 'O')
                continue;
            if (b == 'A' || b == 'B') {
                if (b == 'A' && hist > 0)
                    hist--;
                else if (b == 'B' && hist < l->n)
                    hist++;
                const char *h = hist < l->n ? l->history[hist] : "";
                len = pos = strlen(h) > KD_LINE_MAX ? KD_LINE_MAX : strlen(h);
                memcpy(buf, h, len);
            } else if (b == 'C' && pos < len) {
                pos++;
            } else if (b == 'D' && pos > 0) {
                pos--;
            } else if (b == 'H') {
                pos = 0;
            } else if (b == 'F') {
                pos = len;
            } else if (b == '3') {
                char t;
                if (get(in, &t) && t == '~' && pos < len) {
                    memmove(buf + pos, buf + pos + 1, len - pos - 1);
                    len--;
                }
            }
        } else if ((unsigned char)c >= 0x20 && len < KD_LINE_MAX) {
            memmove(buf + pos + 1, buf + pos, len - pos);
            buf[pos++] = c;
            len++;
        }
        redraw(out, prompt, buf, len, pos);
    }
    puts_fd(out, "\r\n");
    tcsetattr(in, TCSAFLUSH, &old);
    if (eof && !len)
        return NULL;
    buf[len] = '\0';
    remember(l, buf);
    result = strdup(buf);
    return result;
}

void kd_line_free(struct kd_line *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->history[i]);
    l->n = 0;
}
