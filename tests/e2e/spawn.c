#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "spawn.h"

static void append(char **buf, size_t *len, const char *data, size_t n)
{
    char *p = realloc(*buf, *len + n + 1);
    if (!p)
        abort();
    memcpy(p + *len, data, n);
    *len += n;
    p[*len] = '\0';
    *buf = p;
}

int spawn_capture(char *const argv[], struct spawn_result *r)
{
    int out[2], err[2];
    memset(r, 0, sizeof(*r));
    if (pipe(out) < 0 || pipe(err) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(out[0]);
        close(err[0]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    append(&r->out, &r->out_len, "", 0);
    append(&r->err, &r->err_len, "", 0);
    struct pollfd fds[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
    int open_fds = 2;
    while (open_fds) {
        if (poll(fds, 2, -1) < 0)
            continue;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[4096];
            ssize_t n = read(fds[i].fd, buf, sizeof(buf));
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            } else if (i == 0) {
                append(&r->out, &r->out_len, buf, (size_t)n);
            } else {
                append(&r->err, &r->err_len, buf, (size_t)n);
            }
        }
    }
    int st;
    waitpid(pid, &st, 0);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return 0;
}

void spawn_free(struct spawn_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

int nth_line(const char *text, int n, char *buf, size_t len)
{
    const char *p = text;
    for (int i = 0; i < n; i++) {
        p = strchr(p, '\n');
        if (!p)
            return -1;
        p++;
    }
    if (!*p)
        return -1;
    size_t l = strcspn(p, "\n");
    if (l >= len)
        l = len - 1;
    memcpy(buf, p, l);
    buf[l] = '\0';
    return 0;
}

struct spawn_result ntvisor(const char *first, ...)
{
    char *argv[32];
    int n = 0;
    argv[n++] = "build/ntvisor";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && n < 31; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    struct spawn_result r;
    if (spawn_capture(argv, &r) < 0)
        abort();
    return r;
}
