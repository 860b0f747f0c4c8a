/* The lab's result stream: an incremental parser of the records the lab's
 * /init sends on its result port (protocol.h) — start, exit status or signal, the lab's
 * own failure, output files, end — each checked, since every byte is untrusted. */
#ifndef NTVISOR_LAB_RESULT_H
#define NTVISOR_LAB_RESULT_H

#include <stddef.h>
#include "lab.h"

/* Output files are written in place as their PART records arrive, whole
 * lines only until their FILE record ends them (stream.h). */
struct lab_result;
struct lab_result *lab_result_new(const struct lab_file *outputs, size_t n_outputs);
/* Feeds bytes. Returns 0 to continue, 1 once DONE was seen (later bytes are
 * ignored), -1 on a protocol or I/O error (message: lab_result_error). */
int lab_result_feed(struct lab_result *r, const void *buf, size_t len);
/* After the stream ended: 1 if a complete result arrived (DONE). */
int lab_result_done(const struct lab_result *r);
/* 1 once the guest reported that the command started. */
int lab_result_started(const struct lab_result *r);
/* Exit status (0..255 or 128+signal), or -1 when none was received. */
int lab_result_status(const struct lab_result *r);
/* The lab's own failure reason (FAIL record), or NULL. */
const char *lab_result_failure(const struct lab_result *r);
/* Why the stream is not a complete result (protocol error, cut short), or NULL after DONE. */
const char *lab_result_error(const struct lab_result *r);
/* 1 when output i was received and written to its host path. */
int lab_result_found(const struct lab_result *r, size_t i);
/* Removes any unfinished temp file and frees r. */
void lab_result_free(struct lab_result *r);

#endif
