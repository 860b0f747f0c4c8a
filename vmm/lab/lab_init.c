/* lab_init: /init of the SVM lab (see vmm/lab/protocol.h for the protocol).
 *
 * Mounts proc, sysfs, devtmpfs; loads the .ko files in /lib/modules-ntv in name order;
 * checks /dev/kvm; runs the command from /ntv/argv (env additions from
 * /ntv/env, NTVISOR_IN_LAB=1) in /ntv/work with stdin /dev/null, stdout on
 * ttyS1, stderr on ttyS2; forwards signal bytes arriving on the result port
 * (virtio-serial, protocol.h) to it and streams its output files there while
 * it runs; then writes the framed result (status, the outputs' last bytes)
 * there and powers off. Console messages go to ttyS0. Any failure becomes a "FAIL" record.
 * Statically linked; no shell involved, so argv arrives exactly. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "protocol.h"

#define MOD_DIR "/lib/modules-ntv"

static int con = -1;        /* ttyS0 */
static int res = -1;        /* the result port (virtio-serial, LAB_RESULT_PORT) */
static int out_fd = -1;     /* ttyS1 */
static int err_fd = -1;     /* ttyS2 */
static int magic_sent;

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logmsg(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;

    if (con < 0)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof buf - 3)
        n = sizeof buf - 3;
    buf[n++] = '\r';
    buf[n++] = '\n';
    if (write(con, "lab-init: ", 10) < 0 || write(con, buf, n) < 0)
        return;
}

static int put_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static int rec(const char tag[4], uint64_t len, const void *payload, size_t plen)
{
    unsigned char hdr[12];

    if (!magic_sent) {
        if (put_all(res, LAB_MAGIC, LAB_MAGIC_LEN) < 0)
            return -1;
        magic_sent = 1;
    }
    memcpy(hdr, tag, 4);
    put_le(hdr + 4, len, 8);
    if (put_all(res, hdr, sizeof hdr) < 0)
        return -1;
    return plen ? put_all(res, payload, plen) : 0;
}

static _Noreturn void power_off(void)
{
    if (out_fd >= 0)
        tcdrain(out_fd);
    if (err_fd >= 0)
        tcdrain(err_fd);
    if (res >= 0)
        tcdrain(res);
    if (con >= 0)
        tcdrain(con);
    sync();
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}

static _Noreturn void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void fail(const char *fmt, ...)
{
    char buf[LAB_MAX_TEXT];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    logmsg("lab failure: %s", buf);
    if (res >= 0) {
        rec("FAIL", (uint64_t)n, buf, (size_t)n);
        rec("DONE", 0, NULL, 0);
    }
    power_off();
}

static void set_raw(int fd)
{
    struct termios t;

    if (tcgetattr(fd, &t) < 0)
        return;
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(tcflag_t)(HUPCL | CRTSCTS);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    cfsetispeed(&t, B115200);
    cfsetospeed(&t, B115200);
    tcsetattr(fd, TCSANOW, &t);
}

static int open_tty(const char *path, int flags)
{
    int fd = open(path, flags | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0)
        return -1;
    set_raw(fd);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

/* Reads a whole file; returns NULL with errno ENOENT when absent. */
static char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t cap = 4096, n = 0;
    char *buf;

    if (fd < 0)
        return NULL;
    buf = malloc(cap + 1);
    if (!buf)
        fail("out of memory");
    for (;;) {
        ssize_t r;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
            if (!buf)
                fail("out of memory");
        }
        r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            fail("reading %s: %s", path, strerror(errno));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Splits a NUL-terminated list into a NULL-terminated vector (extra slots
 * for additions). */
static char **split(char *buf, size_t len, size_t extra, size_t *count)
{
    size_t n = 0, i = 0;
    char **v;

    for (size_t k = 0; k < len; k++)
        if (buf[k] == '\0')
            n++;
    if (len && buf[len - 1] != '\0')
        n++;                    /* unterminated last item (buf[len] is NUL) */
    v = calloc(n + extra + 1, sizeof *v);
    if (!v)
        fail("out of memory");
    for (size_t k = 0; k < len; i++) {
        v[i] = buf + k;
        k += strlen(buf + k) + 1;
    }
    *count = i;
    return v;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_modules(void)
{
    DIR *d = opendir(MOD_DIR);
    char *names[64];
    size_t n = 0;
    struct dirent *e;

    if (!d)
        fail("opening " MOD_DIR ": %s", strerror(errno));
    while ((e = readdir(d)) && n < 64) {
        size_t l = strlen(e->d_name);
        if (l > 3 && strcmp(e->d_name + l - 3, ".ko") == 0)
            if (!(names[n++] = strdup(e->d_name)))
                fail("out of memory");
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char path[512];
        int fd;

        snprintf(path, sizeof path, MOD_DIR "/%s", names[i]);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            fail("opening %s: %s", path, strerror(errno));
        if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST) {
            int e2 = errno;
            if (strstr(names[i], "kvm-amd") || strstr(names[i], "kvm_amd"))
                fail("the lab kernel refused kvm_amd (%s): %s; "
                     "does `-cpu max` expose svm?", names[i], strerror(e2));
            fail("loading module %s: %s", names[i], strerror(e2));
        }
        close(fd);
        free(names[i]);
    }
}

static void env_set(char **env, size_t *n, char *entry)
{
    const char *eq = strchr(entry, '=');
    size_t klen;

    if (!eq || eq == entry)
        return;
    klen = (size_t)(eq - entry) + 1;
    for (size_t i = 0; i < *n; i++)
        if (strncmp(env[i], entry, klen) == 0) {
            env[i] = entry;
            return;
        }
    env[(*n)++] = entry;
}

/* An output file as streamed so far: opened once it exists, sent up to off. */
struct outstream {
    const char *name;
    int fd;                         /* -1: not seen yet */
    uint64_t off;
};

static struct outstream *streams;
static size_t nstreams;

#define PART_MAX   (1u << 20)       /* bytes per PART record */
#define ROUND_MAX  (4u << 20)       /* bytes per round between polls: signals stay prompt */

static int stream_open(struct outstream *o)
{
    struct stat st;

    if (o->fd >= 0)
        return 0;
    if (o->fd == -2)
        return -1;
    o->fd = open(o->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (o->fd < 0) {
        if (errno != ENOENT)
            logmsg("output %s: %s", o->name, strerror(errno));
        return -1;
    }
    if (fstat(o->fd, &st) < 0 || !S_ISREG(st.st_mode) || strlen(o->name) > LAB_MAX_NAME) {
        logmsg("output %s: not a regular file; skipped", o->name);
        close(o->fd);
        o->fd = -2;                 /* never again */
        return -1;
    }
    return 0;
}

static _Noreturn void channel_broken(void)
{
    logmsg("writing the result channel failed: %s", strerror(errno));
    power_off();
}

/* One record of the next n bytes of o (padded with zeros if the file shrank meanwhile). */
static void send_chunk(struct outstream *o, const char *tag, uint64_t n)
{
    static char buf[65536];
    size_t nlen = strlen(o->name);
    unsigned char nl[4];

    put_le(nl, nlen, 4);
    if (rec(tag, 4 + nlen + n, nl, 4) < 0 || put_all(res, o->name, nlen) < 0)
        channel_broken();
    while (n) {
        size_t want = n < sizeof buf ? (size_t)n : sizeof buf;
        ssize_t r = pread(o->fd, buf, want, (off_t)o->off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            memset(buf, 0, want);
            r = (ssize_t)want;
        }
        if (put_all(res, buf, (size_t)r) < 0)
            channel_broken();
        o->off += (uint64_t)r;
        n -= (uint64_t)r;
    }
}

/* What o grew by since the last call (at most budget bytes); the rest waits for the next round. */
static uint64_t stream_part(struct outstream *o, uint64_t budget)
{
    struct stat st;
    uint64_t sent = 0;

    if (stream_open(o) < 0 || fstat(o->fd, &st) < 0)
        return 0;
    while ((uint64_t)st.st_size > o->off && sent < budget && o->off < LAB_MAX_FILE) {
        uint64_t n = (uint64_t)st.st_size - o->off;
        if (n > PART_MAX)
            n = PART_MAX;
        if (n > LAB_MAX_FILE - o->off)
            n = LAB_MAX_FILE - o->off;
        send_chunk(o, "PART", n);
        sent += n;
    }
    return sent;
}

static void stream_outputs(void)
{
    uint64_t budget = ROUND_MAX;

    for (size_t i = 0; i < nstreams && budget; i++)
        budget -= stream_part(&streams[i], budget);
}

/* The output's last bytes: it is complete (nothing is sent for a file that never existed). */
static void send_file(struct outstream *o)
{
    struct stat st;
    uint64_t n = 0;

    if (stream_open(o) < 0 || fstat(o->fd, &st) < 0)
        return;
    if ((uint64_t)st.st_size > o->off)
        n = (uint64_t)st.st_size - o->off;
    if (n > LAB_MAX_FILE - o->off) {
        logmsg("output %s: larger than %llu bytes; cut", o->name, (unsigned long long)LAB_MAX_FILE);
        n = LAB_MAX_FILE - o->off;
    }
    send_chunk(o, "FILE", n);
    close(o->fd);
    o->fd = -1;
}

/* The virtio-serial port named LAB_RESULT_PORT, once virtio_console has found it
 * (ports are added asynchronously after the module loads); -1 after 20 s. */
static int open_result_port(void)
{
    for (int tries = 0; tries < 2000; tries++) {
        DIR *d = opendir("/sys/class/virtio-ports");
        struct dirent *e;
        while (d && (e = readdir(d))) {
            char path[300], name[64] = "";
            snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", e->d_name);
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            ssize_t n = fd >= 0 ? read(fd, name, sizeof name - 1) : -1;
            if (fd >= 0)
                close(fd);
            if (n <= 0 || strncmp(name, LAB_RESULT_PORT "\n", sizeof LAB_RESULT_PORT) != 0)
                continue;
            snprintf(path, sizeof path, "/dev/%s", e->d_name);
            closedir(d);
            return open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
        }
        if (d)
            closedir(d);
        usleep(10000);
    }
    errno = ENOENT;
    return -1;
}

/* Mounts the pseudo file systems and opens the four serial ports. */
static void setup(void)
{
    int fd;

    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) < 0 && errno != EBUSY)
        fail("mounting devtmpfs: %s", strerror(errno));
    /* The initramfs has no /dev/console: make sure fds 0-2 are taken. */
    while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd < 3)
        ;
    if (fd >= 3)
        close(fd);

    con = open_tty("/dev/ttyS0", O_WRONLY);
    if (con >= 0) {
        dup2(con, 1);
        dup2(con, 2);
    }
    out_fd = open_tty("/dev/ttyS1", O_WRONLY);
    if (out_fd < 0)
        fail("opening /dev/ttyS1: %s", strerror(errno));
    err_fd = open_tty("/dev/ttyS2", O_WRONLY);
    if (err_fd < 0)
        fail("opening /dev/ttyS2: %s", strerror(errno));
}

/* The NUL-separated list in path; an absent file is an empty list unless required. */
static char **read_list(const char *path, int required, size_t *n)
{
    size_t len = 0;
    char *buf = slurp(path, &len);

    *n = 0;
    if (buf)
        return split(buf, len, 0, n);
    if (required || errno != ENOENT)
        fail("reading %s: %s", path, strerror(errno));
    return NULL;
}

/* The command's environment: a PATH and HOME, the request's additions, NTVISOR_IN_LAB=1. */
static char **make_env(void)
{
    size_t nenv_add, nenv = 0;
    char **env_add = read_list(LAB_ENV_PATH, 0, &nenv_add);
    char **env = calloc(nenv_add + 4, sizeof *env);

    if (!env)
        fail("out of memory");
    env_set(env, &nenv, "PATH=/bin:/sbin:/usr/bin:/usr/sbin");
    env_set(env, &nenv, "HOME=" LAB_WORK_DIR);
    for (size_t i = 0; i < nenv_add; i++)
        env_set(env, &nenv, env_add[i]);
    env_set(env, &nenv, "NTVISOR_IN_LAB=1");
    return env;
}

/* Starts the command in LAB_WORK_DIR, stdin /dev/null, stdout ttyS1, stderr ttyS2;
 * SIGCHLD is blocked and comes through the returned signalfd. */
static pid_t start_command(char **args, char **env, int *sfd)
{
    sigset_t mask;
    pid_t child;

    if (mkdir(LAB_WORK_DIR, 0755) < 0 && errno != EEXIST)
        fail("mkdir " LAB_WORK_DIR ": %s", strerror(errno));
    if (chdir(LAB_WORK_DIR) < 0)
        fail("chdir " LAB_WORK_DIR ": %s", strerror(errno));

    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    *sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (*sfd < 0)
        fail("signalfd: %s", strerror(errno));

    child = fork();
    if (child < 0)
        fail("fork: %s", strerror(errno));
    if (child == 0) {
        int nul = open("/dev/null", O_RDONLY);
        sigprocmask(SIG_UNBLOCK, &mask, NULL);
        setsid();
        if (nul < 0 || dup2(nul, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
            _exit(127);
        execve(args[0], args, env);
        dprintf(2, "lab: cannot execute %s: %s\n", args[0], strerror(errno));
        _exit(127);
    }
    return child;
}

/* Signal bytes from the host, forwarded to the command's process group. */
static void forward_signals(pid_t child)
{
    char cmd[64];
    ssize_t n = read(res, cmd, sizeof cmd);

    for (ssize_t i = 0; i < n; i++) {
        int sig = cmd[i] == LAB_SIG_INT ? SIGINT : cmd[i] == LAB_SIG_TERM ? SIGTERM :
                  cmd[i] == LAB_SIG_KILL ? SIGKILL : 0;
        if (sig) {
            logmsg("forwarding signal %d", sig);
            if (kill(-child, sig) < 0)
                kill(child, sig);
        }
    }
}

/* Reaps every child that ended (we are init: orphans too); 1 with *wstatus once the command did. */
static int reap(int sfd, pid_t child, int *wstatus)
{
    struct signalfd_siginfo si;
    int done = 0;

    while (read(sfd, &si, sizeof si) > 0)
        ;
    for (;;) {
        int st;
        pid_t w = waitpid(-1, &st, WNOHANG);
        if (w <= 0)
            break;
        if (w == child) {
            *wstatus = st;
            done = 1;
        }
    }
    return done;
}

#define STREAM_POLL_MS 50           /* how often the outputs are looked at while the command runs */

/* Waits for the command to end, forwarding signals and streaming its outputs meanwhile; its wait status. */
static int wait_command(int sfd, pid_t child)
{
    int wstatus = 0;

    for (;;) {
        struct pollfd p[2] = { { sfd, POLLIN, 0 }, { res, POLLIN, 0 } };

        stream_outputs();
        if (poll(p, 2, STREAM_POLL_MS) < 0) {
            if (errno == EINTR)
                continue;
            fail("poll: %s", strerror(errno));
        }
        if (p[1].revents & POLLIN)
            forward_signals(child);
        if ((p[0].revents & POLLIN) && reap(sfd, child, &wstatus))
            return wstatus;
    }
}

/* The result: the status, the requested output files, the end. */
static void send_result(int wstatus)
{
    unsigned char v[4];

    /* Let the command's stdout/stderr reach the host before the result. */
    tcdrain(out_fd);
    tcdrain(err_fd);
    if (WIFSIGNALED(wstatus)) {
        put_le(v, (uint64_t)WTERMSIG(wstatus), 4);
        rec("SIGN", 4, v, 4);
    } else {
        put_le(v, (uint64_t)WEXITSTATUS(wstatus), 4);
        rec("EXIT", 4, v, 4);
    }
    for (size_t i = 0; i < nstreams; i++)
        send_file(&streams[i]);
    rec("DONE", 0, NULL, 0);
}

int main(void)
{
    size_t argc, nout;
    char **args, **outs, **env;
    int sfd;
    pid_t child;

    setup();
    load_modules();
    if ((res = open_result_port()) < 0) {
        logmsg("cannot open the result port " LAB_RESULT_PORT ": %s", strerror(errno));
        power_off();
    }
    if (access("/dev/kvm", R_OK | W_OK) != 0)
        fail("/dev/kvm is missing in the lab after loading kvm_amd: %s", strerror(errno));
    args = read_list(LAB_ARGV_PATH, 1, &argc);
    if (argc == 0)
        fail("empty command line in " LAB_ARGV_PATH);
    env = make_env();
    outs = read_list(LAB_OUTPUTS_PATH, 0, &nout);
    streams = calloc(nout + 1, sizeof *streams);
    if (!streams)
        fail("out of memory");
    for (size_t i = 0; i < nout; i++)
        streams[nstreams++] = (struct outstream){ outs[i], -1, 0 };
    child = start_command(args, env, &sfd);
    rec("STRT", 0, NULL, 0);
    send_result(wait_command(sfd, child));
    power_off();
}
