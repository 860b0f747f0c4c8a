/*
 * The service-slot ABI: slot i is the i-th name, in strcmp order, of the
 * union of the service names of every build's table. ntdll's 16-byte stubs,
 * the kernel's KiServiceRoutines and ZwXxx stubs, and the services module
 * (include/ntvisor/abi.h) are all laid out in this order, so a program linked
 * against one build's ntdll calls the same addresses under every build.
 */
#ifndef NTVISOR_SERVICE_SLOTS_H
#define NTVISOR_SERVICE_SLOTS_H

#include <stddef.h>
#include "service_table.h"

struct svc_slots {
    struct svc_entry *slot;   /* sorted by name; slot[i].index == i; argc from the first table naming it */
    size_t count;
};

/* The slots of tables[0..n) (the order of the tables picks each slot's argc). */
int svc_slots_of(const struct svc_table *tables, size_t n, struct svc_slots *out, char *err, size_t errlen);
/* The slots of every table built into ntvisor (svc_builtin_tables; defined beside them,
   in service_table_builtin.c, so that gensvc, which generates them, links without them). */
int svc_slots_builtin(struct svc_slots *out, char *err, size_t errlen);
void svc_slots_free(struct svc_slots *s);

/* The slot of a service name, or -1 if no table has it. */
long svc_slot_of(const struct svc_slots *s, const char *name);

#endif
