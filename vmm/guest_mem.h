/*
 * The one door to guest memory (xv6 copyin-style): translate, bound, copy.
 * The monitor, the tracer and kd read the guest only through these functions,
 * and the breakpoint code writes it only through gmem_patch. The guest's page
 * tables and pointers are untrusted: a bad walk fails, it never reads or
 * writes outside the guest's memory, and no read runs past 4 GiB.
 */
#ifndef NTVISOR_GUEST_MEM_H
#define NTVISOR_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kvm_vm;

/* Guest-physical memory: bytes 0 .. size. */
struct guest_mem {
    uint8_t *mem;
    size_t size;
};

/* An address space: guest memory through one set of paging registers, read with
   a privilege. A user view reads as ring-3 code would: a page that any level of
   the walk marks supervisor-only (U/S clear) is not there for it. */
struct guest_view {
    struct guest_mem mem;
    uint32_t cr0, cr3, cr4;
    bool user;
};

/* The guest's RAM as KVM maps it for vm. */
struct guest_mem gmem_of(const struct kvm_vm *vm);

/* The address space that paging registers cr0, cr3, cr4 describe over mem, as the kernel sees it. */
struct guest_view gmem_view(struct guest_mem mem, uint32_t cr0, uint32_t cr3, uint32_t cr4);

/* The same address space as code at privilege level cpl sees it: CPL 3 is a user
   view, CPL 0-2 a supervisor one (the monitor reading on behalf of that code). */
struct guest_view gview_at_cpl(const struct guest_view *v, unsigned cpl);

/* Guest-physical bytes [gpa, gpa+len) if wholly inside memory, else NULL. */
const uint8_t *gmem_phys(const struct guest_mem *g, uint64_t gpa, size_t len);

/* Translates a 32-bit linear address through the guest's non-PAE page tables
   (CR3, CR4.PSE honoured); paging off means identity. false if not mapped. */
bool gmem_translate(const struct guest_mem *g, uint32_t cr0, uint32_t cr3, uint32_t cr4,
                    uint32_t va, uint64_t *gpa, bool *user, bool *writable);

/* Copies up to len bytes from linear address va; returns how many were readable
   (stops at the first unmapped page and at 4 GiB). */
size_t gmem_read_virt(const struct guest_mem *g, uint32_t cr0, uint32_t cr3, uint32_t cr4,
                      uint32_t va, void *out, size_t len);

/* Copies guest-physical [gpa, gpa+len) to out and returns true, or returns false
   having written nothing when any of it is outside memory. */
bool gmem_read_phys(const struct guest_mem *g, uint64_t gpa, void *out, size_t len);

/* Translates va through the view; false if not mapped (for a user view: or supervisor-only). */
bool gview_translate(const struct guest_view *v, uint32_t va, uint64_t *gpa);

/* Copies [va, va+len) to out and returns true, or returns false having written
   nothing when any byte of it is unmapped, outside memory or past 4 GiB. */
bool gview_read(const struct guest_view *v, uint32_t va, void *out, size_t len);

/* Copies the readable prefix of [va, va+len) to out and returns its length. */
size_t gview_read_some(const struct guest_view *v, uint32_t va, void *out, size_t len);

/* The little-endian word at va, all or nothing, as gview_read. */
bool gview_read_u32(const struct guest_view *v, uint32_t va, uint32_t *out);

/* The only write: replaces guest-physical [gpa, gpa+len) with bytes, first saving
   what was there in old (unless NULL); false, with nothing changed, when any of
   it is outside memory. */
bool gmem_patch(const struct guest_mem *g, uint64_t gpa, const void *bytes, void *old, size_t len);

#endif
