/*
 * kd: a WinDbg-style command interpreter over a paused guest. It reads the
 * guest only through a kd_target (memory through the guest's page tables,
 * registers, MSRs), so it runs the same against a KVM vCPU (kd_kvm.c) and
 * against a fake target in the unit tests.
 *
 * Everything read from the guest is untrusted: pointers are followed only
 * through read_virt, counts are capped, and a bad address is an error
 * message, never a crash.
 */
#ifndef NTVISOR_KD_H
#define NTVISOR_KD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "ntdb/symbols.h"

/* The vCPU state kd shows. */
struct kd_regs {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp, esp, eip, efl;
    uint16_t cs, ss, ds, es, fs, gs;
    uint32_t cr0, cr2, cr3, cr4;
    uint32_t gdtr_base, idtr_base;
    uint16_t gdtr_limit, idtr_limit;
    uint16_t ldtr, tr;              /* selectors */
    uint32_t ldtr_base, ldtr_limit; /* the LDT's cached base and limit */
    bool ldtr_usable;               /* false: no LDT loaded (null selector or unusable) */
    uint32_t tr_base;
};

/* Everything kd reads; a fake one in tests. Each callback returns as the
   comment says; kd treats any failure as "not available". */
struct kd_target {
    void *ctx;
    /* Through the guest's page tables; returns the bytes readable from va on, never
       past 4 GiB (kd_read relies on it: vmm/guest_mem.h's partial read). */
    size_t (*read_virt)(void *ctx, uint32_t va, void *buf, size_t len);
    /* 0, or -1 if the registers cannot be read. */
    int (*get_regs)(void *ctx, struct kd_regs *r);
    /* 0, or -1 if the MSR cannot be read. */
    int (*read_msr)(void *ctx, uint32_t index, uint64_t *value);
};

/* What the session should do after a command. */
enum kd_action { KD_STAY, KD_GO, KD_QUIT };

struct disasm;

struct kd {
    const struct kd_target *target;
    const struct symtab *syms;
    FILE *out;
    struct disasm *dis;
    /* where a bare `u`, `dd`, `db`, `dw` go on from */
    uint32_t next_u, next_d;
    bool have_next_u, have_next_d;
};

/* 0, or -1 if the disassembler cannot be opened. */
int kd_init(struct kd *kd, const struct kd_target *target, const struct symtab *syms, FILE *out);
void kd_free(struct kd *kd);

/* Runs one command line (one command; leading/trailing blanks ignored). Errors
   are printed on kd->out and the session goes on (KD_STAY). */
enum kd_action kd_exec(struct kd *kd, const char *line);

/* Splits "cmd; cmd; ..." into commands: calls fn for each non-empty one, in
   order, until fn returns nonzero; returns that value (0 if none did). */
int kd_split_commands(const char *script, int (*fn)(void *ctx, const char *cmd), void *ctx);

/* ---------------------------------------------------------------- internals
 * shared by the kd_*.c files (one command family each) */

/* Evaluates an address expression: hex number (0x optional, 0n for decimal),
   symbol (module!name, name, module), @register, and + - between terms.
   Returns 0, or -1 with a message already printed. */
int kd_eval(struct kd *kd, const char *expr, uint32_t *value);
/* Prints an error line ("^ ..."). */
void kd_error(struct kd *kd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads exactly len bytes at va; false if any of them is unreadable. */
bool kd_read(struct kd *kd, uint32_t va, void *buf, size_t len);
bool kd_read_u32(struct kd *kd, uint32_t va, uint32_t *v);
/* A symbol for addr ("nt!Foo+0x4"), or the 8-digit address when none. */
const char *kd_symbolize(struct kd *kd, uint32_t addr, char *buf, size_t len);
/* Parses "L<n>" (hex, like WinDbg) with 1 <= n <= max; -1 (printed) if bad. */
int kd_parse_count(struct kd *kd, const char *word, uint32_t max, uint32_t *n);

/* Command families: args is the text after the command word. */
void kd_cmd_unassemble(struct kd *kd, const char *args);
void kd_cmd_dump(struct kd *kd, char unit, const char *args);
void kd_cmd_regs(struct kd *kd, const char *args);
void kd_cmd_ln(struct kd *kd, const char *args);
void kd_cmd_x(struct kd *kd, const char *args);
void kd_cmd_lm(struct kd *kd, const char *args);
void kd_cmd_rdmsr(struct kd *kd, const char *args);
void kd_cmd_descriptor(struct kd *kd, const char *args);
void kd_cmd_dt(struct kd *kd, const char *args);
void kd_cmd_sst(struct kd *kd, const char *args);
void kd_cmd_thread(struct kd *kd, const char *args);
void kd_cmd_handle(struct kd *kd, const char *args);

/* The register named name (eax.., eip, efl, cs.., cr0.., gdtr, idtr, tr, ...);
   false if there is no such register. */
bool kd_reg_value(const struct kd_regs *r, const char *name, uint32_t *value);

#endif
