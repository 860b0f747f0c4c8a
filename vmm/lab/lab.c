/* lab_run: one command in the lab VM, composed of the per-run initramfs
 * (cpio.c), QEMU (qemu.c), the relay while it runs (relay.c), the result
 * stream (result.c) and, when the lab failed, its logs' tails (tail.c). */
#define _GNU_SOURCE
#include "lab.h"
#include "base/errbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cpio.h"
#include "stale.h"
#include "io.h"
#include "qemu.h"
#include "relay.h"
#include "result.h"
#include "tail.h"

#define LAB_CONSOLE_TAIL  30

static int is_regular(const char *dir, const char *name)
{
    char *p = lab_path_join(dir, name);
    struct stat st;
    int ok = p && stat(p, &st) == 0 && S_ISREG(st.st_mode);

    free(p);
    return ok;
}

int lab_is_built(const char *lab_dir)
{
    return lab_dir && *lab_dir && is_regular(lab_dir, ".stamp") &&
           is_regular(lab_dir, "vmlinux") && is_regular(lab_dir, "base.cpio");
}

/* The run's files: created in a temporary directory, opened, and unlinked
 * with it before QEMU starts (QEMU opens them as /dev/fd/N), so nothing is
 * left behind however this process ends. The tails are read back through
 * /proc/self/fd. */
struct run {
    int cpio_fd, console_fd, qlog_fd;
    char console[64], qlog[64];
};

/* The run's directory: ntvisor-lab.PID.XXXXXX, after removing those of dead PIDs. */
static int make_run_dir(char *dir, size_t len, char *err, size_t errlen)
{
    const char *tmpdir = getenv("TMPDIR");

    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    lab_clean_stale(tmpdir);
    if ((size_t)snprintf(dir, len, "%s/" LAB_RUN_DIR_PREFIX "%d.XXXXXX", tmpdir, (int)getpid()) >= len - 32 ||
        !mkdtemp(dir)) {
        errbuf_fail(err, errlen, "cannot create a temporary directory in %s: %s", tmpdir, strerror(errno));
        return -1;
    }
    return 0;
}

/* Creates dir/name open for reading and writing, and unlinks it; the fd, or -1. */
static int scratch_file(const char *dir, const char *name)
{
    char *p = lab_path_join(dir, name);
    int fd = p ? open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;

    if (p)
        unlink(p);
    free(p);
    return fd;
}

static void close_run(struct run *rn)
{
    int *fds[3] = { &rn->cpio_fd, &rn->console_fd, &rn->qlog_fd };

    for (int i = 0; i < 3; i++) {
        if (*fds[i] >= 0)
            close(*fds[i]);
        *fds[i] = -1;
    }
}

/* The initramfs written and the logs created, all unlinked; 0, or -1 with err set. */
static int prepare_run(struct run *rn, const struct lab_request *req, char *err, size_t errlen)
{
    char dir[PATH_MAX - 64], *cpio;
    int rc = -1;

    rn->cpio_fd = rn->console_fd = rn->qlog_fd = -1;
    if (make_run_dir(dir, sizeof dir, err, errlen) < 0)
        return -1;
    cpio = lab_path_join(dir, "run.cpio");
    if (!cpio) {
        errbuf_fail(err, errlen, "out of memory");
    } else if (lab_initrd_write(cpio, req, err, errlen) == 0) {
        rn->cpio_fd = open(cpio, O_RDONLY | O_CLOEXEC);
        rn->console_fd = scratch_file(dir, "console.log");
        rn->qlog_fd = scratch_file(dir, "qemu.log");
        if (rn->cpio_fd >= 0 && rn->console_fd >= 0 && rn->qlog_fd >= 0)
            rc = 0;
        else
            errbuf_fail(err, errlen, "cannot create the lab's files in %s: %s", dir, strerror(errno));
    }
    if (cpio)
        unlink(cpio);
    free(cpio);
    rmdir(dir);
    if (rc < 0)
        close_run(rn);
    snprintf(rn->console, sizeof rn->console, "/proc/self/fd/%d", rn->console_fd);
    snprintf(rn->qlog, sizeof rn->qlog, "/proc/self/fd/%d", rn->qlog_fd);
    return rc;
}

/* Why no usable result came back, in the order that best explains it. */
static void no_result_reason(const struct lab_request *req, const struct run *rn, const struct lab_result *res,
                             const struct lab_relay_end *end, char *err, size_t errlen)
{
    int wst = end->wait_status;
    char q[256];

    lab_first_line(rn->qlog, q, sizeof q);
    if (end->interrupted)
        errbuf_fail(err, errlen, "lab failure: %s", "interrupted");
    else if (end->rejected)
        errbuf_fail(err, errlen, "lab failure: %s", lab_result_error(res));
    else if (end->timed_out)
        errbuf_fail(err, errlen, "lab failure: no result within %u s (VM killed)", req->timeout_sec);
    else if (end->stalled)
        errbuf_fail(err, errlen, "lab failure: the lab stalled: no output and QEMU nearly idle for %u s "
                    "(VM killed)", req->stall_sec);
    else if (q[0])
        errbuf_fail(err, errlen, "lab failure: %s", q);
    else if (WIFSIGNALED(wst))
        errbuf_fail(err, errlen, "lab failure: QEMU killed by signal %d: %s", WTERMSIG(wst), lab_result_error(res));
    else
        errbuf_fail(err, errlen, "lab failure: the VM stopped (QEMU exit status %d): %s", WEXITSTATUS(wst),
                   lab_result_error(res));
}

/* The command's status from a finished run: 0, or -1 with err set and the logs' tails shown. */
static int verdict(const struct lab_request *req, const struct run *rn, const struct lab_result *res,
                   const struct lab_relay_end *end, int *status, char *err, size_t errlen)
{
    if (lab_result_failure(res)) {
        errbuf_fail(err, errlen, "lab failure: %s", lab_result_failure(res));
    } else if (lab_result_done(res) && lab_result_status(res) >= 0) {
        if (status)
            *status = lab_result_status(res);
        return 0;
    } else if (lab_result_done(res)) {
        errbuf_fail(err, errlen, "lab failure: the result had no exit status");
    } else {
        no_result_reason(req, rn, res, end, err, errlen);
    }
    lab_show_tail(rn->console, "lab console", LAB_CONSOLE_TAIL);
    lab_show_tail(rn->qlog, "qemu messages", 10);
    return -1;
}

/* Boots the VM with the run's initramfs and relays until it ends. */
static int boot_and_relay(const struct lab_request *req, const struct run *rn, struct lab_result *res,
                          int *status, char *err, size_t errlen)
{
    struct lab_boot boot = { .qemu = req->qemu ? req->qemu : "qemu-system-x86_64", .lab_dir = req->lab_dir,
                             .memory_mib = req->memory_mib, .initrd_fd = rn->cpio_fd,
                             .console_fd = rn->console_fd, .qemu_log_fd = rn->qlog_fd };
    struct lab_relay rl;
    struct lab_relay_end end;
    struct lab_vm vm;
    int rc = -1;

    if (lab_relay_open(&rl, err, errlen) < 0)
        return -1;
    if (lab_qemu_start(&vm, &boot, err, errlen) == 0) {
        lab_relay_run(&rl, &vm, res, req->timeout_sec, req->stall_sec, &end, err, errlen);
        rc = verdict(req, rn, res, &end, status, err, errlen);
        if (req->stalled)
            *req->stalled = rc < 0 && end.stalled;
        lab_qemu_stop(&vm);
    }
    lab_relay_close(&rl);
    return rc;
}

int lab_run(const struct lab_request *req, int *status, char *err, size_t errlen)
{
    struct run rn;
    struct lab_result *res = NULL;
    int rc = -1;

    if (status)
        *status = -1;
    if (err && errlen)
        err[0] = '\0';
    if (!req || !req->argv || !req->argv[0]) {
        errbuf_fail(err, errlen, "lab: no command given");
        return -1;
    }
    if (!lab_is_built(req->lab_dir)) {
        errbuf_fail(err, errlen, "the SVM lab is not built in %s: run `make lab` first",
                   req->lab_dir ? req->lab_dir : "(no lab directory)");
        return -1;
    }
    if (prepare_run(&rn, req, err, errlen) == 0) {
        res = lab_result_new(req->outputs, req->n_outputs);
        if (!res)
            errbuf_fail(err, errlen, "out of memory");
        else
            rc = boot_and_relay(req, &rn, res, status, err, errlen);
    }
    if (req->output_found)
        for (size_t i = 0; i < req->n_outputs; i++)
            req->output_found[i] = res ? (unsigned char)lab_result_found(res, i) : 0;
    lab_result_free(res);
    close_run(&rn);
    return rc;
}
