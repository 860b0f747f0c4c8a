/* The lab's temporary directories are named after the process that made
 * them; those whose process is gone (killed before it could remove them)
 * are removed by the next run. */
#ifndef NTVISOR_LAB_STALE_H
#define NTVISOR_LAB_STALE_H

#define LAB_RUN_DIR_PREFIX "ntvisor-lab."   /* then PID.XXXXXX */

/* Removes tmpdir's LAB_RUN_DIR_PREFIX PID.XXXXXX directories of ours whose PID
 * no longer exists, and the files directly in them; nothing else. */
void lab_clean_stale(const char *tmpdir);

#endif
