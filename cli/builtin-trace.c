/*
 * ntvisor trace [options] <program> [args...]
 *
 * Runs the program like `ntvisor run` and records, from outside the guest,
 * every system call, its return, the system-call MSR writes, the privilege
 * level changes of system calls, and alerts when the dispatch path is
 * tampered with after boot.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "ntdb/service_classes.h"
#include "ntdb/service_table.h"
#include "ntdb/symbols.h"
#include "tracer/decode.h"
#include "tracer/tracer.h"
#include "builtin.h"
#include "vmm/ntvisor.h"
#include "vmm/session.h"
#include "vmm/session_lab.h"

#define TRACE_MAX_NAMES 64
#define TRACE_MAX_FILTER 1024     /* -e trace=: names and the services of %classes */

struct trace_cli {
    bool json, summary;
    const char *output;
    char *filter;                       /* -e trace=... as given */
    const char *names[TRACE_MAX_FILTER + 1];
    bool negate;
    unsigned events;
    bool events_given;
    char *deep;                         /* --deep=... as given */
    bool one_exit;                      /* --one-exit */
    const char *deep_names[TRACE_MAX_NAMES + 1];
    unsigned xlat;                      /* -X: enum decode_xlat */
    unsigned handle_detail;             /* -y: 1, -yy: 2 */
};

static void trace_usage(FILE *out)
{
    fprintf(out,
        "usage: ntvisor trace [options] <program> [args...]\n"
        "\n"
        "Runs <program> in the NT guest like `ntvisor run` (its console on stdout) and\n"
        "traces it from the hypervisor: every system call with its arguments and\n"
        "NTSTATUS, the writes to the system-call MSRs, ring changes, and alerts when\n"
        "SYSENTER_EIP, IDT gate 0x2E or the service table change after boot.\n"
        "\n"
        "trace options:\n"
        "  --format=text|json   text for people (default), JSON Lines for tools\n"
        "  -o, --output=FILE    write the trace to FILE (default: stderr)\n"
        "  -e trace=NAMES       only these services (comma-separated: NtReadFile,NtClose);\n"
        "                       %%CLASS for a class's services, mixed with names:\n"
        "                       -e trace=%%file,NtClose\n"
        "  -e trace=!NAMES      all services but these\n"
        "  -c, --summary        count calls, errors and time per service instead (like strace -c)\n"
        "  --events=LIST        which events: syscall,msr,ring,alert,exit or all\n"
        "                       (default: all but ring in text, all in JSON)\n"
        "  --deep=NAMES         also watch these services' routines, so that direct Nt\n"
        "                       calls from kernel mode (which bypass KiSystemService)\n"
        "                       are seen, as via=direct\n"
        "  --one-exit           one VM exit per system call, at the dispatcher's way out:\n"
        "                       service, arguments, NTSTATUS and outputs as usual, but no\n"
        "                       duration_ns (a call's two events are written together)\n"
        "                       and nested calls in the order they return (see README)\n"
        "  -X raw|abbrev|verbose\n"
        "                       flags and enumerations (access masks, dispositions,\n"
        "                       options, attributes, MEM_/PAGE_, information classes,\n"
        "                       CTL_CODE) as numbers, by name (default), or both\n"
        "  -y                   print each handle with the object it refers to, as named\n"
        "                       by the call that made it: 0x4<\\??\\C:\\tour.log>, 0x8<Event>\n"
        "  -yy                  with the object's type too: 0x4<File:\\??\\C:\\tour.log>\n"
        "\n"
        "service classes (by name, in every build's table):\n");
    for (const struct svc_class *k = svc_classes; k->name; k++)
        fprintf(out, "  %%%-20s%s\n", k->name, k->summary);
    fprintf(out, "\nguest options:\n");
    session_options_help(out);
    fprintf(out, "  -h, --help           this text\n\n");
    session_exit_help(out);
}

/* Adds a service to the -e list, once; -1 (message printed) when the list is full. */
static int add_filter_name(struct trace_cli *c, int *n, const char *name)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp(c->names[i], name))
            return 0;
    if (*n == TRACE_MAX_FILTER) {
        fprintf(stderr, "ntvisor: trace: more than %d services in -e\n", TRACE_MAX_FILTER);
        return -1;
    }
    c->names[(*n)++] = name;
    return 0;
}

/* One word of -e trace=: a service of the build, or %CLASS for all of its services in that class. */
static int add_filter_word(struct trace_cli *c, int *n, const char *word, const struct svc_table *services)
{
    if (word[0] != '%') {
        const struct svc_entry *e = svc_table_find(services, word);
        if (!e) {
            fprintf(stderr, "ntvisor: trace: -e: '%s' is not a service of this build\n", word);
            return -1;
        }
        return add_filter_name(c, n, e->name);
    }
    const struct svc_class *k = svc_class_find(word + 1);
    if (!k) {
        fprintf(stderr, "ntvisor: trace: -e: '%s' is not a class (", word);
        for (const struct svc_class *each = svc_classes; each->name; each++)
            fprintf(stderr, "%s%%%s", each == svc_classes ? "" : ", ", each->name);
        fprintf(stderr, ")\n");
        return -1;
    }
    for (size_t i = 0; i < services->count; i++)
        if (svc_class_has(k, services->entries[i].name) && add_filter_name(c, n, services->entries[i].name) < 0)
            return -1;
    return 0;
}

static int parse_filter(struct trace_cli *c, const char *arg, const struct svc_table *services)
{
    if (strncmp(arg, "trace=", 6) != 0) {
        fprintf(stderr, "ntvisor: trace: -e takes trace=NAMES or trace=!NAMES, not '%s'\n", arg);
        return -1;
    }
    free(c->filter);
    c->filter = strdup(arg + 6);
    if (!c->filter)
        return -1;
    char *list = c->filter, *save = NULL;
    c->negate = list[0] == '!';
    if (c->negate)
        list++;
    int n = 0;
    for (char *word = strtok_r(list, ",", &save); word; word = strtok_r(NULL, ",", &save))
        if (add_filter_word(c, &n, word, services) < 0)
            return -1;
    if (n == 0) {
        fprintf(stderr, "ntvisor: trace: -e trace= names no service\n");
        return -1;
    }
    c->names[n] = NULL;
    return 0;
}

static int parse_deep(struct trace_cli *c, const char *arg, const struct svc_table *services)
{
    free(c->deep);
    c->deep = strdup(arg);
    if (!c->deep)
        return -1;
    int n = 0;
    char *save = NULL;
    for (char *name = strtok_r(c->deep, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        if (n == TRACE_MAX_NAMES || !svc_table_find(services, name)) {
            fprintf(stderr, "ntvisor: trace: --deep: '%s' is not a service of this build\n", name);
            return -1;
        }
        c->deep_names[n++] = name;
    }
    c->deep_names[n] = NULL;
    if (n == 0) {
        fprintf(stderr, "ntvisor: trace: --deep names no service\n");
        return -1;
    }
    return 0;
}

static int parse_xlat(struct trace_cli *c, const char *arg)
{
    static const char *const styles[] = { [XLAT_ABBREV] = "abbrev", [XLAT_RAW] = "raw", [XLAT_VERBOSE] = "verbose" };
    for (unsigned i = 0; i < sizeof(styles) / sizeof(styles[0]); i++)
        if (!strcmp(arg, styles[i])) {
            c->xlat = i;
            return 0;
        }
    fprintf(stderr, "ntvisor: trace: -X must be raw, abbrev or verbose, not '%s'\n", arg);
    return -1;
}

static int parse_events(struct trace_cli *c, const char *arg)
{
    static const struct { const char *name; unsigned bits; } kinds[] = {
        { "syscall", 1u << TEV_SYSCALL | 1u << TEV_SYSRET }, { "msr", 1u << TEV_MSR },
        { "ring", 1u << TEV_RING }, { "alert", 1u << TEV_ALERT }, { "exit", 1u << TEV_EXIT },
        { "all", (1u << TEV_COUNT) - 1 },
    };
    char *copy = strdup(arg), *save = NULL;
    if (!copy)
        return -1;
    c->events = 0;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        size_t k;
        for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kinds[k].name, w); k++)
            ;
        if (k == sizeof(kinds) / sizeof(kinds[0])) {
            fprintf(stderr, "ntvisor: trace: --events: unknown event '%s' (syscall, msr, ring, alert, exit, all)\n", w);
            free(copy);
            return -1;
        }
        c->events |= kinds[k].bits;
    }
    free(copy);
    if (!c->events) {
        fprintf(stderr, "ntvisor: trace: --events names no event\n");
        return -1;
    }
    c->events_given = true;
    return 0;
}

/* The guest names a process by its image file name, without the path. */
static const char *image_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

enum { OPT_FORMAT = 0x2000, OPT_EVENTS, OPT_DEEP, OPT_ONE_EXIT };

/* One trace option (not a guest option); -1 (message printed) when it is bad. */
static int trace_option(struct trace_cli *c, int opt, const char **filter_arg, const char **deep_arg,
                        const char *word)
{
    switch (opt) {
    case OPT_FORMAT:
        if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
            fprintf(stderr, "ntvisor: trace: --format must be text or json, not '%s'\n", optarg);
            return -1;
        }
        c->json = !strcmp(optarg, "json");
        return 0;
    case 'o':
        c->output = optarg;
        return 0;
    case 'c':
        c->summary = true;
        return 0;
    case 'e':
        *filter_arg = optarg;   /* checked against the build's table once the build is known */
        return 0;
    case OPT_EVENTS:
        return parse_events(c, optarg);
    case OPT_DEEP:
        *deep_arg = optarg;
        return 0;
    case OPT_ONE_EXIT:
        c->one_exit = true;
        return 0;
    case 'X':
        return parse_xlat(c, optarg);
    case 'y':
        c->handle_detail = c->handle_detail < 2 ? c->handle_detail + 1 : 2;
        return 0;
    }
    fprintf(stderr, "ntvisor: trace: unknown or incomplete option '%s' (see ntvisor trace --help)\n", word);
    return -1;
}

/* The command line into o and c; 1 for --help (printed), -1 (message printed) when it is bad. */
static int parse_command_line(int argc, char **argv, struct session_options *o, struct trace_cli *c,
                              struct svc_table *services)
{
    static const struct option longopts[] = {
        SESSION_LONG_OPTIONS,
        { "format", required_argument, 0, OPT_FORMAT },
        { "output", required_argument, 0, 'o' },
        { "summary", no_argument, 0, 'c' },
        { "events", required_argument, 0, OPT_EVENTS },
        { "deep", required_argument, 0, OPT_DEEP },
        { "one-exit", no_argument, 0, OPT_ONE_EXIT },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    const char *filter_arg = NULL, *deep_arg = NULL;
    char err[256];
    optind = 1;
    opterr = 0;
    for (int opt; (opt = getopt_long(argc, argv, "+ho:ce:X:y", longopts, NULL)) != -1;) {
        if (opt == 'h') {
            trace_usage(stdout);
            return 1;
        }
        int bad = opt >= SESSION_OPT_FIRST && opt < SESSION_OPT_LAST ? session_option(o, opt, optarg)
                                                                     : trace_option(c, opt, &filter_arg, &deep_arg,
                                                                                    argv[optind - 1]);
        if (bad < 0)
            return -1;
    }
    if (session_program(o, argc, argv, optind, "trace") < 0)
        return -1;
    /* services are named as the chosen build numbers them */
    if (svc_table_builtin(o->build, services, err, sizeof(err)) < 0) {
        fprintf(stderr, "ntvisor: %s\n", err);
        return -1;
    }
    if ((filter_arg && parse_filter(c, filter_arg, services) < 0) ||
        (deep_arg && parse_deep(c, deep_arg, services) < 0))
        return -1;
    if (c->one_exit && deep_arg) {
        /* --deep matches a routine's entry with the call the dispatcher entered, which --one-exit does not see */
        fprintf(stderr, "ntvisor: trace: --one-exit and --deep cannot be combined\n");
        return -1;
    }
    if (!c->events_given)
        c->events = c->json ? (1u << TEV_COUNT) - 1 : ((1u << TEV_COUNT) - 1) & ~(1u << TEV_RING);
    return 0;
}

/* Boots the guest here and traces it into trace_out; the exit status. */
static int trace_here(const struct session_options *o, const struct trace_cli *c, const struct svc_table *services,
                      FILE *trace_out)
{
    struct session s;
    int rc = session_boot(&s, o);
    if (rc)
        return rc;
    /* kernel symbols, where the kernel image has them, name the addresses of alerts */
    static struct symtab symbols;
    char kbuf[PATH_MAX], serr[256];
    symtab_init(&symbols);
    bool have_symbols = symtab_load_elf_file(&symbols, "nt", session_kernel_path(o, kbuf, sizeof(kbuf)), serr,
                                             sizeof(serr)) == 0;
    struct tracer_options to = {
        .services = services, .out = trace_out, .json = c->json,
        .image = image_base(o->image_name ? o->image_name : o->program),
        .trace_only = c->filter && !c->negate ? c->names : NULL,
        .trace_not = c->filter && c->negate ? c->names : NULL,
        .events = c->events, .summary = c->summary,
        .deep = c->deep ? c->deep_names : NULL,
        .one_exit = c->one_exit,
        .symbols = have_symbols ? &symbols : NULL,
        .xlat = c->xlat, .handle_detail = c->handle_detail,
    };
    struct tracer *t = tracer_new(&to);
    if (!t) {
        symtab_free(&symbols);
        session_end(&s);
        return NTV_EXIT_MONITOR;
    }
    tracer_set_user_entry(t, s.program_entry);
    struct vm_run_options ro = { .console = stdout, .timeout_s = o->timeout_s, .hooks = tracer_hooks(t) };
    struct vm_outcome outcome;
    vm_run(&s.vm, &ro, &outcome);
    if (c->summary)
        tracer_print_summary(t, trace_out);
    rc = session_finish(&s, &outcome);
    tracer_free(t);
    symtab_free(&symbols);
    session_end(&s);
    return rc;
}

int cmd_trace(int argc, char **argv)
{
    struct session_options o;
    struct trace_cli c = { .events = 0 };
    struct svc_table services = { 0 };
    session_defaults(&o);
    int rc = parse_command_line(argc, argv, &o, &c, &services);
    if (rc != 0) {
        rc = rc > 0 ? 0 : NTV_EXIT_USAGE;
        goto out;
    }
    /* an output file that cannot be written is an error now, not after the run */
    FILE *trace_out = stderr;
    if (c.output && !(trace_out = fopen(c.output, "w"))) {
        fprintf(stderr, "ntvisor: %s: %s\n", c.output, strerror(errno));
        rc = NTV_EXIT_USAGE;
        goto out;
    }
    struct host_info host;
    int in_lab = session_wants_lab(&o, &host);
    if (in_lab) {
        if (c.output)
            fclose(trace_out);   /* the lab's copy replaces it, or there is no run */
        if (in_lab < 0) {
            rc = NTV_EXIT_NO_KVM;
            goto out;
        }
        /* the command line goes in as given; -o names the lab's copy, brought back here */
        struct session_lab_extra x = { .outputs = &c.output, .n_outputs = c.output ? 1 : 0 };
        rc = session_run_in_lab(&o, argc, argv, &x, &host);
        goto out;
    }
    setvbuf(trace_out, NULL, _IOLBF, 0);   /* whole lines even if the monitor dies */
    rc = trace_here(&o, &c, &services, trace_out);
    if (c.output && fclose(trace_out) != 0) {
        fprintf(stderr, "ntvisor: %s: %s\n", c.output, strerror(errno));
        rc = NTV_EXIT_MONITOR;
    }
out:
    free(c.filter);
    free(c.deep);
    svc_table_free(&services);
    return rc;
}
