/*
 * The commands given with -c: a queue the stops take from, in order. A
 * `g` ends one stop's share; whatever follows it waits for the next stop.
 */
#ifndef NTVISOR_KD_SCRIPT_H
#define NTVISOR_KD_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define KD_SCRIPT_MAX (64u << 10)   /* the longest -c (or stdin script) kd takes, in bytes */

struct kd_script {
    bool given;             /* -c was given (maybe empty): no prompt, and the guest runs on when it is used up */
    char **cmds;
    size_t n, next;
};

/* Splits "cmd; cmd; ..." (kd_split_commands) into the queue; 0, or -1 out of memory. */
int kd_script_load(struct kd_script *s, const char *text);
/* The next command, or NULL when none is left. */
const char *kd_script_next(struct kd_script *s);
/* Whether commands are still waiting for a stop. */
bool kd_script_pending(const struct kd_script *s);
void kd_script_free(struct kd_script *s);

/* Up to max bytes of in as one -c script, its lines joined by ';' (the SVM lab
   cannot read the host's stdin, so the lab gets stdin's commands this way).
   A malloc'd string, or NULL out of memory. */
char *kd_script_from_stream(FILE *in, size_t max);

#endif
