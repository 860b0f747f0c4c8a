/*
 * ntvisor run [options] <program> [args...]
 *
 * Boots ntoskrnl with ntdll and the program as Multiboot modules and exits
 * with the program's NtTerminateProcess status (low byte). On a host whose
 * /dev/kvm cannot run the guest, the same binary and images run inside the
 * SVM lab instead.
 */
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nt/layout.h>
#include "host.h"
#include "kvm.h"
#include "lab.h"
#include "multiboot.h"
#include "ntvisor.h"
#include "vcpu.h"
#include "vm_run.h"

#define RUN_DEFAULT_MEMORY_MIB  64
#define RUN_MIN_MEMORY_MIB      16
#define RUN_MAX_MEMORY_MIB      512     /* KSEG0 maps the first 512 MiB */
#define RUN_MAX_TIMEOUT_S       86400
#define RUN_MAX_IMAGE           (32u << 20)
#define RUN_MAX_CMDLINE         1024
#define RUN_PROGRAM_LOWEST      0x00010000u
#define RUN_PROGRAM_HIGHEST     0x70000000u
#define RUN_NTDLL_HIGHEST       (MM_NTDLL_BASE + 0x01000000u)

struct run_options {
    unsigned memory_mib;
    unsigned timeout_s;
    const char *syscall;        /* auto, int2e, sysenter */
    const char *kernel, *ntdll;
    const char *image_name;     /* argv[0] the guest sees; default: the program path */
    int no_lab;
    const char *program;
    char **args;
    int n_args;
};

static void run_usage(FILE *out)
{
    fprintf(out,
        "usage: ntvisor run [options] <program> [args...]\n"
        "\n"
        "Boots the NT guest kernel, runs <program> (an ELF32 i386 image linked against\n"
        "ntdll) as its first process, prints the guest console on stdout, and exits\n"
        "with the low byte of the program's NtTerminateProcess status.\n"
        "\n"
        "options:\n"
        "  --syscall=auto|int2e|sysenter  SharedUserData!SystemCallStub: INT 2Eh or\n"
        "                                 SYSENTER (auto: SYSENTER when the CPU has SEP)\n"
        "  --memory=MIB       guest memory, %d..%d MiB (default %d)\n"
        "  --timeout=SECONDS  end the guest after this long (default: no limit)\n"
        "  --kernel=FILE      guest kernel (default: guest/ntoskrnl.exe beside ntvisor)\n"
        "  --ntdll=FILE       ntdll image (default: guest/ntdll.dll beside ntvisor)\n"
        "  --no-lab           never use the SVM lab, even where /dev/kvm cannot run the guest\n"
        "  -h, --help         this text\n"
        "\n"
        "exit status: the program's status byte; otherwise 2 bad usage or input file,\n"
        "123 the guest failed (bugcheck, triple fault, unexpected exit), 124 timeout,\n"
        "125 KVM or monitor failure, 126 this host cannot run the guest, 130 interrupted.\n"
        "Each failure also prints one line starting with 'ntvisor:' on stderr.\n",
        RUN_MIN_MEMORY_MIB, RUN_MAX_MEMORY_MIB, RUN_DEFAULT_MEMORY_MIB);
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v < lo || v > hi || s[0] == '-')
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int parse_options(int argc, char **argv, struct run_options *o)
{
    enum { OPT_SYSCALL = 256, OPT_MEMORY, OPT_TIMEOUT, OPT_KERNEL, OPT_NTDLL, OPT_IMAGE_NAME, OPT_NO_LAB };
    static const struct option longopts[] = {
        { "syscall", required_argument, 0, OPT_SYSCALL },
        { "memory", required_argument, 0, OPT_MEMORY },
        { "timeout", required_argument, 0, OPT_TIMEOUT },
        { "kernel", required_argument, 0, OPT_KERNEL },
        { "ntdll", required_argument, 0, OPT_NTDLL },
        { "image-name", required_argument, 0, OPT_IMAGE_NAME },   /* used by the lab hand-off */
        { "no-lab", no_argument, 0, OPT_NO_LAB },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    *o = (struct run_options){ .memory_mib = RUN_DEFAULT_MEMORY_MIB, .syscall = "auto" };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            run_usage(stdout);
            return 1;
        case OPT_SYSCALL:
            if (strcmp(optarg, "auto") && strcmp(optarg, "int2e") && strcmp(optarg, "sysenter")) {
                fprintf(stderr, "ntvisor: --syscall must be auto, int2e or sysenter, not '%s'\n", optarg);
                return -1;
            }
            o->syscall = optarg;
            break;
        case OPT_MEMORY:
            if (parse_uint(optarg, RUN_MIN_MEMORY_MIB, RUN_MAX_MEMORY_MIB, &o->memory_mib) < 0) {
                fprintf(stderr, "ntvisor: --memory must be %d..%d (MiB), not '%s'\n",
                        RUN_MIN_MEMORY_MIB, RUN_MAX_MEMORY_MIB, optarg);
                return -1;
            }
            break;
        case OPT_TIMEOUT:
            if (parse_uint(optarg, 1, RUN_MAX_TIMEOUT_S, &o->timeout_s) < 0) {
                fprintf(stderr, "ntvisor: --timeout must be 1..%d (seconds), not '%s'\n", RUN_MAX_TIMEOUT_S, optarg);
                return -1;
            }
            break;
        case OPT_KERNEL: o->kernel = optarg; break;
        case OPT_NTDLL: o->ntdll = optarg; break;
        case OPT_IMAGE_NAME: o->image_name = optarg; break;
        case OPT_NO_LAB: o->no_lab = 1; break;
        default:
            fprintf(stderr, "ntvisor: run: unknown or incomplete option '%s' (see ntvisor run --help)\n",
                    argv[optind - 1]);
            return -1;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "ntvisor: run: no program given (see ntvisor run --help)\n");
        return -1;
    }
    o->program = argv[optind];
    o->args = argv + optind + 1;
    o->n_args = argc - optind - 1;
    return 0;
}

/* The guest command line: "<image name> args..." (what QEMU and GRUB pass for a module). */
static int build_cmdline(const struct run_options *o, char *out, size_t outlen)
{
    const char *name = o->image_name ? o->image_name : o->program;
    size_t len = 0;
    for (int i = -1; i < o->n_args; i++) {
        const char *word = i < 0 ? name : o->args[i];
        if (!*word || strpbrk(word, " \t\r\n,")) {
            fprintf(stderr, "ntvisor: argument '%s': the guest command line cannot carry empty words, "
                            "whitespace or commas\n", word);
            return -1;
        }
        for (const char *p = word; *p; p++) {
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7F) {
                fprintf(stderr, "ntvisor: argument %d: only printable ASCII reaches the guest\n", i + 1);
                return -1;
            }
        }
        int n = snprintf(out + len, outlen - len, "%s%s", i < 0 ? "" : " ", word);
        if (n < 0 || (size_t)n >= outlen - len) {
            fprintf(stderr, "ntvisor: the guest command line is longer than %zu bytes\n", outlen - 1);
            return -1;
        }
        len += (size_t)n;
    }
    return 0;
}

static const char *default_image(const char *given, const char *name, char *buf, size_t len)
{
    if (given)
        return given;
    snprintf(buf, len, "%s/guest/%s", self_dir(), name);
    return buf;
}

struct loaded_image { uint8_t *data; size_t size; };

static int load_image(const char *path, struct loaded_image *img)
{
    char err[PATH_MAX + 128];
    if (read_file(path, RUN_MAX_IMAGE, &img->data, &img->size, err, sizeof(err)) < 0) {
        fprintf(stderr, "ntvisor: %s\n", err);
        return -1;
    }
    return 0;
}

static int exit_code_for(const struct vm_outcome *out)
{
    switch (out->stop) {
    case VM_STOP_PROCESS_EXIT: return (int)(out->detail & 0xFF);
    case VM_STOP_TIMEOUT:      return NTV_EXIT_TIMEOUT;
    case VM_STOP_INTERRUPTED:  return NTV_EXIT_INTERRUPTED;
    case VM_STOP_KVM_FAILURE:  return NTV_EXIT_MONITOR;
    default:                   return NTV_EXIT_GUEST_FAILED;
    }
}

static int run_native(const struct run_options *o, const char *kernel_path, const char *ntdll_path)
{
    char cmdline[RUN_MAX_CMDLINE], kernel_cmdline[64], err[512];
    struct loaded_image kernel = { 0 }, ntdll = { 0 }, program = { 0 };
    struct kvm_vm vm;
    int rc = NTV_EXIT_USAGE;

    if (build_cmdline(o, cmdline, sizeof(cmdline)) < 0)
        return NTV_EXIT_USAGE;
    snprintf(kernel_cmdline, sizeof(kernel_cmdline), "syscall=%s", o->syscall);
    if (load_image(kernel_path, &kernel) < 0 || load_image(ntdll_path, &ntdll) < 0 ||
        load_image(o->program, &program) < 0)
        goto out;

    struct mb_image prog_img = { program.data, program.size, o->program };
    struct mb_image ntdll_img = { ntdll.data, ntdll.size, ntdll_path };
    if (mb_check_elf32_exec(&prog_img, RUN_PROGRAM_LOWEST, RUN_PROGRAM_HIGHEST, err, sizeof(err)) != MB_OK ||
        mb_check_elf32_exec(&ntdll_img, MM_NTDLL_BASE, RUN_NTDLL_HIGHEST, err, sizeof(err)) != MB_OK) {
        fprintf(stderr, "ntvisor: %s\n", err);
        goto out;
    }

    enum kvm_error why;
    if (kvm_vm_create(&vm, "/dev/kvm", (size_t)o->memory_mib << 20, &why, err, sizeof(err)) < 0) {
        fprintf(stderr, "ntvisor: %s\n", err);
        rc = why == KVM_ERR_SYSTEM ? NTV_EXIT_MONITOR : NTV_EXIT_NO_KVM;
        goto out;
    }
    struct mb_module modules[] = {
        { ntdll_img, ntdll_path },
        { prog_img, cmdline },
    };
    struct mb_image kernel_img = { kernel.data, kernel.size, kernel_path };
    struct mb_boot boot;
    if (mb_load(vm.mem, vm.mem_size, &kernel_img, kernel_cmdline, modules, 2, &boot, err, sizeof(err)) != MB_OK) {
        fprintf(stderr, "ntvisor: %s\n", err);
        goto out_vm;
    }
    if (vcpu_setup_multiboot(&vm, boot.entry, boot.info_addr, err, sizeof(err)) < 0) {
        fprintf(stderr, "ntvisor: %s\n", err);
        rc = NTV_EXIT_MONITOR;
        goto out_vm;
    }

    struct vm_run_options ro = { .console = stdout, .timeout_s = o->timeout_s };
    struct vm_outcome outcome;
    vm_run(&vm, &ro, &outcome);
    rc = exit_code_for(&outcome);
    if (outcome.stop != VM_STOP_PROCESS_EXIT) {
        fprintf(stderr, "ntvisor: %s\n", outcome.reason);
        if (outcome.stop != VM_STOP_BUGCHECK && outcome.stop != VM_STOP_INTERRUPTED)
            vcpu_dump(&vm, stderr);
    }
out_vm:
    kvm_vm_destroy(&vm);
out:
    free(kernel.data);
    free(ntdll.data);
    free(program.data);
    return rc;
}

/* Runs this same binary inside the SVM lab with the images copied in. */
static int run_in_lab(const struct run_options *o, const char *kernel_path, const char *ntdll_path,
                      const struct host_info *host)
{
    const char *dir = lab_dir();
    if (!lab_is_built(dir)) {
        fprintf(stderr, "ntvisor: this host cannot run the guest (%s), and the SVM lab is not built "
                        "in %s: run `make lab`\n", host->reason, dir);
        return NTV_EXIT_NO_KVM;
    }
    fprintf(stderr, "ntvisor: %s; running in the SVM lab (QEMU with emulated AMD-V)\n", host->reason);

    char prog_lab[PATH_MAX + 16], opt[6][PATH_MAX + 32];
    char prog_copy[PATH_MAX];
    snprintf(prog_copy, sizeof(prog_copy), "%s", o->program);
    snprintf(prog_lab, sizeof(prog_lab), "/ntv/prog/%s", basename(prog_copy));
    snprintf(opt[0], sizeof(opt[0]), "--kernel=/ntv/guest/ntoskrnl.exe");
    snprintf(opt[1], sizeof(opt[1]), "--ntdll=/ntv/guest/ntdll.dll");
    snprintf(opt[2], sizeof(opt[2]), "--memory=%u", o->memory_mib);
    snprintf(opt[3], sizeof(opt[3]), "--syscall=%s", o->syscall);
    snprintf(opt[4], sizeof(opt[4]), "--image-name=%s", o->image_name ? o->image_name : o->program);
    snprintf(opt[5], sizeof(opt[5]), "--timeout=%u", o->timeout_s);

    char **argv = calloc((size_t)o->n_args + 12, sizeof(char *));
    if (!argv)
        return NTV_EXIT_MONITOR;
    int n = 0;
    argv[n++] = "/ntv/ntvisor";
    argv[n++] = "run";
    for (int i = 0; i < 5; i++)
        argv[n++] = opt[i];
    if (o->timeout_s)
        argv[n++] = opt[5];
    argv[n++] = "--";
    argv[n++] = prog_lab;
    for (int i = 0; i < o->n_args; i++)
        argv[n++] = o->args[i];
    argv[n] = NULL;

    struct lab_file inputs[] = {
        { "/proc/self/exe", "/ntv/ntvisor" },
        { kernel_path, "/ntv/guest/ntoskrnl.exe" },
        { ntdll_path, "/ntv/guest/ntdll.dll" },
        { o->program, prog_lab },
    };
    struct lab_request req = {
        .lab_dir = dir, .argv = argv, .inputs = inputs, .n_inputs = 4,
        .memory_mib = o->memory_mib + 384,
        .timeout_sec = o->timeout_s ? o->timeout_s + 300 : 0,
    };
    int status;
    char err[512];
    int rc = lab_run(&req, &status, err, sizeof(err));
    free(argv);
    if (rc < 0) {
        fprintf(stderr, "ntvisor: the SVM lab failed: %s\n", err);
        return NTV_EXIT_MONITOR;
    }
    return status;
}

int cmd_run(int argc, char **argv)
{
    struct run_options o;
    int p = parse_options(argc, argv, &o);
    if (p != 0)
        return p > 0 ? 0 : NTV_EXIT_USAGE;

    char kbuf[PATH_MAX], nbuf[PATH_MAX];
    const char *kernel = default_image(o.kernel, "ntoskrnl.exe", kbuf, sizeof(kbuf));
    const char *ntdll = default_image(o.ntdll, "ntdll.dll", nbuf, sizeof(nbuf));

    struct host_info host;
    host_probe(&host);
    if (!host.can_run_guest && !o.no_lab && !getenv(NTV_IN_LAB_ENV)) {
        char cmdline[RUN_MAX_CMDLINE];
        if (build_cmdline(&o, cmdline, sizeof(cmdline)) < 0)
            return NTV_EXIT_USAGE;
        return run_in_lab(&o, kernel, ntdll, &host);
    }
    return run_native(&o, kernel, ntdll);
}
