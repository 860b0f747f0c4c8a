/* The session's symbol tables, from the images the guest boots (PE or, for now, ELF). */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "kd_symbols.h"

void kd_program_module_name(const char *path, char *out, size_t len)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = 0;
    for (const char *p = base; *p && *p != '.' && n + 1 < len && n < 24; p++)
        out[n++] = isalnum((unsigned char)*p) ? *p : '_';
    if (!n)
        out[n++] = 'p';
    out[n] = '\0';
    if (!strcasecmp(out, "nt") || !strcasecmp(out, "ntdll") || !strcasecmp(out, "SharedUserData"))
        snprintf(out + n, len - n, "_exe");
}

void kd_load_symbols(struct symtab *t, const struct session_options *o)
{
    char kbuf[PATH_MAX], nbuf[PATH_MAX], err[512], mod[40];
    symtab_init(t);
    if (symtab_load_elf_file(t, "nt", session_kernel_path(o, kbuf, sizeof(kbuf)), err, sizeof(err)) < 0)
        fprintf(stderr, "ntvisor: kd: no nt symbols: %s\n", err);
    if (symtab_load_image_file(t, "ntdll", session_ntdll_path(o, nbuf, sizeof(nbuf)), 0, err, sizeof(err)) < 0)
        fprintf(stderr, "ntvisor: kd: no ntdll symbols: %s\n", err);
    kd_program_module_name(o->program, mod, sizeof(mod));
    if (symtab_load_image_file(t, mod, o->program, 0, err, sizeof(err)) < 0)
        fprintf(stderr, "ntvisor: kd: no symbols for the program: %s\n", err);
    symtab_add_shared_user_data(t);
}
