/* Running a command and capturing what it prints, for the end-to-end tests. */
#ifndef NTVISOR_TEST_SPAWN_H
#define NTVISOR_TEST_SPAWN_H

#include <stddef.h>

struct spawn_result {
    int status;          /* exit code, or 128 + signal */
    char *out, *err;     /* NUL-terminated captures */
    size_t out_len, err_len;
};

/* Runs argv (NULL-terminated), stdin from /dev/null; returns -1 if it could not start. */
int spawn_capture(char *const argv[], struct spawn_result *r);
void spawn_free(struct spawn_result *r);
/* Runs build/ntvisor with the given arguments (NULL-terminated, at most 30); aborts if it cannot start. */
struct spawn_result ntvisor(const char *first, ...);
/* Line n (0-based) of text into buf, without the newline; -1 if there is none. */
int nth_line(const char *text, int n, char *buf, size_t len);

#endif
