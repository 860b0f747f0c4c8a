/* The wire protocol between the lab's /init (vmm/lab/lab_init.c, in the guest)
 * and the host side (vmm/lab/result.c, relay.c, cpio.c): what each sends, and
 * where the per-run archive puts the command. Shared by both, nothing else. */
#ifndef NTVISOR_LAB_PROTOCOL_H
#define NTVISOR_LAB_PROTOCOL_H

/* The result channel: the virtio-serial port LAB_RESULT_PORT (the 16550
 * UARTs under TCG move a byte per emulated I/O exit; see qemu.c).
 * Guest -> host: LAB_MAGIC, then records
 *     tag[4]  length (u64 little-endian)  payload[length]
 *   "STRT"  0: the command was started; the host sends signal bytes only
 *             after this (bytes arriving before the guest's serial driver
 *             is set up would be lost)
 *   "EXIT"  4: exit code (u32 LE)
 *   "SIGN"  4: terminating signal (u32 LE)
 *   "FAIL"  n: reason text (lab failure), n <= LAB_MAX_TEXT
 *   "PART"  n: name length (u32 LE), name (a requested lab path), the next
 *             bytes of that output, sent while the command runs
 *   "FILE"  n: the same for the output's last bytes: the file is complete
 *   "DONE"  0: end of result
 * Host -> guest: single bytes LAB_SIG_* (forward a signal). */
#define LAB_RESULT_PORT "ntv.result"
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

#endif
