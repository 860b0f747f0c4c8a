/* Where ntvisor's own files are: beside the binary, then under its prefix (see paths.h). */
#include "paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "ntvisor.h"
#include "vmm/lab/lab.h"

#ifndef NTV_LIBDIR
#define NTV_LIBDIR "/usr/local/lib/ntvisor"   /* mk/install.mk passes PREFIX/lib/ntvisor */
#endif

const char *paths_libdir(void)
{
    return NTV_LIBDIR;
}

static int add_dir(const char *dirs[], int n, const char *dir)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(dirs[i], dir))
            return n;
    dirs[n] = dir;
    return n + 1;
}

int paths_dirs(const char *self, const char *libdir, const char *dirs[PATHS_MAX_DIRS],
               char bufs[PATHS_MAX_DIRS][4096])
{
    int n = 0;
    snprintf(bufs[0], sizeof(bufs[0]), "%s", self);
    n = add_dir(dirs, n, bufs[0]);
    /* the prefix the binary sits in: PREFIX/bin/ntvisor -> PREFIX/lib/ntvisor */
    char prefix[4096];
    snprintf(prefix, sizeof(prefix), "%s", self);
    char *slash = strrchr(prefix, '/');
    if (slash && !strcmp(slash, "/bin")) {
        *slash = '\0';
        if (snprintf(bufs[1], sizeof(bufs[1]), "%s/lib/ntvisor", prefix) < (int)sizeof(bufs[1]))
            n = add_dir(dirs, n, bufs[1]);
    }
    snprintf(bufs[2], sizeof(bufs[2]), "%s", libdir);
    return add_dir(dirs, n, bufs[2]);
}

const char *paths_find_in(const char *const *dirs, int n, const char *rel, char *buf, size_t len)
{
    struct stat st;
    for (int i = 0; i < n; i++) {
        int w = snprintf(buf, len, "%s/%s", dirs[i], rel);
        if (w < 0 || (size_t)w >= len)
            return NULL;
        if (stat(buf, &st) == 0)
            return buf;
    }
    snprintf(buf, len, "%s/%s", dirs[0], rel);
    return buf;
}

const char *paths_find(const char *rel, char *buf, size_t len)
{
    const char *dirs[PATHS_MAX_DIRS];
    static char bufs[PATHS_MAX_DIRS][4096];
    int n = paths_dirs(self_dir(), paths_libdir(), dirs, bufs);
    return paths_find_in(dirs, n, rel, buf, len);
}

/* $NTVISOR_LAB_DIR; else the user's ~/.cache/ntvisor/lab, or an installed lab
 * (make install copies a built one) when only that one is built. */
const char *lab_dir(void)
{
    static char home_lab[4096], installed[4096];
    const char *env = getenv(NTV_LAB_DIR_ENV);
    if (env && *env)
        return env;
    const char *home = getenv("HOME");
    snprintf(home_lab, sizeof(home_lab), "%s/.cache/ntvisor/lab", home && *home ? home : "/root");
    if (lab_is_built(home_lab))
        return home_lab;
    const char *dirs[PATHS_MAX_DIRS];
    static char bufs[PATHS_MAX_DIRS][4096];
    int n = paths_dirs(self_dir(), paths_libdir(), dirs, bufs);
    for (int i = 1; i < n; i++) {   /* not beside the binary: the lab is never in a build tree */
        snprintf(installed, sizeof(installed), "%s/lab", dirs[i]);
        if (lab_is_built(installed))
            return installed;
    }
    return home_lab;
}
