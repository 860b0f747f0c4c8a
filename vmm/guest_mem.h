/*
 * Reading guest memory from the monitor. Everything here treats the guest's
 * page tables and pointers as untrusted: a bad walk fails, it never reads
 * outside the guest's memory.
 */
#ifndef NTVISOR_GUEST_MEM_H
#define NTVISOR_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_mem {
    const uint8_t *mem;
    size_t size;
};

struct kvm_vm;
/* The guest memory of a VM. */
struct guest_mem gmem_of(const struct kvm_vm *vm);

/* Guest-physical bytes [gpa, gpa+len) if wholly inside memory, else NULL. */
const uint8_t *gmem_phys(const struct guest_mem *g, uint64_t gpa, size_t len);

/* Translates a 32-bit linear address through the guest's non-PAE page tables
   (CR3, CR4.PSE honoured); paging off means identity. false if not mapped. */
bool gmem_translate(const struct guest_mem *g, uint32_t cr0, uint32_t cr3, uint32_t cr4,
                    uint32_t va, uint64_t *gpa, bool *user, bool *writable);

/* Copies up to len bytes from linear address va; returns how many were readable
   (stops at the first unmapped page). */
size_t gmem_read_virt(const struct guest_mem *g, uint32_t cr0, uint32_t cr3, uint32_t cr4,
                      uint32_t va, void *out, size_t len);

#endif
