/* What a failed lab run leaves to read: the last lines of the lab console
 * and of QEMU's own messages, and QEMU's first complaint for the one-line reason. */
#ifndef NTVISOR_LAB_TAIL_H
#define NTVISOR_LAB_TAIL_H

#include <stddef.h>

/* Writes the last `lines` lines of the file at path (its last 64 KiB at most,
 * without \r) to fd 2 between "---- title ----" marks; nothing if it is empty or missing. */
void lab_show_tail(const char *path, const char *title, int lines);

/* The first line of the file at path, without its newline; "" if none. */
void lab_first_line(const char *path, char *out, size_t outlen);

#endif
