/*
 * The lab hand-off: a session whose guest this host cannot run re-runs the
 * very command inside the SVM lab. Its original command line goes in
 * unchanged except that every argument naming a host file (the program,
 * --kernel, --ntdll, --file, --driver, a subcommand's output files) is
 * rewritten, through a map from the options the session parsed, to the
 * file's copy in the lab; inputs are copied in, outputs copied back. A new
 * option of any subcommand therefore needs no lab code unless it names a file.
 */
#ifndef NTVISOR_SESSION_LAB_H
#define NTVISOR_SESSION_LAB_H

#include <stddef.h>
#include "host.h"
#include "session.h"
#include "vmm/lab/argmap.h"
#include "vmm/lab/lab.h"

#define SESSION_LAB_MAX_OUTPUTS 4
#define SESSION_LAB_MAX_INPUTS  (4 + SESSION_MAX_FILES + SESSION_MAX_DRIVERS)

/* What a subcommand adds to the session's own files and options. */
struct session_lab_extra {
    const char *const *outputs;      /* option values in argv (getopt's optarg) naming files the command
                                        writes: mapped to lab paths and copied back; may be NULL */
    size_t n_outputs;
    char *const *args;               /* inserted after the command's name (kd: its stdin script as -c) */
    int n_args;
};

/* The command as it runs in the lab. */
struct session_lab_plan {
    char **argv;                     /* /ntv/ntvisor COMMAND ..., NULL-terminated */
    struct lab_file inputs[SESSION_LAB_MAX_INPUTS];
    size_t n_inputs;
    struct lab_file outputs[SESSION_LAB_MAX_OUTPUTS];
    size_t n_outputs;
    struct lab_argmap map[SESSION_LAB_MAX_INPUTS + SESSION_LAB_MAX_OUTPUTS];
    size_t n_map;
    char *strs[2 * (SESSION_LAB_MAX_INPUTS + SESSION_LAB_MAX_OUTPUTS) + 1];   /* what the above point to */
    size_t n_strs;
};

/*
 * Plans the lab run of the subcommand argv[0..argc) (argv[0] is its name)
 * whose options o were parsed from that very argv, so that o's file names
 * point into it. 0, or -1 when out of memory; free with session_lab_plan_free.
 */
int session_lab_plan(struct session_lab_plan *p, const struct session_options *o, int argc, char **argv,
                     const struct session_lab_extra *x);
void session_lab_plan_free(struct session_lab_plan *p);

/*
 * Runs the subcommand argv (as session_lab_plan takes it; x may be NULL)
 * inside the SVM lab. Returns ntvisor's exit status inside the lab, or an
 * NTV_EXIT_* code when the lab is not built or failed.
 */
int session_run_in_lab(const struct session_options *o, int argc, char **argv, const struct session_lab_extra *x,
                       const struct host_info *host);

#endif
