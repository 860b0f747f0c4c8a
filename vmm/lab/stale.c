/* Stale lab directories of dead processes (see stale.h). */
#define _GNU_SOURCE
#include "stale.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The PID in PREFIX PID.XXXXXX (six characters after the dot), or 0 for any other name. */
static pid_t owner_pid(const char *name)
{
    size_t pl = strlen(LAB_RUN_DIR_PREFIX);
    char *end;
    long pid;

    if (strncmp(name, LAB_RUN_DIR_PREFIX, pl) != 0 || name[pl] < '1' || name[pl] > '9')
        return 0;
    errno = 0;
    pid = strtol(name + pl, &end, 10);
    if (errno || pid <= 0 || pid > 0x3fffffff || *end != '.' || strlen(end + 1) != 6)
        return 0;
    return (pid_t)pid;
}

/* Unlinks the directory's entries (files, symlinks: never followed) and then it. */
static void remove_dir(int parent, const char *name)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;

    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            unlinkat(fd, e->d_name, 0);
    closedir(d);
    unlinkat(parent, name, AT_REMOVEDIR);
}

void lab_clean_stale(const char *tmpdir)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d))) {
        pid_t pid = owner_pid(e->d_name);
        struct stat st;
        if (!pid || kill(pid, 0) == 0 || errno != ESRCH)
            continue;               /* alive (or not ours to ask): kept */
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
            st.st_uid == geteuid())
            remove_dir(dirfd(d), e->d_name);
    }
    closedir(d);
}
