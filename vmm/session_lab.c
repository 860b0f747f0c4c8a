/* The lab hand-off: the session's command, its files mapped, run in the SVM lab (see session_lab.h). */
#define _GNU_SOURCE
#include "session_lab.h"

#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ntvisor.h"
#include "vmm/lab/protocol.h"

#define SESSION_LAB_OVERHEAD_MIB 384    /* the lab's Linux around the guest's memory */
#define SESSION_LAB_GRACE_S      300    /* booting the lab, on top of --timeout */
#define SESSION_LAB_NTVISOR      "/ntv/ntvisor"
#define SESSION_LAB_GUEST_DIR    "/ntv/guest"   /* beside SESSION_LAB_NTVISOR, where its defaults are */

/* A string the plan owns; NULL when out of memory. */
static char *plan_str(struct session_lab_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *plan_str(struct session_lab_plan *p, const char *fmt, ...)
{
    va_list ap;
    char *s;

    if (p->n_strs == sizeof(p->strs) / sizeof(p->strs[0]))
        return NULL;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    if (s)
        p->strs[p->n_strs++] = s;
    return s;
}

/* An input copied to lab; value, when the command line names it, becomes lab_value. */
static int add_input(struct session_lab_plan *p, const char *host, const char *lab, const char *value,
                     const char *lab_value)
{
    if (!host || !lab || !lab_value)
        return -1;
    p->inputs[p->n_inputs++] = (struct lab_file){ host, lab };
    if (value)
        p->map[p->n_map++] = (struct lab_argmap){ value, lab_value };
    return 0;
}

/* The kernel and ntdll: given, their options name the copies; by default the
 * copies sit where ntvisor in the lab looks by default, beside it in guest/. */
static int plan_guest_images(struct session_lab_plan *p, const struct session_options *o)
{
    char kbuf[PATH_MAX], nbuf[PATH_MAX];
    const char *kernel = plan_str(p, "%s", session_kernel_path(o, kbuf, sizeof(kbuf)));
    const char *ntdll = plan_str(p, "%s", session_ntdll_path(o, nbuf, sizeof(nbuf)));
    const char *ntdll_name = ntdll && strrchr(ntdll, '/') ? strrchr(ntdll, '/') + 1 : ntdll;
    const char *sub = session_arch(o) == SESSION_ARCH_AMD64 ? "/amd64" : "";   /* as ntvisor's defaults are */
    const char *klab = plan_str(p, SESSION_LAB_GUEST_DIR "%s/ntoskrnl.exe", sub);
    const char *nlab = o->ntdll ? plan_str(p, SESSION_LAB_GUEST_DIR "%s/ntdll.dll", sub)
                                : plan_str(p, SESSION_LAB_GUEST_DIR "%s/%s", sub, ntdll_name ? ntdll_name : "");

    if (add_input(p, kernel, klab, o->kernel, klab) < 0 || add_input(p, ntdll, nlab, o->ntdll, nlab) < 0)
        return -1;
    return 0;
}

static int plan_program(struct session_lab_plan *p, const struct session_options *o)
{
    char copy[PATH_MAX];
    const char *lab;

    snprintf(copy, sizeof(copy), "%s", o->program);
    lab = plan_str(p, "/ntv/prog/%s", basename(copy));
    return add_input(p, o->program, lab, o->program, lab);
}

/* --file=HOST[:NAME] becomes --file=/ntv/files/N:NAME, its guest name spelled out. */
static int plan_files(struct session_lab_plan *p, const struct session_options *o)
{
    for (int i = 0; i < o->n_files; i++) {
        char path[PATH_MAX], name[SESSION_MAX_FILE_NAME + 1];
        if (session_file_spec(o->files[i], path, sizeof(path), name, sizeof(name)) < 0)
            return -1;
        const char *lab = plan_str(p, "/ntv/files/%d", i);
        if (add_input(p, plan_str(p, "%s", path), lab, o->files[i], plan_str(p, "%s:%s", lab ? lab : "", name)) < 0)
            return -1;
    }
    return 0;
}

/* --driver=FILE becomes /ntv/drivers/NAME: the guest names a driver by its file's name. */
static int plan_drivers(struct session_lab_plan *p, const struct session_options *o)
{
    for (int i = 0; i < o->n_drivers; i++) {
        const char *name = session_driver_name(o->drivers[i]);
        const char *lab = name ? plan_str(p, "/ntv/drivers/%s", name) : NULL;
        if (add_input(p, o->drivers[i], lab, o->drivers[i], lab) < 0)
            return -1;
    }
    return 0;
}

/* The subcommand's output files, written in the lab's working directory and copied back. */
static int plan_outputs(struct session_lab_plan *p, const struct session_lab_extra *x)
{
    size_t n = x && x->outputs ? x->n_outputs : 0;

    if (n > SESSION_LAB_MAX_OUTPUTS)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *lab = plan_str(p, LAB_WORK_DIR "/ntvisor-output-%zu", i);
        if (!lab)
            return -1;
        p->outputs[p->n_outputs++] = (struct lab_file){ x->outputs[i], lab };
        p->map[p->n_map++] = (struct lab_argmap){ x->outputs[i], lab };
    }
    return 0;
}

/*
 * /ntv/ntvisor COMMAND [x's args] [--image-name=PROGRAM] ARGS...: the guest
 * still calls the program by the name given on this host.
 */
static int plan_argv(struct session_lab_plan *p, const struct session_options *o, int argc, char **argv,
                     const struct session_lab_extra *x)
{
    int n_extra = x && x->args ? x->n_args : 0, n = 0;
    char **src = calloc((size_t)(argc + n_extra) + 3, sizeof(*src));

    if (!src)
        return -1;
    src[n++] = SESSION_LAB_NTVISOR;
    src[n++] = argv[0];
    for (int i = 0; i < n_extra; i++)
        src[n++] = x->args[i];
    if (!o->image_name && !(src[n++] = plan_str(p, "--image-name=%s", o->program))) {
        free(src);
        return -1;
    }
    for (int i = 1; i < argc; i++)
        src[n++] = argv[i];
    p->argv = lab_argv_map(n, src, p->map, p->n_map);
    free(src);
    return p->argv ? 0 : -1;
}

int session_lab_plan(struct session_lab_plan *p, const struct session_options *o, int argc, char **argv,
                     const struct session_lab_extra *x)
{
    memset(p, 0, sizeof(*p));
    p->inputs[p->n_inputs++] = (struct lab_file){ "/proc/self/exe", SESSION_LAB_NTVISOR };
    if (plan_guest_images(p, o) < 0 || plan_program(p, o) < 0 || plan_files(p, o) < 0 || plan_drivers(p, o) < 0 ||
        plan_outputs(p, x) < 0 || plan_argv(p, o, argc, argv, x) < 0) {
        session_lab_plan_free(p);
        return -1;
    }
    return 0;
}

void session_lab_plan_free(struct session_lab_plan *p)
{
    lab_argv_free(p->argv);
    p->argv = NULL;
    for (size_t i = 0; i < p->n_strs; i++)
        free(p->strs[i]);
    p->n_strs = 0;
}

int session_run_in_lab(const struct session_options *o, int argc, char **argv, const struct session_lab_extra *x,
                       const struct host_info *host)
{
    char cmdline[SESSION_MAX_CMDLINE];
    if (session_cmdline(o, cmdline, sizeof(cmdline)) < 0)
        return NTV_EXIT_USAGE;
    const char *dir = lab_dir();
    if (!lab_is_built(dir)) {
        fprintf(stderr, "ntvisor: this host cannot run the guest (%s), and the SVM lab is not built "
                        "in %s: run `make lab`\n", host->reason, dir);
        return NTV_EXIT_NO_KVM;
    }
    struct session_lab_plan plan;
    if (session_lab_plan(&plan, o, argc, argv, x) < 0)
        return NTV_EXIT_MONITOR;
    /* every input is checked here, as the run would natively, before anything is copied */
    for (size_t i = 1; i < plan.n_inputs; i++) {
        char err[PATH_MAX + 128];
        if (check_input_file(plan.inputs[i].host_path, SESSION_MAX_IMAGE, err, sizeof(err)) < 0) {
            fprintf(stderr, "ntvisor: %s\n", err);
            session_lab_plan_free(&plan);
            return NTV_EXIT_USAGE;
        }
    }
    if (session_check_inputs(o) < 0) {
        session_lab_plan_free(&plan);
        return NTV_EXIT_USAGE;
    }
    fprintf(stderr, "ntvisor: %s; running in the SVM lab (QEMU with emulated AMD-V)\n", host->reason);
    /* NTVISOR_TRAP=patch forces the tracer's fallback, NTVISOR_NO_SYNC_REGS the registers' (vmm/kvm.c),
       NTVISOR_BENCH_STATS asks for the run's counters (make bench): they must reach ntvisor in the lab */
    static const char *const forwarded[] = { "NTVISOR_TRAP", "NTVISOR_NO_SYNC_REGS", "NTVISOR_BENCH_STATS" };
    static char env_text[3][64];
    char *env[4] = { NULL, NULL, NULL, NULL };
    for (size_t i = 0, n = 0; i < 3; i++) {
        if (!getenv(forwarded[i]))
            continue;
        snprintf(env_text[n], sizeof(env_text[n]), "%s=%s", forwarded[i], getenv(forwarded[i]));
        env[n] = env_text[n];
        n++;
    }
    struct lab_request req = {
        .lab_dir = dir, .argv = plan.argv, .env = env, .inputs = plan.inputs, .n_inputs = plan.n_inputs,
        .outputs = plan.outputs, .n_outputs = plan.n_outputs,
        .memory_mib = o->memory_mib + SESSION_LAB_OVERHEAD_MIB,
        .timeout_sec = o->timeout_s ? o->timeout_s + SESSION_LAB_GRACE_S : 0,
    };
    int status;
    char err[512];
    int rc = lab_run(&req, &status, err, sizeof(err));
    session_lab_plan_free(&plan);
    if (rc < 0) {
        fprintf(stderr, "ntvisor: the SVM lab failed: %s\n", err);
        return NTV_EXIT_MONITOR;
    }
    return status;
}
