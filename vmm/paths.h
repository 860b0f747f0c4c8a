/* Where ntvisor's own files are (make install; README "Install").
 *
 * A file of ntvisor's (guest/ntoskrnl.exe, guest/ntdll.dll, lab/) is looked up,
 * in this order:
 *   1. beside the binary: DIR/guest/... where DIR holds the ntvisor executable
 *      (the build tree's build/, and the SVM lab's /ntv);
 *   2. under the prefix the binary is installed in, when DIR is PREFIX/bin:
 *      PREFIX/lib/ntvisor/... (so a staged `make install DESTDIR=...` or a
 *      moved prefix still finds its files);
 *   3. under the prefix it was built for, baked in at build time: NTV_LIBDIR,
 *      PREFIX/lib/ntvisor.
 * The first that exists wins; when none does, the first is named (so the error
 * says where a build tree's file should be). */
#ifndef NTVISOR_VMM_PATHS_H
#define NTVISOR_VMM_PATHS_H

#include <stddef.h>

#define PATHS_MAX_DIRS 3

/* The folders searched, in order: self, PREFIX/lib/ntvisor when self is PREFIX/bin, libdir (no repeats). */
int paths_dirs(const char *self, const char *libdir, const char *dirs[PATHS_MAX_DIRS],
               char bufs[PATHS_MAX_DIRS][4096]);
/* DIRS[i]/REL for the first i where it exists, else DIRS[0]/REL; buf on success, NULL if it does not fit. */
const char *paths_find_in(const char *const *dirs, int n, const char *rel, char *buf, size_t len);
/* paths_find_in over this binary's folders. */
const char *paths_find(const char *rel, char *buf, size_t len);
/* The prefix's folder baked in at build time (PREFIX/lib/ntvisor). */
const char *paths_libdir(void);

#endif
