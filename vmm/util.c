/* Small helpers shared by the subcommands. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ntvisor.h"

int read_file(const char *path, size_t max, uint8_t **data, size_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        fclose(f);
        return -1;
    }
    if ((uint64_t)st.st_size > max) {
        snprintf(err, errlen, "%s: %lld bytes, more than the %zu this option allows", path,
                 (long long)st.st_size, max);
        fclose(f);
        return -1;
    }
    uint8_t *buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    size_t n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    int bad = !buf || n != (size_t)st.st_size || ferror(f);
    fclose(f);
    if (bad) {
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

const char *lab_dir(void)
{
    static char dir[PATH_MAX];
    const char *env = getenv(NTV_LAB_DIR_ENV);
    if (env && *env)
        return env;
    const char *home = getenv("HOME");
    snprintf(dir, sizeof(dir), "%s/.cache/ntvisor/lab", home && *home ? home : "/root");
    return dir;
}
