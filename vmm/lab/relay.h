/* While the lab VM runs: the command's stdout and stderr relayed to ours
 * byte for byte, the result channel fed to the parser, SIGINT/SIGTERM
 * forwarded to the command (a third kills the VM), and the deadlines kept. */
#ifndef NTVISOR_LAB_RELAY_H
#define NTVISOR_LAB_RELAY_H

#include <stddef.h>
#include "qemu.h"
#include "result.h"

/* How the relay ended, for the verdict. */
struct lab_relay_end {
    int interrupted;                 /* a third SIGINT/SIGTERM killed the VM */
    int rejected;                    /* the result stream was malformed: the VM was killed */
    int timed_out;                   /* no complete result by the deadline: the VM was killed */
    int stalled;                     /* idle and silent for the stall limit: the VM was killed */
    int wait_status;                 /* QEMU's, from waitpid */
};

struct lab_relay {
    int sigp[2];                     /* the signal handlers' self-pipe */
    int installed;
};

/* Prepares the signal pipe (before QEMU starts); 0, or -1 with err set. */
int lab_relay_open(struct lab_relay *rl, char *err, size_t errlen);

/* Relays until QEMU closes every channel, then reaps it (vm->pid becomes -1).
 * timeout_sec 0: no deadline; once DONE arrived QEMU gets 30 s to power off.
 * stall_sec (0: off): a VM that sends nothing and leaves QEMU nearly idle for
 * that long has stopped making progress (an interrupt lost in the emulated
 * machine) and is killed. A poll failure kills the VM and is reported in err. */
void lab_relay_run(struct lab_relay *rl, struct lab_vm *vm, struct lab_result *res, unsigned timeout_sec,
                   unsigned stall_sec, struct lab_relay_end *end, char *err, size_t errlen);

/* Restores the signal handlers and closes the pipe. */
void lab_relay_close(struct lab_relay *rl);

#endif
