/* The lab's per-run initramfs: the lab's base.cpio followed by a newc
 * archive of one request (its input files, argv, env and outputs list, read
 * by the lab's /init). */
#ifndef NTVISOR_LAB_CPIO_H
#define NTVISOR_LAB_CPIO_H

#include <stddef.h>
#include "lab.h"

/* Writes the request's newc archive (inputs, argv, env, outputs list,
 * trailer) to fd, padded to a 4-byte multiple. Returns 0, or -1 with err set. */
int lab_cpio_write_request(int fd, const struct lab_request *req, char *err, size_t errlen);

/* Creates path (mode 0600) holding req->lab_dir's base.cpio, padded to 4
 * bytes, then the request's archive. Returns 0, or -1 with err set. */
int lab_initrd_write(const char *path, const struct lab_request *req, char *err, size_t errlen);

#endif
