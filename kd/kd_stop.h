/*
 * The stop point `--stop` names, and what kd says at each stop. Plain
 * logic, no VM: the session (kd_session.h) asks it which system calls
 * are stops and how to announce them.
 */
#ifndef NTVISOR_KD_STOP_H
#define NTVISOR_KD_STOP_H

#include <stdbool.h>
#include <stddef.h>
#include "tracer/tracer.h"

enum kd_stop_kind {
    KD_STOP_BOOT,           /* the program's first instruction (its image's entry) */
    KD_STOP_EXIT,           /* the guest has ended, its state intact */
    KD_STOP_FIRST_SYSCALL,  /* the program's first system call from ring 3 */
    KD_STOP_SERVICE,        /* every call of one service */
};

#define KD_STOP_SERVICE_MAX 64   /* the longest service name --stop accepts */

struct kd_stop {
    enum kd_stop_kind kind;
    char service[80];       /* KD_STOP_SERVICE: the Nt name, "NtReadFile" for ReadFile or ZwReadFile */
};

/* Parses --stop's value: boot, exit, first-syscall, or a service name
   (letters, digits, '_'). 0, or -1 if arg is none of them. */
int kd_stop_parse(struct kd_stop *s, const char *arg);
/* Whether the system call c is a stop; stops_so_far counts the stops already made. */
bool kd_stop_is_call(const struct kd_stop *s, const struct trace_call *c, unsigned stops_so_far);
/* What a system-call stop says: "system call 0x43 via nt!KiSystemService (--stop=NtDisplayString)". */
void kd_stop_describe_call(const struct kd_stop *s, const struct trace_call *c, char *buf, size_t len);
/* What the exit stop says: "the guest ended: <reason>", with " (--stop=exit)" when that was the stop. */
void kd_stop_describe_exit(const struct kd_stop *s, const char *reason, char *buf, size_t len);

#endif
