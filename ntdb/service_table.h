/*
 * NT system service tables by Windows build (data/nt-syscalls/, one .tsv per build):
 * service number, NtXxx name and argument count. Used to generate the
 * guest's tables and stubs, and to name services in traces.
 */
#ifndef NTVISOR_SERVICE_TABLE_H
#define NTVISOR_SERVICE_TABLE_H

#include <stddef.h>
#include <stdio.h>

#define SVC_MAX_SERVICES  4096   /* the index is 12 bits wide */
#define SVC_MAX_NAME      63
#define SVC_MAX_ARGC      32

struct svc_entry {
    unsigned index;
    unsigned argc;
    char name[SVC_MAX_NAME + 1];
};

struct svc_table {
    struct svc_entry *entries;   /* entries[i].index == i */
    size_t count;
};

/* Parses TSV text ("index\tname\targc" header, one service a line, indexes 0..n-1 in order). */
int svc_table_parse(const char *text, size_t len, struct svc_table *out, char *err, size_t errlen);
int svc_table_load(const char *path, struct svc_table *out, char *err, size_t errlen);
void svc_table_free(struct svc_table *t);
const struct svc_entry *svc_table_find(const struct svc_table *t, const char *name);

/* The tables built into ntvisor (generated from data/nt-syscalls by gensvc embed). */
#define SVC_DEFAULT_BUILD "5.1.2600-sp1-windows-xp"
struct svc_builtin { const char *build; const char *tsv; };
extern const struct svc_builtin svc_builtin_tables[];   /* ends with { 0, 0 } */
/* Parses the built-in table of a build (NULL: the default). */
int svc_table_builtin(const char *build, struct svc_table *out, char *err, size_t errlen);
/*
 * The guest's "services" module for a build (include/ntvisor/abi.h): for
 * each service number, the slot of its name (ntdb/service_slots.h, over the
 * built-in tables) and its argument bytes. malloc'ed into *data.
 */
int svc_services_module(const char *build, unsigned char **data, size_t *size, char *err, size_t errlen);
/* Writes the names of the built-in builds, one per line, to out. */
void svc_builtin_list(FILE *out);

#endif
