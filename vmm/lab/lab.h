/* The SVM lab: run one command inside a small Linux VM under
 * qemu-system-x86_64 (TCG, -cpu max), whose kernel loads kvm_amd on QEMU's
 * emulated AMD-V. Used where the host's /dev/kvm cannot run our guest.
 *
 * The lab itself (kernel + base initramfs) is built by scripts/build-lab.sh
 * (`make lab`); the lab's /init is vmm/lab/lab_init.c. */
#ifndef NTVISOR_LAB_H
#define NTVISOR_LAB_H

#include <stddef.h>
#include <stdint.h>

struct lab_file {
    const char *host_path;
    const char *lab_path;            /* absolute path inside the lab */
};

struct lab_request {
    const char *lab_dir;             /* OUTDIR of build-lab.sh: vmlinux, base.cpio, .stamp */
    char *const *argv;               /* command run inside the lab; argv[0] is a lab path (no PATH search) */
    char *const *env;                /* extra NAME=VALUE for the command, NULL-terminated, may be NULL */
    const struct lab_file *inputs;   size_t n_inputs;   /* copied in before the run, mode bits kept */
    const struct lab_file *outputs;  size_t n_outputs;  /* copied back if the command created them */
    unsigned char *output_found;     /* optional, n_outputs entries: set to 1/0 per output */
    unsigned memory_mib;             /* lab VM memory, 0 = default 512 */
    unsigned timeout_sec;            /* 0 = no limit; on expiry the VM is killed (lab failure) */
    const char *qemu;                /* qemu-system-x86_64 path, NULL = from PATH */
};

/* Runs argv inside the lab. The command's stdout/stderr bytes go to this
 * process's fd 1 / fd 2 unchanged, streamed while it runs. SIGINT/SIGTERM
 * received meanwhile are forwarded to the command (a third one kills the VM).
 * Returns 0 and sets *status to a shell-style exit status (exit code, or
 * 128+signal) when the command ran (exec failure inside the lab: 127).
 * Returns -1 with a one-line reason in err when the lab itself failed; the
 * tail of the lab console is then written to fd 2. */
int lab_run(const struct lab_request *req, int *status, char *err, size_t errlen);

/* 1 when lab_dir holds a complete lab (build-lab.sh finished), else 0. */
int lab_is_built(const char *lab_dir);

/* ---- Wire protocol between lab_init (guest) and lab.c (host) ----------
 * Guest -> host on ttyS3: LAB_MAGIC, then records
 *     tag[4]  length (u64 little-endian)  payload[length]
 *   "STRT"  0: the command was started; the host sends signal bytes only
 *             after this (bytes arriving before the guest's serial driver
 *             is set up would be lost)
 *   "EXIT"  4: exit code (u32 LE)
 *   "SIGN"  4: terminating signal (u32 LE)
 *   "FAIL"  n: reason text (lab failure), n <= LAB_MAX_TEXT
 *   "FILE"  n: name length (u32 LE), name (a requested lab path), content
 *   "DONE"  0: end of result
 * Host -> guest on ttyS3: single bytes LAB_SIG_* (forward a signal). */
#define LAB_MAGIC       "NTVLAB1\n"
#define LAB_MAGIC_LEN   8
#define LAB_MAX_TEXT    4096u
#define LAB_MAX_NAME    4096u
#define LAB_MAX_FILE    (1ull << 32)       /* per output file */
#define LAB_SIG_INT     'I'
#define LAB_SIG_TERM    'T'
#define LAB_SIG_KILL    'K'
/* Files in the per-run archive, read by lab_init. */
#define LAB_ARGV_PATH    "/ntv/argv"        /* NUL-terminated strings */
#define LAB_ENV_PATH     "/ntv/env"         /* NUL-terminated NAME=VALUE */
#define LAB_OUTPUTS_PATH "/ntv/outputs"     /* NUL-terminated lab paths */
#define LAB_WORK_DIR     "/ntv/work"

/* ---- Internals exposed for unit tests (tests/test_lab.c) ---------------- */

/* Writes the per-run newc archive (inputs, argv, env, outputs list, trailer)
 * to fd, padded to a 4-byte multiple. Returns 0, or -1 with err set. */
int lab_cpio_write_request(int fd, const struct lab_request *req, char *err, size_t errlen);

/* Incremental parser for the guest's result stream. Output files are
 * written to "<host_path>.labtmp.XXXXXX" and renamed over host_path when
 * their record is complete. */
struct lab_result;
struct lab_result *lab_result_new(const struct lab_file *outputs, size_t n_outputs);
/* Feeds bytes. Returns 0 to continue, 1 once DONE was seen (later bytes are
 * ignored), -1 on a protocol or I/O error (message: lab_result_error). */
int lab_result_feed(struct lab_result *r, const void *buf, size_t len);
/* After the stream ended: 1 if a complete result arrived (DONE). */
int lab_result_done(const struct lab_result *r);
/* 1 once the guest reported that the command started. */
int lab_result_started(const struct lab_result *r);
/* Exit status (0..255 or 128+signal), or -1 when none was received. */
int lab_result_status(const struct lab_result *r);
/* The lab's own failure reason (FAIL record), or NULL. */
const char *lab_result_failure(const struct lab_result *r);
const char *lab_result_error(const struct lab_result *r);
/* 1 when output i was received and written to its host path. */
int lab_result_found(const struct lab_result *r, size_t i);
/* Removes any unfinished temp file and frees r. */
void lab_result_free(struct lab_result *r);

#endif
