/* Starting and stopping the lab VM (see qemu.h). */
#define _GNU_SOURCE
#include "qemu.h"
#include "base/errbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "io.h"
#include "protocol.h"

#define LAB_DEFAULT_MIB   512u
/*
 * The lab kernel's timer runs in periodic mode (no tickless idle, no
 * high-resolution one-shot timer, no TSC deadline): under software emulation
 * an interrupt has been seen to go missing, and a one-shot timer that loses
 * its interrupt is never armed again -- the whole machine then sleeps for
 * good. A periodic timer that loses one tick fires again at the next.
 */
#define LAB_APPEND "console=ttyS0 quiet panic=-1 mitigations=off rdinit=/init nohz=off highres=off " \
                   "lapic=notscdeadline"

/* The strings QEMU's command line points into. */
struct qemu_args {
    char mem[32], kernel[PATH_MAX], initrd[32], c0[64], cs[3][64], port[64];
    char *argv[56];
};

/*
 * The result channel is a virtio-serial port: under TCG a 16550 moves one
 * byte per emulated port write and one host write() per byte. Measured with
 * `ntvisor lab --output=... -- busybox dd if=/dev/zero of=... bs=1M`, less
 * the boot: 4 MiB in 8.7 s over ttyS3 (0.46 MiB/s), 64 MiB in 2.9 s over
 * virtio-serial (22 MiB/s).
 */
static void build_args(struct qemu_args *q, const struct lab_boot *b, const int guest_ends[3])
{
    static char *const ser[2] = { "chardev:c1", "chardev:c2" };
    char **a = q->argv;

    snprintf(q->mem, sizeof q->mem, "%u", b->memory_mib ? b->memory_mib : LAB_DEFAULT_MIB);
    snprintf(q->kernel, sizeof q->kernel, "%s/vmlinux", b->lab_dir);
    snprintf(q->initrd, sizeof q->initrd, "/dev/fd/%d", b->initrd_fd);
    snprintf(q->c0, sizeof q->c0, "file,id=c0,path=/dev/fd/%d", b->console_fd);
    snprintf(q->port, sizeof q->port, "virtserialport,bus=vser.0,chardev=c3,name=%s", LAB_RESULT_PORT);
    for (int i = 0; i < 3; i++)
        snprintf(q->cs[i], sizeof q->cs[i], "socket,id=c%d,fd=%d", i + 1, guest_ends[i]);
    *a++ = (char *)b->qemu;
    *a++ = "-accel"; *a++ = "tcg";
    *a++ = "-cpu"; *a++ = "max";
    *a++ = "-m"; *a++ = q->mem;
    *a++ = "-smp"; *a++ = "1";
    *a++ = "-nodefaults";
    *a++ = "-no-user-config";
    *a++ = "-display"; *a++ = "none";
    *a++ = "-monitor"; *a++ = "none";
    *a++ = "-no-reboot";
    *a++ = "-nic"; *a++ = "none";
    *a++ = "-kernel"; *a++ = q->kernel;
    *a++ = "-initrd"; *a++ = q->initrd;
    *a++ = "-append"; *a++ = LAB_APPEND;
    *a++ = "-chardev"; *a++ = q->c0;
    *a++ = "-serial"; *a++ = "chardev:c0";
    for (int i = 0; i < 3; i++) {
        *a++ = "-chardev"; *a++ = q->cs[i];
        if (i < 2) {
            *a++ = "-serial"; *a++ = ser[i];
        }
    }
    *a++ = "-device"; *a++ = "virtio-serial-pci,id=vser";
    *a++ = "-device"; *a++ = q->port;
    *a = NULL;
}

/* In the child: QEMU in its own process group (a terminal's ^C goes to us,
 * not to it), dying with us, its output in the log; errno goes down errfd
 * if it cannot be executed. */
static void exec_qemu(const struct qemu_args *q, const struct lab_boot *b, const int guest_ends[3], int errfd,
                      pid_t parent)
{
    int e, nul;
    sigset_t none;

    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)        /* the parent died before prctl: nobody will kill us */
        _exit(127);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    nul = open("/dev/null", O_RDONLY);
    if (nul >= 0)
        dup2(nul, 0);
    dup2(b->qemu_log_fd, 1);
    dup2(b->qemu_log_fd, 2);
    for (int i = 0; i < 3; i++)
        fcntl(guest_ends[i], F_SETFD, 0);
    fcntl(b->initrd_fd, F_SETFD, 0);
    fcntl(b->console_fd, F_SETFD, 0);
    execvp(b->qemu, q->argv);
    e = errno;
    if (write(errfd, &e, sizeof e) < 0)
        _exit(127);
    _exit(127);
}

/* The errno the child reported if exec failed, else 0 (the pipe closed on exec). */
static int exec_error(int errfd)
{
    int e = 0;
    ssize_t r;

    while ((r = read(errfd, &e, sizeof e)) < 0 && errno == EINTR)
        ;
    return r == (ssize_t)sizeof e ? e : 0;
}

static void close_pair(int p[2])
{
    for (int j = 0; j < 2; j++)
        if (p[j] >= 0)
            close(p[j]);
    p[0] = p[1] = -1;
}

/* Forks and executes QEMU; 0, or -1 with err set and the child reaped. */
static int spawn(struct lab_vm *vm, const struct lab_boot *b, const int guest_ends[3], char *err, size_t errlen)
{
    static struct qemu_args q;      /* large; one boot at a time */
    int errp[2] = { -1, -1 }, e;
    pid_t parent = getpid();

    if (pipe2(errp, O_CLOEXEC) < 0) {
        errbuf_fail(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    build_args(&q, b, guest_ends);
    fflush(NULL);
    vm->pid = fork();
    if (vm->pid < 0) {
        errbuf_fail(err, errlen, "fork: %s", strerror(errno));
        close_pair(errp);
        return -1;
    }
    if (vm->pid == 0)
        exec_qemu(&q, b, guest_ends, errp[1], parent);
    close(errp[1]);
    e = exec_error(errp[0]);
    close(errp[0]);
    if (e) {
        errbuf_fail(err, errlen, "cannot run %s: %s%s", b->qemu, strerror(e),
                   e == ENOENT ? " (install qemu-system-x86, see scripts/install-deps.sh)" : "");
        waitpid(vm->pid, NULL, 0);
        vm->pid = -1;
        return -1;
    }
    return 0;
}

int lab_qemu_start(struct lab_vm *vm, const struct lab_boot *boot, char *err, size_t errlen)
{
    int sv[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } }, guest_ends[3];
    int rc = -1;

    vm->pid = -1;
    for (int i = 0; i < 3; i++) {
        vm->chan[i] = -1;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv[i]) < 0) {
            errbuf_fail(err, errlen, "socketpair: %s", strerror(errno));
            goto out;
        }
        guest_ends[i] = sv[i][1];
    }
    rc = spawn(vm, boot, guest_ends, err, errlen);
out:
    for (int i = 0; i < 3; i++) {
        if (rc == 0) {
            vm->chan[i] = sv[i][0];  /* ours; QEMU holds the other end */
            close(sv[i][1]);
        } else {
            close_pair(sv[i]);
        }
    }
    return rc;
}

void lab_qemu_stop(struct lab_vm *vm)
{
    if (vm->pid > 0) {
        kill(vm->pid, SIGKILL);
        waitpid(vm->pid, NULL, 0);
    }
    vm->pid = -1;
    for (int i = 0; i < 3; i++) {
        if (vm->chan[i] >= 0)
            close(vm->chan[i]);
        vm->chan[i] = -1;
    }
}
