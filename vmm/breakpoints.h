/*
 * Execution breakpoints on guest kernel code, from outside the guest.
 * Hardware: the debug registers through KVM_SET_GUEST_DEBUG (slots 0-3 of a
 * hardware set). Patch: `out 0xF8, al` written over the instruction; after
 * the exit the guest's bytes are restored, the instruction single-stepped,
 * and the patch put back. The guest never sees either. A patch is two bytes:
 * it may only cover instructions at least that long (the caller's duty).
 */
#ifndef NTVISOR_BREAKPOINTS_H
#define NTVISOR_BREAKPOINTS_H

#include <stdbool.h>
#include <stdint.h>
#include "kvm.h"

#define BP_SLOTS     128
#define BP_HW_SLOTS  4

enum bp_mechanism { BP_HARDWARE, BP_PATCH };

struct bp_slot {
    bool used;
    uint32_t addr;          /* linear address (kernel code: the same in every address space) */
    bool patched;
    uint32_t patched_addr;  /* the address the patch was written for */
    uint64_t gpa;           /* where the bytes were replaced */
    uint8_t saved[2];
};

struct breakpoints {
    enum bp_mechanism mech; /* of slots 0-3; slots 4 and up are always patches */
    struct bp_slot slot[BP_SLOTS];
    int stepping;           /* slot being single-stepped over, or -1 */
    uint32_t step_control;  /* KVM_SET_GUEST_DEBUG flags for a step; 0 until asked */
    uint64_t hits;
};

/* What an exit was, for the breakpoint layer. */
enum bp_event { BP_NONE, BP_HIT, BP_STEPPED };

void bp_init(struct breakpoints *b, enum bp_mechanism mech);
/* Sets or moves a slot (addr 0 clears it); takes effect at bp_apply. */
void bp_set(struct breakpoints *b, int slot, uint32_t addr);
/* A free slot of the patch kind, or -1. */
int bp_free_patch_slot(const struct breakpoints *b);
/* Programs the debug registers and (re)writes the patches. 0, or -1 with err. */
int bp_apply(struct breakpoints *b, struct kvm_vm *vm, char *err, size_t errlen);
/* Classifies the current exit; on BP_HIT, *slot is the breakpoint and the vCPU
   sits at its address (not yet executed); on BP_STEPPED, *slot's instruction
   has just been executed. */
enum bp_event bp_classify(struct breakpoints *b, struct kvm_vm *vm, int *slot);
/* After a BP_HIT was handled: arrange for the guest to execute the instruction. */
int bp_step_over(struct breakpoints *b, struct kvm_vm *vm, int slot, char *err, size_t errlen);
/* After a BP_HIT of a one-shot patch: remove it; the guest resumes at its address. */
void bp_drop(struct breakpoints *b, struct kvm_vm *vm, int slot);
/* Puts the guest's own bytes back into buf, a copy of [va, va+len) read while
   patches were in, so that code is decoded as the guest wrote it. */
void bp_guest_bytes(const struct breakpoints *b, uint32_t va, uint8_t *buf, size_t len);
/* Removes every patch (before the guest's memory is read or handed back). */
void bp_remove_all(struct breakpoints *b, struct kvm_vm *vm);
/* A debugger's single step (not while bp_step_over steps past a patch): on, every
   instruction from the next entry exits (KVM_EXIT_DEBUG), the hardware slots
   staying armed; off, the step ends, and with no hardware slot armed guest
   debugging is off altogether, so the guest's own #DB stays the guest's.
   A later bp_apply reprograms without the step. 0, or -1 with err. */
int bp_single_step(struct breakpoints *b, struct kvm_vm *vm, bool on, char *err, size_t errlen);

#endif
