/* Starting and stopping the lab VM: qemu-system-x86_64 with the lab's kernel
 * and a per-run initramfs, the lab console in a file, and the command's
 * stdout, stderr and the result channel on three socket pairs. QEMU dies
 * with this process (PR_SET_PDEATHSIG). */
#ifndef NTVISOR_LAB_QEMU_H
#define NTVISOR_LAB_QEMU_H

#include <stddef.h>
#include <sys/types.h>

/* The files and settings of one boot. */
struct lab_boot {
    const char *qemu;                /* qemu-system-x86_64, looked up in PATH unless it has a '/' */
    const char *lab_dir;             /* holds vmlinux */
    unsigned memory_mib;             /* 0: the default 512 */
    int initrd_fd, console_fd, qemu_log_fd;   /* open files, already unlinked: QEMU opens them as /dev/fd/N;
                                                 ttyS0 goes to console_fd, QEMU's own output to qemu_log_fd */
};

/* A running lab VM: QEMU's pid (-1 once reaped) and the host ends of ttyS1
 * (the command's stdout), ttyS2 (its stderr) and the virtio-serial port
 * LAB_RESULT_PORT (the result channel). */
struct lab_vm {
    pid_t pid;
    int chan[3];
};

/* Starts QEMU. Returns 0, or -1 with err set (e.g. QEMU cannot be run: its
 * path and why) and nothing left running or open. */
int lab_qemu_start(struct lab_vm *vm, const struct lab_boot *boot, char *err, size_t errlen);

/* Kills QEMU if it still runs, reaps it and closes the channels. */
void lab_qemu_stop(struct lab_vm *vm);

#endif
