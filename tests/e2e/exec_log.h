/*
 * What QEMU's TCG log says a guest executed (qemu-system-i386 -accel
 * tcg,one-insn-per-tb=on -d in_asm,exec,cpu,int,nochain), counted as the
 * differential test compares it with a trace: the ring-3 instructions that
 * enter the kernel, the entries of KiFastCallEntry and KiSystemService with
 * the service number (EAX) each brought, and the software INT 2Eh taken from
 * ring 3 with theirs. The log is read as a stream (it can be hundreds of MB).
 */
#ifndef NTVISOR_TEST_EXEC_LOG_H
#define NTVISOR_TEST_EXEC_LOG_H

#include <stdint.h>
#include <stdio.h>

/* EAX's table (bits 12-13) and index (bits 0-11): a slot of the per-service counts */
#define EXEC_SERVICES 0x4000u
#define EXEC_SERVICE_OF(eax) ((eax) & 0x3FFFu)

enum exec_insn { EXEC_INT2E, EXEC_SYSENTER, EXEC_SYSCALL, EXEC_INSNS };

struct exec_counts {
    uint32_t ki_fast_call_entry, ki_system_service;   /* in: the addresses, from the kernel's symbols */
    unsigned long insns[EXEC_INSNS];                  /* ring-3 INT 2Eh, SYSENTER, SYSCALL executed */
    unsigned long fast_entries, service_entries;      /* KiFastCallEntry, KiSystemService entered */
    unsigned fast[EXEC_SERVICES];                     /* per service: at KiFastCallEntry */
    unsigned service[EXEC_SERVICES];                  /* per service: at KiSystemService */
    unsigned int2e_user[EXEC_SERVICES];               /* per service: INT 2Eh taken from ring 3 */
    unsigned long lines;
};

/* Reads the log to its end; -1 (with a reason in err) if it is not what QEMU writes. */
int exec_log_count(FILE *log, struct exec_counts *c, char *err, size_t errlen);

#endif
