/* A JSON Lines or text trace file read back for the end-to-end tests. */
#ifndef NTVISOR_TEST_TRACE_FILE_H
#define NTVISOR_TEST_TRACE_FILE_H

#define MAX_LINES 4096

struct trace {
    char *text;                 /* the whole file */
    char *lines;                /* a copy, split into line[] */
    char *line[MAX_LINES];
    int n;
};

/* Reads the file (a Check failure when it is missing). */
void read_trace(const char *path, struct trace *t);
void free_trace(struct trace *t);
/* The names of the syscall events, in order; every line must be valid JSON. */
int syscall_names(const struct trace *t, const char *names[], int max);

#endif
