/* The symbols of a kd session: nt, ntdll, the program, and SharedUserData. */
#ifndef NTVISOR_KD_SYMBOLS_H
#define NTVISOR_KD_SYMBOLS_H

#include <stddef.h>
#include "ntdb/symbols.h"
#include "vmm/session.h"

/* The program's module name: its file name without the extension, as an
   identifier ("_exe" appended where it would hide nt, ntdll or SharedUserData). */
void kd_program_module_name(const char *path, char *out, size_t len);
/* Initialises t with the images o boots; an image without symbols is said on stderr and left out. */
void kd_load_symbols(struct symtab *t, const struct session_options *o);

#endif
