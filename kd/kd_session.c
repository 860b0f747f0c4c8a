/* The kd session: its setup over a booted guest, the commands at each stop, the run and its end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kd_complete.h"
#include "kd_modules.h"
#include "kd_session.h"
#include "kd_symbols.h"
#include "vmm/ntvisor.h"

/* ---------------------------------------------------------------- commands at a stop */

/* "*** kd: stop 2: <what>; eip 80109720 (nt!KiFastCallEntry)" */
static void announce(struct kd_session *k, struct kvm_vm *vm, const char *what)
{
    if (kd_kvm_attach(&k->kk, vm) < 0)
        fprintf(stdout, "*** kd: cannot read the vCPU state: %s\n", strerror(errno));
    /* drivers loaded since the last stop, where the kernel keeps PsLoadedModuleList */
    kd_add_driver_modules(&k->syms, &k->kk.target, k->drivers, k->n_drivers);
    char sym[300] = "";
    uint32_t eip = (uint32_t)k->kk.regs.rip;
    symtab_format(&k->syms, eip, sym, sizeof(sym));
    fprintf(stdout, "*** kd: stop %u: %s; eip %08x%s%s%s\n", k->stops, what, eip, sym[0] ? " (" : "", sym,
            sym[0] ? ")" : "");
    fflush(stdout);
}

/* One command, echoed after the prompt so that a transcript shows what ran. */
static enum kd_action run_echoed(struct kd_session *k, const char *cmd)
{
    fprintf(stdout, "kd> %s\n", cmd);
    enum kd_action a = kd_exec(&k->kd, cmd);
    fflush(stdout);
    return a;
}

/* Commands from stdin: a prompt with line editing on a terminal, echoed otherwise. */
static enum kd_action read_commands(struct kd_session *k)
{
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

enum kd_action kd_session_stop(struct kd_session *k, struct kvm_vm *vm, const char *what)
{
    k->stops++;
    announce(k, vm, what);
    /* a bare u or dd must not go on from where the last stop's left off: the guest has moved */
    k->kd.have_next_u = k->kd.have_next_d = false;
    for (const char *cmd; (cmd = kd_script_next(&k->script));) {
        enum kd_action a = run_echoed(k, cmd);
        if (a != KD_STAY)
            return a;
    }
    if (k->script.given)
        return KD_GO;   /* -c used up: the guest runs to its end */
    return read_commands(k);
}

bool kd_session_wants_exit_stop(const struct kd_session *k)
{
    return k->stop.kind == KD_STOP_EXIT || k->interactive || k->stdin_script || kd_script_pending(&k->script);
}

/* ---------------------------------------------------------------- setup, run, end */

/* The kernel symbols the stop point needs; 0, or NTV_EXIT_USAGE (said on stderr). */
static int find_stop_symbols(struct kd_session *k, const char *stop_arg)
{
    if (k->stop.kind == KD_STOP_SERVICE) {
        /* a service the kernel does not have would never stop: a typo */
        char name[96];
        uint32_t addr;
        snprintf(name, sizeof(name), "nt!%s", k->stop.service);
        if (!symtab_lookup(&k->syms, name, &addr)) {
            fprintf(stderr, "ntvisor: kd: --stop=%s: the kernel has no symbol %s\n", stop_arg, name);
            return NTV_EXIT_USAGE;
        }
    }
    if (k->stop.kind != KD_STOP_EXIT && !symtab_lookup(&k->syms, "nt!KiExitToUserMode", &k->exit_to_user)) {
        fprintf(stderr, "ntvisor: kd: --stop=%s needs nt!KiExitToUserMode in the kernel's symbols\n", stop_arg);
        return NTV_EXIT_USAGE;
    }
    return 0;
}

/* Where the commands come from: -c, a prompt on a terminal, or stdin. 0, or NTV_EXIT_MONITOR. */
static int choose_commands(struct kd_session *k, const char *script)
{
    if (script) {
        if (kd_script_load(&k->script, script) < 0) {
            fprintf(stderr, "ntvisor: kd: out of memory\n");
            return NTV_EXIT_MONITOR;
        }
    } else if (isatty(STDIN_FILENO)) {
        k->interactive = true;
    } else {
        k->stdin_script = true;
    }
    return 0;
}

static int setup(struct kd_session *k, struct session *s, const struct session_options *o,
                 const struct kd_session_options *ko)
{
    k->stop = ko->stop;
    k->entry = s->program_entry;
    k->drivers = o->drivers;
    k->n_drivers = o->n_drivers;
    kd_load_symbols(&k->syms, o);
    k->line.complete = kd_complete;   /* Tab at the prompt: commands and module!symbol */
    k->line.complete_ctx = &k->syms;
    int rc = find_stop_symbols(k, ko->stop_arg);
    if (rc)
        return rc;
    if (kd_kvm_attach(&k->kk, &s->vm) < 0 || kd_init(&k->kd, &k->kk.target, &k->syms, stdout) < 0) {
        fprintf(stderr, "ntvisor: kd: cannot set up the debugger (KVM state or Capstone)\n");
        return NTV_EXIT_MONITOR;
    }
    if ((rc = choose_commands(k, ko->script)))
        return rc;
    return kd_hooks_init(k, o);
}

static int run(struct kd_session *k, struct session *s, const struct session_options *o)
{
    struct vm_run_options ro = { .console = stdout, .timeout_s = o->timeout_s, .hooks = &k->hooks };
    struct vm_outcome outcome;
    vm_run(&s->vm, &ro, &outcome);
    fflush(stdout);
    if (!k->quit)
        return session_finish(s, &outcome);
    fprintf(stderr, "ntvisor: kd: quit; the guest was ended\n");
    return 0;
}

static void teardown(struct kd_session *k)
{
    kd_hooks_free(k);
    kd_free(&k->kd);
    kd_line_free(&k->line);
    kd_script_free(&k->script);
    symtab_free(&k->syms);
}

int kd_session_run(struct session *s, const struct session_options *o, const struct kd_session_options *ko)
{
    struct kd_session *k = calloc(1, sizeof(*k));   /* large (breakpoints, history): not on the stack */
    if (!k) {
        fprintf(stderr, "ntvisor: kd: out of memory\n");
        return NTV_EXIT_MONITOR;
    }
    int rc = setup(k, s, o, ko);
    if (!rc)
        rc = run(k, s, o);
    teardown(k);
    free(k);
    return rc;
}
