/*
 * The abnormal-end dump of a stopped vCPU, in the manner of kvmtool's
 * show_registers and show_code: registers, segments, control and descriptor
 * table registers, the code bytes at EIP, the kernel symbol at EIP, a few
 * stack words at ESP, and the page-table walk of EIP.
 */
#ifndef NTVISOR_VCPU_DUMP_H
#define NTVISOR_VCPU_DUMP_H

#include <stdio.h>
#include <linux/kvm.h>
#include "ntdb/symbols.h"
#include "guest_mem.h"

#define VCPU_DUMP_CODE_BYTES  16
#define VCPU_DUMP_STACK_WORDS 8

/* Prints the state r/s to out. Guest memory is read only through g, as
   untrusted (a bad pointer or page table prints as such); syms may be NULL. */
void vcpu_dump_state(FILE *out, const struct kvm_regs *r, const struct kvm_sregs *s, const struct guest_mem *g,
                     const struct symtab *syms);

#endif
