/* An output file of a lab run, written while the lab streams it back: into
 * the file the user named (opened in place: a symlink followed, a device
 * written to, nothing replaced by rename), whole lines only until the file
 * is complete, so a run killed at any moment leaves no half line behind. */
#ifndef NTVISOR_LAB_STREAM_H
#define NTVISOR_LAB_STREAM_H

#include <stddef.h>

/* A line longer than this is written out unfinished (the file is then no line-oriented one). */
#define LAB_STREAM_HOLD_MAX (1u << 20)

struct lab_stream {
    int fd;                          /* -1: not open */
    unsigned char *hold;             /* the unfinished last line, not yet written */
    size_t nhold;
};

void lab_stream_init(struct lab_stream *s);
/* Opens path for writing (created 0666 & umask, truncated); 0, or -1 with errno. */
int lab_stream_open(struct lab_stream *s, const char *path);
/* Writes the whole lines among what was held and p[0..n), holds the rest; 0, or -1 with errno. */
int lab_stream_write(struct lab_stream *s, const void *p, size_t n);
/* The file is complete: writes what is held and closes it; 0, or -1 with errno. */
int lab_stream_finish(struct lab_stream *s);
/* The stream was cut short: closes the file, its unfinished line dropped. */
void lab_stream_abandon(struct lab_stream *s);

#endif
