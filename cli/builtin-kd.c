/*
 * ntvisor kd [-c "cmd; cmd"] [--stop=boot|exit|first-syscall|<Service>] [options] <program> [args...]
 *
 * The command line of the debugger: parses the options, hands the run to the
 * SVM lab where the host needs it, and otherwise boots the guest and runs a
 * kd session over it (kd/kd_session.h: the stops and how they pause the guest).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "builtin.h"
#include "vmm/ntvisor.h"
#include "vmm/session.h"
#include "vmm/session_lab.h"
#include "kd/kd_script.h"
#include "kd/kd_session.h"
#include "kd/kd_stop.h"

static void kd_usage(FILE *out)
{
    fprintf(out,
        "usage: ntvisor kd [-c \"cmd; cmd; ...\"] [--stop=boot|exit|first-syscall|<Service>]\n"
        "                  [options] <program> [args...]\n"
        "\n"
        "Boots the NT guest with <program>, pauses it at the stop point and runs WinDbg\n"
        "commands against the paused vCPU and guest memory (through the guest's page\n"
        "tables). Symbols come from ntoskrnl.exe (nt), ntdll.dll (ntdll), the program,\n"
        "the drivers the kernel lists in PsLoadedModuleList (from their --driver files),\n"
        "and SharedUserData (SystemCallStub at 0x7FFE0300); PE images give their exports\n"
        "and COFF symbols, undecorated (_NtProcessStartup@4 is prog!NtProcessStartup).\n"
        "\n"
        "  -c \"CMDS\"          commands separated by ';'; those after a `g` run at the\n"
        "                     next stop; without -c: a `kd> ` prompt on a terminal, or\n"
        "                     commands read from stdin\n"
        "\n"
        "The prompt (libedit): emacs keys, Up/Down and Ctrl-R through the history\n"
        "(kept in ~/.ntvisor_kd_history, or $NTVISOR_KD_HISTORY; empty: none), Tab\n"
        "completes commands and module!symbol names, Ctrl-D quits.\n"
        "\n"
        "  --stop=boot        the program's first instruction (default)\n"
        "  --stop=exit        when the guest has ended, its state intact\n"
        "  --stop=first-syscall  the program's first system call (KiSystemService or\n"
        "                     KiFastCallEntry, before it runs)\n"
        "  --stop=<Service>   every call of that service, e.g. NtDisplayString\n"
        "\n"
        "commands: u, ln, x, lm, r, db/dw/dd, rdmsr, dt, !sst, !descriptor, !thread,\n"
        "!handle, g, q, help (numbers are hex, as in WinDbg)\n"
        "\n"
        "options:\n");
    session_options_help(out);
    fprintf(out, "  -h, --help         this text\n\n");
    session_exit_help(out);
    fprintf(out, "After `q` the exit status is 0.\n");
}

/* Parses kd's own options and the session's: -1 to go on, or the exit status (0 after --help). */
static int parse_args(int argc, char **argv, struct session_options *o, struct kd_session_options *ko)
{
    enum { OPT_STOP = SESSION_OPT_LAST + 1 };
    static const struct option longopts[] = {
        SESSION_LONG_OPTIONS,
        { "stop", required_argument, 0, OPT_STOP },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+hc:", longopts, NULL)) != -1) {
        if (c == 'h') {
            kd_usage(stdout);
            return 0;
        }
        if (c == 'c') {
            ko->script = optarg;
        } else if (c == OPT_STOP) {
            if (kd_stop_parse(&ko->stop, optarg) < 0) {
                fprintf(stderr, "ntvisor: kd: --stop must be boot, exit, first-syscall or a service name, "
                                "not '%s'\n", optarg);
                return NTV_EXIT_USAGE;
            }
            ko->stop_arg = optarg;
        } else if (c >= SESSION_OPT_FIRST && c < SESSION_OPT_LAST) {
            if (session_option(o, c, optarg) < 0)
                return NTV_EXIT_USAGE;
        } else {
            fprintf(stderr, "ntvisor: kd: unknown or incomplete option '%s' (see ntvisor kd --help)\n",
                    argv[optind - 1]);
            return NTV_EXIT_USAGE;
        }
    }
    if (session_program(o, argc, argv, optind, "kd") < 0)
        return NTV_EXIT_USAGE;
    if (ko->script && strlen(ko->script) > KD_SCRIPT_MAX) {
        fprintf(stderr, "ntvisor: kd: -c is longer than %u bytes\n", KD_SCRIPT_MAX);
        return NTV_EXIT_USAGE;
    }
    return -1;
}

int cmd_kd(int argc, char **argv)
{
    struct session_options o;
    session_defaults(&o);
    struct kd_session_options ko = { .stop = { .kind = KD_STOP_BOOT }, .stop_arg = "boot" };
    int parsed = parse_args(argc, argv, &o, &ko);
    if (parsed >= 0)
        return parsed;
    const char *script = ko.script;

    /* the lab cannot reach this terminal: it gets the commands as -c, stdin's joined into one script */
    struct host_info host;
    int in_lab = session_wants_lab(&o, &host);
    if (in_lab < 0)
        return NTV_EXIT_NO_KVM;
    if (in_lab) {
        char *stdin_script = NULL;
        if (!script) {
            if (isatty(STDIN_FILENO)) {
                fprintf(stderr, "ntvisor: kd: this host runs the guest in the SVM lab, which cannot reach "
                                "this terminal: give the commands with -c \"cmd; cmd\" or on stdin from a file\n");
                return NTV_EXIT_USAGE;
            }
            script = stdin_script = kd_script_from_stream(stdin, KD_SCRIPT_MAX);
            if (!script)
                return NTV_EXIT_MONITOR;
        }
        /* the command line goes in as given; a script read from stdin is added as -c */
        char *extra[] = { "-c", (char *)script };
        struct session_lab_extra x = { .args = extra, .n_args = stdin_script ? 2 : 0 };
        int rc = session_run_in_lab(&o, argc, argv, &x, &host);
        free(stdin_script);
        return rc;
    }

    struct session s;
    int rc = session_boot(&s, &o);
    if (rc)
        return rc;
    rc = kd_session_run(&s, &o, &ko);
    session_end(&s);
    return rc;
}
