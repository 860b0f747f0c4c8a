/* Tab completion at kd's prompt: its commands, module names and module!symbol. */
#ifndef NTVISOR_KD_COMPLETE_H
#define NTVISOR_KD_COMPLETE_H

#include "kd_line.h"

/* A kd_line_complete_fn; ctx is the session's struct symtab. */
void kd_complete(void *ctx, const char *word, kd_line_add_fn add, void *acc);

#endif
