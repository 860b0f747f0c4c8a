/* What every part of the ntvisor command shares: exit codes, input files, where its images are. */
#ifndef NTVISOR_NTVISOR_H
#define NTVISOR_NTVISOR_H

#include <stddef.h>
#include <stdint.h>

/* Exit codes besides the guest program's own status byte (see README). */
#define NTV_EXIT_USAGE         2     /* bad command line or unusable input file */
#define NTV_EXIT_GUEST_FAILED  123   /* bugcheck, triple fault, unexpected exit */
#define NTV_EXIT_TIMEOUT       124   /* --timeout elapsed */
#define NTV_EXIT_MONITOR       125   /* KVM or the monitor itself failed */
#define NTV_EXIT_NO_KVM        126   /* this host cannot run the guest */
#define NTV_EXIT_INTERRUPTED   130   /* SIGINT/SIGTERM */

#define NTV_IN_LAB_ENV   "NTVISOR_IN_LAB"
#define NTV_LAB_DIR_ENV  "NTVISOR_LAB_DIR"

/* Reads a whole file of at most max bytes. */
int read_file(const char *path, size_t max, uint8_t **data, size_t *size, char *err, size_t errlen);
/* The checks read_file makes, without reading: a regular file of at most max bytes (never blocks). */
int check_input_file(const char *path, size_t max, char *err, size_t errlen);
/* The directory holding this executable (for the default guest images). */
const char *self_dir(void);
/* The SVM lab's directory: $NTVISOR_LAB_DIR, ~/.cache/ntvisor/lab, or an installed one (vmm/paths.c). */
const char *lab_dir(void);

#endif
