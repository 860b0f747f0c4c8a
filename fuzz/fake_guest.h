/*
 * A guest memory with 32-bit page tables, built from a fuzz input, for the
 * harnesses that read the guest through vmm/guest_mem.h (the decoders, kd,
 * the tracer's IDT sweep).
 *
 * Guest-physical: FG_MEM_SIZE bytes, one heap block (ASan sees a read past it).
 *   0x1000  page directory (CR3)      0x2000  page table of 0x00000000-0x003FFFFF
 *   0x3000-0x7FFF  page tables the input's mappings ask for
 *   0x8000-        the input's bytes (FG_DATA)
 * Linear, before the input's mappings: page 0 not present; 0x1000 up to
 * FG_MEM_SIZE identity-mapped (user, writable); 0x80000000 a 4 MiB
 * supervisor page onto physical 0 (KSEG0).
 */
#ifndef NTVISOR_FUZZ_FAKE_GUEST_H
#define NTVISOR_FUZZ_FAKE_GUEST_H

#include "fuzz_input.h"
#include "vmm/guest_mem.h"

#define FG_MEM_SIZE 0x40000u
#define FG_DATA     0x8000u
#define FG_KSEG0    0x80000000u

/* Takes the paging mode and up to 15 mappings from the input; returns the view. */
struct guest_view fg_build(struct fz *f);
/* Copies the rest of the input into memory from FG_DATA on. */
void fg_fill(struct fz *f);
/* Guest-physical memory, valid until the next fg_build. */
uint8_t *fg_mem(void);
/* A read_virt for kd_target: through the view ctx points at. */
size_t fg_read_virt(void *ctx, uint32_t va, void *buf, size_t len);

#endif
