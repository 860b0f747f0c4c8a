/* Small I/O helpers the lab's host-side files share:
 * whole writes, path joining. */
#ifndef NTVISOR_LAB_IO_H
#define NTVISOR_LAB_IO_H

#include <stddef.h>

/* Writes all n bytes to fd, waiting out EINTR and EAGAIN; 0, or -1 with errno set. */
int lab_write_all(int fd, const void *p, size_t n);

/* "dir/name" in a new allocation, or NULL when out of memory. */
char *lab_path_join(const char *dir, const char *name);

#endif
