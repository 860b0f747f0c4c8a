/* The relay between the running lab VM and this process (see relay.h). */
#define _GNU_SOURCE
#include "relay.h"
#include "base/errbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "io.h"
#include "protocol.h"

#define LAB_POWEROFF_S 30           /* after DONE, QEMU should power off within this */

/* One lab_run at a time per process: the signal handlers use this. */
static int sig_pipe_w = -1;
static struct sigaction old_int, old_term;

static void on_signal(int sig)
{
    int e = errno;
    char b = sig == SIGINT ? LAB_SIG_INT : LAB_SIG_TERM;

    if (sig_pipe_w >= 0 && write(sig_pipe_w, &b, 1) < 0) {
        /* nothing to do */
    }
    errno = e;
}

static double now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The state of one relay. */
struct relay {
    struct lab_vm *vm;
    struct lab_result *res;
    struct lab_relay_end *end;
    int sig_r;
    int open[3];
    char pending[16];               /* signal bytes held until the command started */
    size_t npending;
    int nsig, killed;
    double deadline, done_at;
    unsigned stall_sec;             /* 0: no stall watch */
    double alive_at, sampled_at;    /* the last sign of progress; the last CPU sample */
    unsigned long long cpu_ticks;   /* QEMU's user+system time at that sample */
};

static void kill_vm(struct relay *r)
{
    kill(r->vm->pid, SIGKILL);
    r->killed = 1;
}

#define STALL_SAMPLE_S   5          /* how often QEMU's CPU time is sampled */
#define STALL_BUSY_SHARE 0.25       /* less than this share of one CPU is idle (TCG runs at ~100%) */

/* QEMU's user+system CPU time in clock ticks, from /proc; 0 when it cannot be read. */
static unsigned long long cpu_ticks_of(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');   /* after the command name, which may hold spaces */
    unsigned long long utime = 0, stime = 0;
    if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return 0;
    return utime + stime;
}

/* Samples QEMU's CPU time; a VM idle and silent for stall_sec is killed. */
static void watch_for_stall(struct relay *r)
{
    double t = now_sec();
    if (!r->stall_sec || r->killed || t < r->sampled_at + STALL_SAMPLE_S)
        return;
    unsigned long long ticks = cpu_ticks_of(r->vm->pid);
    double used = (double)(ticks - r->cpu_ticks) / (double)sysconf(_SC_CLK_TCK);
    if (ticks == 0 || used > STALL_BUSY_SHARE * (t - r->sampled_at))
        r->alive_at = t;
    r->cpu_ticks = ticks;
    r->sampled_at = t;
    if (t - r->alive_at >= r->stall_sec) {
        r->end->stalled = 1;
        kill_vm(r);
    }
}

int lab_relay_open(struct lab_relay *rl, char *err, size_t errlen)
{
    rl->installed = 0;
    if (pipe2(rl->sigp, O_CLOEXEC | O_NONBLOCK) < 0) {
        rl->sigp[0] = rl->sigp[1] = -1;
        errbuf_fail(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void install_handlers(struct lab_relay *rl)
{
    struct sigaction sa;

    sig_pipe_w = rl->sigp[1];
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    rl->installed = 1;
}

void lab_relay_close(struct lab_relay *rl)
{
    if (rl->installed) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        sig_pipe_w = -1;
        rl->installed = 0;
    }
    for (int j = 0; j < 2; j++) {
        if (rl->sigp[j] >= 0)
            close(rl->sigp[j]);
        rl->sigp[j] = -1;
    }
}

/* The poll timeout in ms (-1: none); 0 after killing a VM past its deadline. */
static int next_timeout(struct relay *r)
{
    const double none = 1e18;
    double t = now_sec(), lim = r->deadline ? r->deadline : none;

    if (r->done_at && r->done_at + LAB_POWEROFF_S < lim)
        lim = r->done_at + LAB_POWEROFF_S;  /* result complete: QEMU should power off soon */
    if (lim != none && t >= lim) {
        if (!r->done_at || !lab_result_done(r->res))
            r->end->timed_out = 1;
        kill_vm(r);
        r->deadline = r->done_at = 0;
        return 0;
    }
    if (r->stall_sec && !r->killed && r->sampled_at + STALL_SAMPLE_S < lim)
        lim = r->sampled_at + STALL_SAMPLE_S;  /* wake up to sample QEMU's CPU time */
    if (lim == none)
        return -1;
    return t < lim ? (int)((lim - t) * 1000) + 1 : 1;
}

/* Bytes of the result channel: parsed; held signals go out once the command started. */
static void on_result(struct relay *r, const char *buf, size_t n)
{
    int f = lab_result_feed(r->res, buf, n);

    if (f < 0 && !r->killed) {
        kill_vm(r);                 /* garbage: stop the VM */
        r->end->rejected = 1;
    } else if (f == 1 && !r->done_at) {
        r->done_at = now_sec();
    }
    if (r->npending && lab_result_started(r->res)) {
        send(r->vm->chan[2], r->pending, r->npending, MSG_NOSIGNAL);
        r->npending = 0;
    }
}

/* Reads what channel i has: stdout and stderr go to ours, the result to the parser. */
static void on_channel(struct relay *r, int i)
{
    char buf[65536];
    ssize_t n = read(r->vm->chan[i], buf, sizeof buf);

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        r->open[i] = 0;
        return;
    }
    r->alive_at = now_sec();
    if (i < 2)
        lab_write_all(i + 1, buf, (size_t)n);   /* the command's stdout/stderr */
    else
        on_result(r, buf, (size_t)n);
}

/* Signals we received: forwarded once the command started, held before; the third kills the VM. */
static void on_signals(struct relay *r)
{
    char b[16];
    ssize_t n = read(r->sig_r, b, sizeof b);

    for (ssize_t i = 0; i < n; i++) {
        if (++r->nsig >= 3 && !r->killed) {
            r->end->interrupted = 1;
            kill_vm(r);
        } else if (r->open[2] && lab_result_started(r->res)) {
            send(r->vm->chan[2], &b[i], 1, MSG_NOSIGNAL);
        } else if (r->npending < sizeof r->pending) {
            r->pending[r->npending++] = b[i];
        }
    }
}

/* One round of poll; -1 when polling failed (the VM is then killed). */
static int relay_once(struct relay *r, char *err, size_t errlen)
{
    struct pollfd p[4];
    int timeout = next_timeout(r);

    if (timeout == 0)
        return 0;                   /* just killed past a deadline: poll again without one */
    for (int i = 0; i < 3; i++)
        p[i] = (struct pollfd){ r->open[i] ? r->vm->chan[i] : -1, POLLIN, 0 };
    p[3] = (struct pollfd){ r->sig_r, POLLIN, 0 };
    if (poll(p, 4, timeout) < 0) {
        if (errno == EINTR)
            return 0;
        errbuf_fail(err, errlen, "poll: %s", strerror(errno));
        kill_vm(r);
        return -1;
    }
    for (int i = 0; i < 3; i++)
        if (r->open[i] && (p[i].revents & (POLLIN | POLLHUP | POLLERR)))
            on_channel(r, i);
    if (p[3].revents & POLLIN)
        on_signals(r);
    watch_for_stall(r);
    return 0;
}

void lab_relay_run(struct lab_relay *rl, struct lab_vm *vm, struct lab_result *res, unsigned timeout_sec,
                   unsigned stall_sec, struct lab_relay_end *end, char *err, size_t errlen)
{
    struct relay r = { .vm = vm, .res = res, .end = end, .sig_r = rl->sigp[0], .open = { 1, 1, 1 },
                       .stall_sec = stall_sec, .alive_at = now_sec(), .sampled_at = now_sec() };

    *end = (struct lab_relay_end){ 0 };
    install_handlers(rl);
    if (timeout_sec)
        r.deadline = now_sec() + timeout_sec;
    while (r.open[0] || r.open[1] || r.open[2])
        if (relay_once(&r, err, errlen) < 0)
            break;
    while (waitpid(vm->pid, &end->wait_status, 0) < 0 && errno == EINTR)
        ;
    vm->pid = -1;
}
