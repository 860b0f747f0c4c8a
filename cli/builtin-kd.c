/*
 * ntvisor kd [-c "cmd; cmd"] [--stop=boot|exit|first-syscall|<Service>] [options] <program> [args...]
 *
 * Boots the guest like `run`, pauses it at the stop point, and runs WinDbg
 * commands (kd/kd.h) against the paused vCPU and guest memory. Stops:
 *   boot           the program's first user-mode instruction (its ELF entry)
 *   exit           the guest has ended, its state intact (vm_hooks.on_stop)
 *   first-syscall  the program's first system call, at the dispatcher's
 *                  first instruction (KiSystemService or KiFastCallEntry)
 *   <Service>      every call of that service (NtReadFile, ReadFile, ...)
 *
 * How it pauses: hardware execute breakpoints (KVM_SET_GUEST_DEBUG,
 * KVM_GUESTDBG_USE_HW_BP, DRn with RW=00 LEN=00) on kernel addresses only,
 * and single steps. Inside the SVM lab a debug-register breakpoint on a
 * ring-3 address does not reliably reach the monitor (measured: it fired in
 * 2 of 11 runs at the program's entry), and an INT3 patch is delivered to the guest instead of being
 * intercepted; kernel-address breakpoints and single steps are reliable.
 * So `boot` breaks on nt!KiExitToUserMode (the kernel's way into a new
 * process) and single-steps to the first ring-3 instruction. The system-call
 * stops are the tracer's (tracer/tracer.h): it learns KiFastCallEntry and
 * KiSystemService from outside, traps every call -- by debug registers, or
 * by patched instructions where those do not fire -- and calls kd at each
 * entry, with the vCPU paused there.
 *
 * `g` goes on to the next stop (the exit is always one, interactively); `q`
 * ends the guest. -c commands after a `g` run at the next stop.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "builtin.h"
#include "vmm/ntvisor.h"
#include "vmm/session.h"
#include "vmm/session_lab.h"
#include "vmm/guest_mem.h"
#include "ntdb/x86_desc.h"
#include <nt/layout.h>
#include "kd/kd.h"
#include "kd/kd_kvm.h"
#include "kd/kd_layout.h"
#include "kd/kd_line.h"
#include "ntdb/service_table.h"
#include "tracer/tracer.h"

#define KD_MAX_SCRIPT  (64u << 10)

enum stop_kind { STOP_BOOT, STOP_EXIT, STOP_FIRST_SYSCALL, STOP_SERVICE };
#define KD_MAX_STEPS_TO_ENTRY 10000
enum phase { PH_NONE, PH_LOADER, PH_TO_ENTRY, PH_DONE };

struct kd_run {
    enum stop_kind stop;
    char service[80];            /* STOP_SERVICE: "NtReadFile" */
    uint32_t entry;              /* the program's ELF entry */
    struct tracer *tracer;       /* system-call stops */
    const struct vm_hooks *tracer_hooks;
    enum phase phase;
    bool no_block_irq;           /* KVM refused KVM_GUESTDBG_BLOCKIRQ */
    uint32_t exit_to_user;       /* nt!KiExitToUserMode: how the kernel enters the program */
    unsigned steps;

    struct symtab syms;
    struct kd kd;
    struct kd_kvm kk;
    struct kd_line line;
    bool interactive;            /* prompt on the terminal */
    bool stdin_script;           /* commands from a non-terminal stdin */
    char **cmds;                 /* -c, split */
    size_t n_cmds, next_cmd;
    bool quit;
    unsigned stops;
};

static void kd_usage(FILE *out)
{
    fprintf(out,
        "usage: ntvisor kd [-c \"cmd; cmd; ...\"] [--stop=boot|exit|first-syscall|<Service>]\n"
        "                  [options] <program> [args...]\n"
        "\n"
        "Boots the NT guest with <program>, pauses it at the stop point and runs WinDbg\n"
        "commands against the paused vCPU and guest memory (through the guest's page\n"
        "tables). Symbols come from ntoskrnl.exe (nt), ntdll.dll (ntdll), the program,\n"
        "and SharedUserData (SystemCallStub at 0x7FFE0300).\n"
        "\n"
        "  -c \"CMDS\"          commands separated by ';'; those after a `g` run at the\n"
        "                     next stop; without -c: a `kd> ` prompt on a terminal, or\n"
        "                     commands read from stdin\n"
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

/* ---------------------------------------------------------------- breakpoints
 * Hardware execute breakpoints (DR0..DR3 through KVM_SET_GUEST_DEBUG) on
 * kernel addresses, and single steps. */

/* Arms the n breakpoints (execute, 1 byte: RW=00 LEN=00, Li set) and, if step, a single step. */
static int hw_set(struct kd_run *k, struct kvm_vm *vm, const uint32_t *addrs, unsigned n, bool step)
{
    struct kvm_guest_debug dbg;
    memset(&dbg, 0, sizeof(dbg));
    for (unsigned i = 0; i < n && i < 4; i++) {
        dbg.arch.debugreg[i] = addrs[i];
        dbg.arch.debugreg[7] |= 1ull << (2 * i);
    }
    if (!n && !step)
        return ioctl(vm->vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg);   /* control 0: all off */
    dbg.control = KVM_GUESTDBG_ENABLE | (n ? KVM_GUESTDBG_USE_HW_BP : 0) | (step ? KVM_GUESTDBG_SINGLESTEP : 0);
#ifdef KVM_GUESTDBG_BLOCKIRQ
    if (step && !k->no_block_irq) {
        /* keep interrupts out of the stepped instruction where KVM can */
        dbg.control |= KVM_GUESTDBG_BLOCKIRQ;
        if (ioctl(vm->vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg) == 0)
            return 0;
        k->no_block_irq = true;
        dbg.control &= ~(uint32_t)KVM_GUESTDBG_BLOCKIRQ;
    }
#else
    (void)k;
#endif
    return ioctl(vm->vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg);
}

/* ---------------------------------------------------------------- commands at a stop */

static enum kd_action run_one(struct kd_run *k, const char *cmd, bool echo)
{
    if (echo)
        fprintf(stdout, "kd> %s\n", cmd);
    enum kd_action a = kd_exec(&k->kd, cmd);
    fflush(stdout);
    return a;
}

/* Runs commands at a stop until one says go or quit. */
static enum kd_action at_stop(struct kd_run *k, struct kvm_vm *vm, const char *what)
{
    k->stops++;
    if (kd_kvm_attach(&k->kk, vm) < 0)
        fprintf(stdout, "*** kd: cannot read the vCPU state: %s\n", strerror(errno));
    char sym[300] = "";
    uint32_t eip = (uint32_t)k->kk.regs.rip;
    symtab_format(&k->syms, eip, sym, sizeof(sym));
    fprintf(stdout, "*** kd: stop %u: %s; eip %08x%s%s%s\n", k->stops, what, eip, sym[0] ? " (" : "", sym,
            sym[0] ? ")" : "");
    fflush(stdout);
    k->kd.have_next_u = k->kd.have_next_d = false;

    while (k->next_cmd < k->n_cmds) {
        enum kd_action a = run_one(k, k->cmds[k->next_cmd++], true);
        if (a != KD_STAY)
            return a;
    }
    if (k->cmds)
        return KD_GO;             /* -c given and used up: run to the end */
    if (!k->interactive && !k->stdin_script)
        return KD_GO;
    for (;;) {
        char *line = kd_line_read(&k->line, k->interactive ? "kd> " : "", STDIN_FILENO, STDOUT_FILENO);
        if (!line)
            return k->interactive ? KD_QUIT : KD_GO;   /* end of a script on stdin: run on */
        if (!k->interactive)
            fprintf(stdout, "kd> %s\n", line);
        enum kd_action a = kd_exec(&k->kd, line);
        free(line);
        fflush(stdout);
        if (a != KD_STAY)
            return a;
    }
}

static int quit(struct kd_run *k, struct vm_outcome *out)
{
    k->quit = true;
    out->stop = VM_STOP_INTERRUPTED;
    snprintf(out->reason, sizeof(out->reason), "kd: q ended the guest");
    return 0;
}

/* ---------------------------------------------------------------- vm_hooks */

static int fail_run(struct vm_outcome *out, const char *what)
{
    out->stop = VM_STOP_KVM_FAILURE;
    snprintf(out->reason, sizeof(out->reason), "kd: %s: %s", what, strerror(errno));
    return 0;
}

static int kd_on_start(void *ctx, struct kvm_vm *vm, struct vm_outcome *out)
{
    struct kd_run *k = ctx;
    if (k->stop == STOP_EXIT)
        return 0;
    /* the kernel enters the program through KiExitToUserMode: break there, then step to ring 3 */
    if (hw_set(k, vm, &k->exit_to_user, 1, false) < 0)
        return !fail_run(out, "hardware breakpoint on nt!KiExitToUserMode (KVM_SET_GUEST_DEBUG)");
    k->phase = PH_LOADER;
    return 0;
}

/* The vCPU is at the program's first instruction (--stop=boot). */
static int at_entry(struct kd_run *k, struct kvm_vm *vm, struct vm_outcome *out)
{
    if (kd_kvm_attach(&k->kk, vm) < 0)
        return fail_run(out, "reading the vCPU");
    hw_set(k, vm, NULL, 0, false);
    k->phase = PH_DONE;
    enum kd_action a = at_stop(k, vm, "the program's entry point (--stop=boot)");
    return a == KD_QUIT ? quit(k, out) : 1;
}

static int kd_on_exit(void *ctx, struct kvm_vm *vm, struct vm_outcome *out)
{
    struct kd_run *k = ctx;
    if (vm->run->exit_reason != KVM_EXIT_DEBUG)
        return -1;
    uint32_t pc = (uint32_t)vm->run->debug.arch.pc;
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs) < 0 || ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
        return fail_run(out, "reading the vCPU");

    switch (k->phase) {
    case PH_LOADER:
        if (pc != k->exit_to_user)
            return -1;
        k->steps = 0;
        k->phase = PH_TO_ENTRY;
        if (hw_set(k, vm, NULL, 0, true) < 0)
            return fail_run(out, "single-step (KVM_SET_GUEST_DEBUG)");
        return 1;
    case PH_TO_ENTRY:
        if ((sregs.cs.selector & 3) == 3) {
            if ((uint32_t)regs.rip != k->entry)
                fprintf(stdout, "*** kd: the kernel entered ring 3 at %08x, not at the ELF entry %08x\n",
                        (uint32_t)regs.rip, k->entry);
            return at_entry(k, vm, out);
        }
        if (++k->steps > KD_MAX_STEPS_TO_ENTRY) {
            fprintf(stdout, "*** kd: no ring-3 instruction within %u steps of nt!KiExitToUserMode: no stop\n",
                    KD_MAX_STEPS_TO_ENTRY);
            hw_set(k, vm, NULL, 0, false);
            k->phase = PH_DONE;
        }
        return 1;
    default:
        return -1;
    }
}

/*
 * --stop=first-syscall|<Service>: the tracer's observer. The program's first
 * call from ring 3, or every call of the service, is a stop.
 */
static bool kd_at_syscall(void *ctx, struct kvm_vm *vm, const struct trace_call *c)
{
    struct kd_run *k = ctx;
    bool mine = k->stop == STOP_FIRST_SYSCALL ? c->cpl == 3 && k->stops == 0
                                              : c->table == 0 && c->name && !strcmp(c->name, k->service);
    if (!mine)
        return false;
    char what[200];
    snprintf(what, sizeof(what), "system call %s0x%x via %s (--stop=%s)", c->table ? "table 1, " : "", c->index,
             c->via == VIA_SYSENTER ? "SYSENTER, nt!KiFastCallEntry" : "nt!KiSystemService",
             k->stop == STOP_FIRST_SYSCALL ? "first-syscall" : k->service);
    if (at_stop(k, vm, what) != KD_QUIT)
        return false;
    k->quit = true;
    return true;
}

static int kd_sys_on_start(void *ctx, struct kvm_vm *vm, struct vm_outcome *out)
{
    struct kd_run *k = ctx;
    return k->tracer_hooks->on_start(k->tracer_hooks->ctx, vm, out);
}

static int kd_sys_on_exit(void *ctx, struct kvm_vm *vm, struct vm_outcome *out)
{
    struct kd_run *k = ctx;
    return k->tracer_hooks->on_exit(k->tracer_hooks->ctx, vm, out);
}

static void kd_on_stop(void *ctx, struct kvm_vm *vm, const struct vm_outcome *out);

static void kd_sys_on_stop(void *ctx, struct kvm_vm *vm, const struct vm_outcome *out)
{
    struct kd_run *k = ctx;
    k->tracer_hooks->on_stop(k->tracer_hooks->ctx, vm, out);   /* takes its patches out first */
    kd_on_stop(ctx, vm, out);
}

static void kd_on_stop(void *ctx, struct kvm_vm *vm, const struct vm_outcome *out)
{
    struct kd_run *k = ctx;
    if (k->quit)
        return;
    /* the exit is a stop when asked for, at a prompt, or when commands wait for it */
    bool wanted = k->stop == STOP_EXIT || k->interactive || k->stdin_script || k->next_cmd < k->n_cmds;
    if (!wanted)
        return;
    char what[300];
    snprintf(what, sizeof(what), "the guest ended: %s%s", out->reason,
             k->stop == STOP_EXIT ? " (--stop=exit)" : "");
    if (k->stops == 0 && k->stop != STOP_EXIT)
        fprintf(stdout, "*** kd: the guest ended before the stop point was reached\n");
    at_stop(k, vm, what);   /* g or q: the guest is over either way */
}

/* ---------------------------------------------------------------- setup */

static int add_cmd(void *ctx, const char *cmd)
{
    struct kd_run *k = ctx;
    char **c = realloc(k->cmds, (k->n_cmds + 1) * sizeof(char *));
    if (!c)
        return -1;
    k->cmds = c;
    if (!(k->cmds[k->n_cmds] = strdup(cmd)))
        return -1;
    k->n_cmds++;
    return 0;
}

/* The program's module name: its file name without the extension, as an identifier. */
static void program_module_name(const char *path, char *out, size_t len)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = 0;
    for (const char *p = base; *p && *p != '.' && n + 1 < len && n < 24; p++)
        out[n++] = isalnum((unsigned char)*p) ? *p : '_';
    if (!n)
        out[n++] = 'p';
    out[n] = '\0';
    if (!strcasecmp(out, "nt") || !strcasecmp(out, "ntdll") || !strcasecmp(out, "SharedUserData"))
        snprintf(out + n, len - n, "_exe");
}

static void load_symbols(struct kd_run *k, const struct session_options *o)
{
    char kbuf[PATH_MAX], nbuf[PATH_MAX], err[512], mod[40];
    symtab_init(&k->syms);
    if (symtab_load_elf_file(&k->syms, "nt", session_kernel_path(o, kbuf, sizeof(kbuf)), err,
                             sizeof(err)) < 0)
        fprintf(stderr, "ntvisor: kd: no nt symbols: %s\n", err);
    if (symtab_load_elf_file(&k->syms, "ntdll", session_ntdll_path(o, nbuf, sizeof(nbuf)), err,
                             sizeof(err)) < 0)
        fprintf(stderr, "ntvisor: kd: no ntdll symbols: %s\n", err);
    program_module_name(o->program, mod, sizeof(mod));
    if (symtab_load_elf_file(&k->syms, mod, o->program, err, sizeof(err)) < 0)
        fprintf(stderr, "ntvisor: kd: no symbols for the program: %s\n", err);
    symtab_add_shared_user_data(&k->syms);
}

static int parse_stop(struct kd_run *k, const char *arg)
{
    if (!strcmp(arg, "boot"))
        k->stop = STOP_BOOT;
    else if (!strcmp(arg, "exit"))
        k->stop = STOP_EXIT;
    else if (!strcmp(arg, "first-syscall"))
        k->stop = STOP_FIRST_SYSCALL;
    else {
        size_t len = strlen(arg);
        if (!len || len > 64)
            goto bad;
        for (const char *p = arg; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '_')
                goto bad;
        k->stop = STOP_SERVICE;
        bool prefixed = (len > 2 && (!strncmp(arg, "Nt", 2) || !strncmp(arg, "Zw", 2)));
        snprintf(k->service, sizeof(k->service), "Nt%s", prefixed ? arg + 2 : arg);
    }
    return 0;
bad:
    fprintf(stderr, "ntvisor: kd: --stop must be boot, exit, first-syscall or a service name, not '%s'\n", arg);
    return -1;
}

/* Without a terminal, the lab gets stdin's commands as one -c script. */
static char *slurp_stdin_script(void)
{
    char *buf = malloc(KD_MAX_SCRIPT + 1);
    if (!buf)
        return NULL;
    size_t n = fread(buf, 1, KD_MAX_SCRIPT, stdin);
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\n' || buf[i] == '\r')
            buf[i] = ';';
    return buf;
}

int cmd_kd(int argc, char **argv)
{
    enum { OPT_STOP = SESSION_OPT_LAST + 1 };
    static const struct option longopts[] = {
        SESSION_LONG_OPTIONS,
        { "stop", required_argument, 0, OPT_STOP },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    struct session_options o;
    session_defaults(&o);
    static struct kd_run k;
    memset(&k, 0, sizeof(k));
    k.stop = STOP_BOOT;
    const char *script = NULL, *stop_arg = "boot";
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+hc:", longopts, NULL)) != -1) {
        if (c == 'h') {
            kd_usage(stdout);
            return 0;
        }
        if (c == 'c') {
            script = optarg;
            continue;
        }
        if (c == OPT_STOP) {
            if (parse_stop(&k, optarg) < 0)
                return NTV_EXIT_USAGE;
            stop_arg = optarg;
            continue;
        }
        if (c >= SESSION_OPT_FIRST && c < SESSION_OPT_LAST) {
            if (session_option(&o, c, optarg) < 0)
                return NTV_EXIT_USAGE;
            continue;
        }
        fprintf(stderr, "ntvisor: kd: unknown or incomplete option '%s' (see ntvisor kd --help)\n",
                argv[optind - 1]);
        return NTV_EXIT_USAGE;
    }
    if (session_program(&o, argc, argv, optind, "kd") < 0)
        return NTV_EXIT_USAGE;
    if (script && strlen(script) > KD_MAX_SCRIPT) {
        fprintf(stderr, "ntvisor: kd: -c is longer than %u bytes\n", KD_MAX_SCRIPT);
        return NTV_EXIT_USAGE;
    }

    struct host_info host;
    if (session_wants_lab(&o, &host)) {
        char *stdin_script = NULL;
        if (!script) {
            if (isatty(STDIN_FILENO)) {
                fprintf(stderr, "ntvisor: kd: this host runs the guest in the SVM lab, which cannot reach "
                                "this terminal: give the commands with -c \"cmd; cmd\" or on stdin from a file\n");
                return NTV_EXIT_USAGE;
            }
            script = stdin_script = slurp_stdin_script();
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
    k.entry = s.program_entry;
    load_symbols(&k, &o);
    if (k.stop == STOP_SERVICE) {
        char name[96];
        snprintf(name, sizeof(name), "nt!%s", k.service);
        uint32_t service_addr;
        if (!symtab_lookup(&k.syms, name, &service_addr)) {
            fprintf(stderr, "ntvisor: kd: --stop=%s: the kernel has no symbol %s\n", stop_arg, name);
            symtab_free(&k.syms);
            session_end(&s);
            return NTV_EXIT_USAGE;
        }
    }
    if (k.stop != STOP_EXIT && !symtab_lookup(&k.syms, "nt!KiExitToUserMode", &k.exit_to_user)) {
        fprintf(stderr, "ntvisor: kd: --stop=%s needs nt!KiExitToUserMode in the kernel's symbols\n", stop_arg);
        symtab_free(&k.syms);
        session_end(&s);
        return NTV_EXIT_USAGE;
    }
    if (kd_kvm_attach(&k.kk, &s.vm) < 0 || kd_init(&k.kd, &k.kk.target, &k.syms, stdout) < 0) {
        fprintf(stderr, "ntvisor: kd: cannot set up the debugger (KVM state or Capstone)\n");
        symtab_free(&k.syms);
        session_end(&s);
        return NTV_EXIT_MONITOR;
    }
    struct svc_table services = { 0 };   /* the build's names, for the system-call stops */
    if (script) {
        if (kd_split_commands(script, add_cmd, &k) < 0) {
            fprintf(stderr, "ntvisor: kd: out of memory\n");
            rc = NTV_EXIT_MONITOR;
            goto out;
        }
        if (!k.cmds)
            k.cmds = calloc(1, sizeof(char *));   /* an empty -c: no commands, not interactive */
    } else if (isatty(STDIN_FILENO)) {
        k.interactive = true;
    } else {
        k.stdin_script = true;
    }

    struct vm_hooks hooks = { .ctx = &k, .on_start = kd_on_start, .on_exit = kd_on_exit, .on_stop = kd_on_stop };
    if (k.stop == STOP_FIRST_SYSCALL || k.stop == STOP_SERVICE) {
        char err[200];
        if (svc_table_builtin(o.build, &services, err, sizeof(err)) < 0) {
            fprintf(stderr, "ntvisor: kd: %s\n", err);
            rc = NTV_EXIT_MONITOR;
            goto out;
        }
        const char *base = strrchr(o.program, '/');
        struct tracer_options to = { .services = &services, .image = base ? base + 1 : o.program,
                                     .on_syscall = kd_at_syscall, .on_syscall_ctx = &k };
        k.tracer = tracer_new(&to);
        if (!k.tracer) {
            rc = NTV_EXIT_MONITOR;
            goto out;
        }
        tracer_set_user_entry(k.tracer, s.program_entry);
        k.tracer_hooks = tracer_hooks(k.tracer);
        hooks = (struct vm_hooks){ .ctx = &k, .on_start = kd_sys_on_start, .on_exit = kd_sys_on_exit,
                                   .on_stop = kd_sys_on_stop };
    }
    struct vm_run_options ro = { .console = stdout, .timeout_s = o.timeout_s, .hooks = &hooks };
    struct vm_outcome outcome;
    vm_run(&s.vm, &ro, &outcome);
    fflush(stdout);
    if (k.quit) {
        fprintf(stderr, "ntvisor: kd: quit; the guest was ended\n");
        rc = 0;
    } else {
        rc = session_finish(&s, &outcome);
    }
out:
    tracer_free(k.tracer);
    svc_table_free(&services);
    kd_free(&k.kd);
    kd_line_free(&k.line);
    for (size_t i = 0; i < k.n_cmds; i++)
        free(k.cmds[i]);
    free(k.cmds);
    symtab_free(&k.syms);
    session_end(&s);
    return rc;
}
