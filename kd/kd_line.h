/* kd's prompt on libedit: line editing (emacs keys), history kept in a file
   across sessions, Ctrl-R search, Tab completion through a hook. */
#ifndef NTVISOR_KD_LINE_H
#define NTVISOR_KD_LINE_H

#include <stdio.h>
#include <stddef.h>

#define KD_LINE_MAX          1023
#define KD_LINE_HISTORY      1000
#define KD_LINE_HISTORY_ENV  "NTVISOR_KD_HISTORY"   /* the history file; empty: none */
#define KD_LINE_HISTORY_FILE ".ntvisor_kd_history"  /* default, in $HOME */

/* Completion: calls add(acc, candidate) for every completion of word (the text
   before the cursor back to a space or ';'). */
typedef void (*kd_line_add_fn)(void *acc, const char *candidate);
typedef void (*kd_line_complete_fn)(void *ctx, const char *word, kd_line_add_fn add, void *acc);

struct kd_line {
    struct editline *el;          /* NULL until the first line on a terminal */
    struct history *hist;
    FILE *fin, *fout;
    int in, out;                  /* the descriptors el was made for */
    char prompt[64];
    char *history_file;           /* NULL: none (kd_line_history_path) */
    size_t n;                     /* lines in the history */
    kd_line_complete_fn complete;
    void *complete_ctx;
};

/* Shows prompt and reads one line from fd in: with libedit when it is a
   terminal, plain reads otherwise. Returns a malloc'd string without the
   newline, or NULL at end of input. Non-empty lines join the history (not a
   repeat of the last), which is saved to the history file after each line. */
char *kd_line_read(struct kd_line *l, const char *prompt, int in, int out);
/* Where the history is kept: $NTVISOR_KD_HISTORY, else ~/.ntvisor_kd_history; NULL for none. */
char *kd_line_history_path(void);
void kd_line_free(struct kd_line *l);

#endif
