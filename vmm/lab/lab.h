/* The SVM lab: run one command inside a small Linux VM under
 * qemu-system-x86_64 (TCG, -cpu max), whose kernel loads kvm_amd on QEMU's
 * emulated AMD-V. Used where the host's /dev/kvm cannot run our guest.
 *
 * The lab itself (kernel + base initramfs) is built by scripts/build-lab.sh
 * (`make lab`); the lab's /init is vmm/lab/lab_init.c. The host side is one
 * idea per file: cpio.c (the per-run initramfs), qemu.c (starting QEMU),
 * relay.c (streams and signals while it runs), result.c (the result stream),
 * stream.c (output files written as they arrive, whole lines), stale.c (the
 * temporary directories of dead runs), tail.c (the console's tail when it failed), argmap.c (command lines with
 * their files mapped to lab paths), and lab.c gluing them into lab_run. */
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
    const struct lab_file *outputs;  size_t n_outputs;  /* streamed back while it runs, if the command creates them */
    unsigned char *output_found;     /* optional, n_outputs entries: set to 1/0 per output */
    unsigned memory_mib;             /* lab VM memory, 0 = default 512 */
    unsigned timeout_sec;            /* 0 = no limit; on expiry the VM is killed (lab failure) */
    unsigned stall_sec;              /* 0 = off; QEMU idle and silent this long: killed (lab failure) */
    int *stalled;                    /* optional: set to 1 when the run ended that way, else 0 */
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

#endif
