/*
 * ntvisor services [--build=NAME] [--diff=OTHER] [NAME...]
 *
 * A Windows build's system-service numbering, as ntvisor's kernel and ntdll
 * use it under --build, or with --diff what moved between two builds: a
 * service's number belongs to one version of the OS. No guest is booted.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "builtin.h"
#include "ntdb/service_diff.h"
#include "ntdb/service_table.h"
#include "vmm/ntvisor.h"

static void services_usage(FILE *out)
{
    fprintf(out,
        "usage: ntvisor services [--build=NAME] [--diff=OTHER] [NAME...]\n"
        "\n"
        "Prints a Windows build's system-service numbering (number, name, argument\n"
        "count), or with --diff=OTHER what changed from --build to OTHER: services\n"
        "that moved to another number, changed their argument count, appeared or\n"
        "went away. NAMEs (NtReadFile, ...) limit the output to those services.\n"
        "\n"
        "options:\n"
        "  --build=NAME   the build (default %s); a wrong name lists the builds\n"
        "  --diff=OTHER   compare with another build\n"
        "  -h, --help     this text\n"
        "\n"
        "exit status: 0, or 2 for a bad command line or an unknown build or service\n",
        SVC_DEFAULT_BUILD);
}

/* The build's table, or a message naming the builds there are. */
static int load_build(const char *build, struct svc_table *t)
{
    char err[256];
    if (svc_table_builtin(build, t, err, sizeof(err)) == 0)
        return 0;
    fprintf(stderr, "ntvisor: %s; the builds are:\n", err);
    svc_builtin_list(stderr);
    return -1;
}

static bool wanted(char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return true;
    return n == 0;
}

/* Every NAME must be a service of at least one of the tables. */
static int check_names(char *const *names, int n, const struct svc_table *a, const struct svc_table *b)
{
    for (int i = 0; i < n; i++)
        if (!svc_table_find(a, names[i]) && (!b || !svc_table_find(b, names[i]))) {
            fprintf(stderr, "ntvisor: no service '%s' in %s\n", names[i], b ? "either build" : "this build");
            return -1;
        }
    return 0;
}

static void print_table(const char *build, const struct svc_table *t, char *const *names, int n)
{
    printf("# %s: %zu services\n# number  name  args\n", build, t->count);
    for (size_t i = 0; i < t->count; i++)
        if (wanted(names, n, t->entries[i].name))
            printf("0x%03X  %s  %u\n", t->entries[i].index, t->entries[i].name, t->entries[i].argc);
}

static void print_change(const struct svc_change *c)
{
    switch (c->kind) {
    case SVC_MOVED:
        printf("moved    %-40s 0x%03X -> 0x%03X", c->from->name, c->from->index, c->to->index);
        if (c->from->argc != c->to->argc)
            printf("  args %u -> %u", c->from->argc, c->to->argc);
        printf("\n");
        break;
    case SVC_ARGC:
        printf("args     %-40s 0x%03X  args %u -> %u\n", c->from->name, c->from->index, c->from->argc, c->to->argc);
        break;
    case SVC_ADDED:
        printf("added    %-40s 0x%03X  args %u\n", c->to->name, c->to->index, c->to->argc);
        break;
    case SVC_REMOVED:
        printf("removed  %-40s 0x%03X  args %u\n", c->from->name, c->from->index, c->from->argc);
        break;
    }
}

static int print_diff(const char *from_build, const struct svc_table *from, const char *to_build,
                      const struct svc_table *to, char *const *names, int n)
{
    struct svc_diff d;
    if (svc_table_diff(from, to, &d) < 0) {
        fprintf(stderr, "ntvisor: out of memory\n");
        return NTV_EXIT_MONITOR;
    }
    size_t moved = 0, argc = 0, added = 0, removed = 0;
    printf("# %s (%zu services) -> %s (%zu services)\n", from_build, from->count, to_build, to->count);
    for (size_t i = 0; i < d.count; i++) {
        const struct svc_change *c = &d.changes[i];
        moved += c->kind == SVC_MOVED;
        argc += c->kind == SVC_ARGC;
        added += c->kind == SVC_ADDED;
        removed += c->kind == SVC_REMOVED;
        if (wanted(names, n, (c->from ? c->from : c->to)->name))
            print_change(c);
    }
    printf("# %zu moved, %zu changed arguments, %zu added, %zu removed, %zu unchanged\n", moved, argc, added,
           removed, d.unchanged);
    svc_diff_free(&d);
    return 0;
}

int cmd_services(int argc, char **argv)
{
    enum { OPT_BUILD = 0x2000, OPT_DIFF };
    static const struct option longopts[] = {
        { "build", required_argument, 0, OPT_BUILD },
        { "diff", required_argument, 0, OPT_DIFF },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    const char *build = SVC_DEFAULT_BUILD, *other = NULL;
    optind = 1;
    opterr = 0;
    for (int opt; (opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1;) {
        if (opt == 'h') {
            services_usage(stdout);
            return 0;
        }
        if (opt == OPT_BUILD || opt == OPT_DIFF) {
            *(opt == OPT_BUILD ? &build : &other) = optarg;
            continue;
        }
        fprintf(stderr, "ntvisor: services: bad option '%s' (see ntvisor services --help)\n", argv[optind - 1]);
        return NTV_EXIT_USAGE;
    }
    struct svc_table a = { 0 }, b = { 0 };
    int rc = NTV_EXIT_USAGE;
    if (load_build(build, &a) < 0 || (other && load_build(other, &b) < 0) ||
        check_names(argv + optind, argc - optind, &a, other ? &b : NULL) < 0)
        goto out;
    if (other)
        rc = print_diff(build, &a, other, &b, argv + optind, argc - optind);
    else {
        print_table(build, &a, argv + optind, argc - optind);
        rc = 0;
    }
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "ntvisor: services: writing the output: %s\n", strerror(errno));
        rc = NTV_EXIT_MONITOR;
    }
out:
    svc_table_free(&a);
    svc_table_free(&b);
    return rc;
}
