/*
 * ntvisor lab [options] -- COMMAND [ARGS...]
 *
 * Runs a static command inside the SVM lab (a Linux VM under QEMU whose
 * emulated AMD-V gives kvm_amd): what `make test` uses to run the end-to-end
 * suite in one boot on hosts whose /dev/kvm cannot run the guest.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vmm/lab/lab.h"
#include "builtin.h"
#include "vmm/ntvisor.h"

#define LAB_MAX_FILES 256

static void lab_usage(FILE *out)
{
    fprintf(out,
        "usage: ntvisor lab [options] -- COMMAND [ARGS...]\n"
        "\n"
        "Runs COMMAND (a path inside the lab, statically linked) in the SVM lab and\n"
        "exits with its status. Its stdout and stderr come back unchanged. The lab's\n"
        "working directory is /ntv/work.\n"
        "\n"
        "options:\n"
        "  --input=HOST[:LAB]   copy a file in (default LAB: /ntv/work/HOST, leading / dropped)\n"
        "  --output=LAB:HOST    copy a file back after the run, if COMMAND created it\n"
        "  --memory=MIB         lab VM memory (default 512)\n"
        "  --timeout=SECONDS    kill the lab after this long\n"
        "  --stall=SECONDS      kill the lab when it sends nothing and QEMU stays nearly idle\n"
        "                       this long: the emulated machine stopped making progress\n"
        "  -h, --help           this text\n"
        "\n"
        "exit status: COMMAND's, or 126 when the lab is not built, 125 when it failed,\n"
        "124 when it stalled (--stall).\n");
}

static int add_file(struct lab_file *files, size_t *n, char *spec, int input)
{
    if (*n == LAB_MAX_FILES) {
        fprintf(stderr, "ntvisor: lab: more than %d files\n", LAB_MAX_FILES);
        return -1;
    }
    char *colon = strrchr(spec, ':');
    char *a = spec, *b = NULL;
    if (colon) {
        *colon = '\0';
        b = colon + 1;
    }
    if (input) {
        if (access(a, R_OK) != 0) {
            fprintf(stderr, "ntvisor: lab: --input %s: %s\n", a, strerror(errno));
            return -1;
        }
        if (!b) {
            /* the same relative path under the lab's working directory */
            const char *rel = a;
            while (*rel == '/')
                rel++;
            size_t len = strlen(rel) + sizeof("/ntv/work/");
            b = malloc(len);
            if (!b)
                return -1;
            snprintf(b, len, "/ntv/work/%s", rel);
        }
        files[*n] = (struct lab_file){ a, b };
    } else {
        if (!b) {
            fprintf(stderr, "ntvisor: lab: --output needs LAB:HOST\n");
            return -1;
        }
        files[*n] = (struct lab_file){ b, a };
    }
    if (files[*n].lab_path[0] != '/') {
        fprintf(stderr, "ntvisor: lab: '%s' is not an absolute lab path\n", files[*n].lab_path);
        return -1;
    }
    (*n)++;
    return 0;
}

int cmd_lab(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "input", required_argument, 0, 'i' },
        { "output", required_argument, 0, 'o' },
        { "memory", required_argument, 0, 'm' },
        { "timeout", required_argument, 0, 't' },
        { "stall", required_argument, 0, 's' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    static struct lab_file inputs[LAB_MAX_FILES], outputs[LAB_MAX_FILES];
    size_t n_in = 0, n_out = 0;
    unsigned memory = 0, timeout = 0, stall = 0;
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'h':
            lab_usage(stdout);
            return 0;
        case 'i':
        case 'o':
            if (add_file(c == 'i' ? inputs : outputs, c == 'i' ? &n_in : &n_out, optarg, c == 'i') < 0)
                return NTV_EXIT_USAGE;
            break;
        case 'm':
        case 't':
        case 's': {
            unsigned long v = strtoul(optarg, &end, 10);
            if (!*optarg || *end || v == 0 || v > 1u << 20) {
                fprintf(stderr, "ntvisor: lab: bad number '%s'\n", optarg);
                return NTV_EXIT_USAGE;
            }
            *(c == 'm' ? &memory : c == 't' ? &timeout : &stall) = (unsigned)v;
            break;
        }
        default:
            fprintf(stderr, "ntvisor: lab: unknown or incomplete option '%s'\n", argv[optind - 1]);
            return NTV_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "ntvisor: lab: no command given (see ntvisor lab --help)\n");
        return NTV_EXIT_USAGE;
    }
    const char *dir = lab_dir();
    if (!lab_is_built(dir)) {
        fprintf(stderr, "ntvisor: the SVM lab is not built in %s: run `make lab`\n", dir);
        return NTV_EXIT_NO_KVM;
    }
    struct lab_request req = {
        .lab_dir = dir, .argv = argv + optind, .inputs = inputs, .n_inputs = n_in,
        .outputs = outputs, .n_outputs = n_out, .memory_mib = memory, .timeout_sec = timeout,
        .stall_sec = stall,
    };
    int status, stalled = 0;
    char err[512];
    req.stalled = &stalled;
    if (lab_run(&req, &status, err, sizeof(err)) < 0) {
        fprintf(stderr, "ntvisor: the SVM lab failed: %s\n", err);
        return stalled ? NTV_EXIT_TIMEOUT : NTV_EXIT_MONITOR;
    }
    return status;
}
