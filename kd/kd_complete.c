/* Tab completion at kd's prompt: commands, then `module!` and `module!symbol` from the session's symbols. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "kd_complete.h"
#include "ntdb/symbols.h"

/* kd_exec's commands (kd/kd.c) */
static const char *const commands[] = {
    "u", "ln", "x", "lm", "r", "db", "dw", "dd", "rdmsr", "dt", "!sst", "!descriptor", "!thread", "!handle",
    "g", "q", "help",
};

static void complete_symbols(const struct symtab *t, const char *word, kd_line_add_fn add, void *acc)
{
    const char *bang = strchr(word, '!');
    size_t mlen = (size_t)(bang - word);
    for (size_t i = 0; i < t->n; i++) {
        const struct sym_module *m = &t->mods[i];
        if (strlen(m->name) != mlen || strncasecmp(m->name, word, mlen))
            continue;
        char full[SYM_MAX_MODULE_NAME + SYM_MAX_NAME + 2];
        for (size_t j = 0; j < m->n; j++) {
            /* spelled with the module as the user typed it, so that the prefix still matches */
            snprintf(full, sizeof(full), "%.*s!%s", (int)mlen, word, m->syms[j].name);
            add(acc, full);
        }
    }
}

void kd_complete(void *ctx, const char *word, kd_line_add_fn add, void *acc)
{
    const struct symtab *t = ctx;
    if (strchr(word, '!') && word[0] != '!') {
        complete_symbols(t, word, add, acc);
        return;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        add(acc, commands[i]);
    char mod[SYM_MAX_MODULE_NAME + 2];
    for (size_t i = 0; t && i < t->n; i++) {
        snprintf(mod, sizeof(mod), "%s!", t->mods[i].name);
        add(acc, mod);
    }
}
