/* The tail of a failed lab run's logs (see tail.h). */
#include "tail.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include "io.h"

#define TAIL_MAX 65536

/* The file's last TAIL_MAX bytes without \r, in a new buffer (*n bytes); NULL if empty or unreadable. */
static char *read_tail(const char *path, size_t *n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    off_t size;
    char *buf;
    size_t got = 0, k = 0;

    if (fd < 0)
        return NULL;
    size = lseek(fd, 0, SEEK_END);
    if (size <= 0 || !(buf = malloc((size_t)(size > TAIL_MAX ? TAIL_MAX : size) + 1))) {
        close(fd);
        return NULL;
    }
    lseek(fd, size > TAIL_MAX ? size - TAIL_MAX : 0, SEEK_SET);
    if (size > TAIL_MAX)
        size = TAIL_MAX;
    while (got < (size_t)size) {
        ssize_t r = read(fd, buf + got, (size_t)size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    for (size_t i = 0; i < got; i++)        /* drop \r */
        if (buf[i] != '\r')
            buf[k++] = buf[i];
    *n = k;
    return buf;
}

void lab_show_tail(const char *path, const char *title, int lines)
{
    size_t n = 0, start;
    int seen = 0;
    char *buf = read_tail(path, &n);

    if (!buf)
        return;
    start = n;
    if (start && buf[start - 1] == '\n')
        start--;
    while (start > 0) {
        if (buf[start - 1] == '\n' && ++seen >= lines)
            break;
        start--;
    }
    dprintf(2, "---- %s (last %d lines) ----\n", title, lines);
    lab_write_all(2, buf + start, n - start);
    if (n && buf[n - 1] != '\n')
        lab_write_all(2, "\n", 1);
    dprintf(2, "---- end of %s ----\n", title);
    free(buf);
}

void lab_first_line(const char *path, char *out, size_t outlen)
{
    FILE *f = fopen(path, "re");

    out[0] = '\0';
    if (!f)
        return;
    if (fgets(out, (int)outlen, f))
        out[strcspn(out, "\r\n")] = '\0';
    fclose(f);
}
