/*
 * ntvisor run [options] <program> [args...]
 *
 * Boots ntoskrnl with ntdll and the program as Multiboot modules and exits
 * with the program's NtTerminateProcess status (low byte). On a host whose
 * /dev/kvm cannot run the guest, the same binary and images run inside the
 * SVM lab instead.
 */
#include <stdio.h>
#include <string.h>
#include "builtin.h"
#include "vmm/ntvisor.h"
#include "vmm/session.h"
#include "vmm/session_lab.h"

static void run_usage(FILE *out)
{
    fprintf(out,
        "usage: ntvisor run [options] <program> [args...]\n"
        "\n"
        "Boots the NT guest kernel, runs <program> (a native i386 PE image importing\n"
        "only from ntdll.dll) as its first process, prints the guest console on\n"
        "stdout, and exits with the low byte of the program's NtTerminateProcess status.\n"
        "\n"
        "options:\n");
    session_options_help(out);
    fprintf(out, "  -h, --help         this text\n\n");
    session_exit_help(out);
}

int cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        SESSION_LONG_OPTIONS,
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    struct session_options o;
    session_defaults(&o);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        if (c == 'h') {
            run_usage(stdout);
            return 0;
        }
        if (c >= SESSION_OPT_FIRST && c < SESSION_OPT_LAST) {
            if (session_option(&o, c, optarg) < 0)
                return NTV_EXIT_USAGE;
            continue;
        }
        fprintf(stderr, "ntvisor: run: unknown or incomplete option '%s' (see ntvisor run --help)\n",
                argv[optind - 1]);
        return NTV_EXIT_USAGE;
    }
    if (session_program(&o, argc, argv, optind, "run") < 0)
        return NTV_EXIT_USAGE;

    struct host_info host;
    int in_lab = session_wants_lab(&o, &host);
    if (in_lab < 0)
        return NTV_EXIT_NO_KVM;
    if (in_lab)
        return session_run_in_lab(&o, argc, argv, NULL, &host);

    struct session s;
    int rc = session_boot(&s, &o);
    if (rc)
        return rc;
    struct vm_run_options ro = { .console = stdout, .timeout_s = o.timeout_s };
    struct vm_outcome outcome;
    vm_run(&s.vm, &ro, &outcome);
    rc = session_finish(&s, &outcome);
    session_end(&s);
    return rc;
}
