/* A small line editor for kd's prompt: editing, history (up/down), no dependencies. */
#ifndef NTVISOR_KD_LINE_H
#define NTVISOR_KD_LINE_H

#include <stddef.h>

#define KD_LINE_MAX     1023
#define KD_LINE_HISTORY 200

struct kd_line {
    char *history[KD_LINE_HISTORY];
    size_t n;
};

/* Shows prompt and reads one line from fd in (raw mode when it is a terminal,
   plain reads otherwise). Returns a malloc'd string without the newline, or
   NULL at end of input. Non-empty lines join the history. */
char *kd_line_read(struct kd_line *l, const char *prompt, int in, int out);
void kd_line_free(struct kd_line *l);

#endif
