/* Small helpers shared by the subcommands. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ntvisor.h"
#include "base/errbuf.h"

/*
 * Opens an input file for reading, never blocking (a FIFO or a device would):
 * it must be a regular file of at most max bytes. The fd, or -1 with err set.
 */
static int open_input(const char *path, size_t max, struct stat *st, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return errbuf_fail(err, errlen, "%s: %s", path, strerror(errno));
    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return errbuf_fail(err, errlen, "%s: not a regular file", path);
    }
    if ((uint64_t)st->st_size > max) {
        close(fd);
        return errbuf_fail(err, errlen, "%s: %lld bytes, more than the %zu this option allows", path,
                           (long long)st->st_size, max);
    }
    return fd;
}

int check_input_file(const char *path, size_t max, char *err, size_t errlen)
{
    struct stat st;
    int fd = open_input(path, max, &st, err, errlen);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

int read_file(const char *path, size_t max, uint8_t **data, size_t *size, char *err, size_t errlen)
{
    struct stat st;
    int fd = open_input(path, max, &st, err, errlen);
    if (fd < 0)
        return -1;
    uint8_t *buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    size_t n = 0;
    while (buf && n < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (!buf || n != (size_t)st.st_size) {
        snprintf(err, errlen, "%s: %s", path, buf ? "read error" : "out of memory");
        free(buf);
        return -1;
    }
    *data = buf;
    *size = n;
    return 0;
}

const char *self_dir(void)
{
    static char dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
    if (n <= 0)
        return ".";
    dir[n] = '\0';
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    return dir;
}
