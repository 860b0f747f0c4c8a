/*
 * Classes of system services for `ntvisor trace -e trace=%file,...`, like
 * strace's %file: each defined once (service_classes.c) by what the names of
 * its services contain, so that it covers every build's table, whatever
 * services a build adds.
 */
#ifndef NTVISOR_SERVICE_CLASSES_H
#define NTVISOR_SERVICE_CLASSES_H

#include <stdbool.h>

struct svc_class {
    const char *name;               /* without the %: "file" */
    const char *summary;            /* what it holds, for --help (a short line) */
    const char *const *contains;    /* a service is in it when its name contains one of these (case matters), */
    const char *const *names;       /* or is one of these, */
    const char *const *except;      /* and in neither case contains one of these; each list NULL-terminated */
};

/* Every class, in the order --help lists them; ends with a NULL name. */
extern const struct svc_class svc_classes[];

/* The class called name ("file", without the %), or NULL. */
const struct svc_class *svc_class_find(const char *name);
/* Whether the service (an NtXxx name) is in the class. */
bool svc_class_has(const struct svc_class *c, const char *service);

#endif
