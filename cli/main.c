/* ntvisor: a hypervisor-backed NT system-call tracer. One builtin per subcommand. */
#include <stdio.h>
#include <string.h>
#include "builtin.h"
#include "vmm/ntvisor.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    { "run",  cmd_run,  "boot the NT guest and run a program in it" },
    { "trace", cmd_trace, "run a program and trace its system calls from the hypervisor" },
    { "kd",   cmd_kd,   "boot a program and inspect the paused guest with WinDbg commands" },
    { "services", cmd_services, "print a Windows build's service numbers, or what moved between two builds" },
    { "info", cmd_info, "report the KVM API, the host's virtualization, and whether it runs the guest" },
    { "lab",  cmd_lab,  "run a static command inside the SVM lab (QEMU with emulated AMD-V)" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: ntvisor <command> [options] [args]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`ntvisor <command> --help` describes each command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return NTV_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "ntvisor: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return NTV_EXIT_USAGE;
}
