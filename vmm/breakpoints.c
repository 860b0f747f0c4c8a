/* Execution breakpoints: debug registers, or patched instructions with single-step. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <ntvisor/abi.h>
#include "guest_mem.h"
#include "breakpoints.h"

#define EFLAGS_RF       0x10000u
#define OUT_IMM8_AL     0xE6

static bool is_hw(const struct breakpoints *b, int slot)
{
    return b->mech == BP_HARDWARE && slot < BP_HW_SLOTS;
}

void bp_init(struct breakpoints *b, enum bp_mechanism mech)
{
    memset(b, 0, sizeof(*b));
    b->mech = mech;
    b->stepping = -1;
}

void bp_set(struct breakpoints *b, int slot, uint32_t addr)
{
    if (slot < 0 || slot >= BP_SLOTS)
        return;
    b->slot[slot].used = addr != 0;
    b->slot[slot].addr = addr;
}

int bp_free_patch_slot(const struct breakpoints *b)
{
    for (int i = BP_HW_SLOTS; i < BP_SLOTS; i++)
        if (!b->slot[i].used && !b->slot[i].patched && i != b->stepping)
            return i;
    return -1;
}

/*
 * The flags of a single step. An interrupt delivered mid-step would run its
 * handler first, save the step's TF in its frame and leave a pending step
 * behind a second patch hit; KVM can hold interrupts off for the step.
 */
static uint32_t step_control(struct breakpoints *b, struct kvm_vm *vm)
{
    if (!b->step_control) {
        int allowed = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);
        b->step_control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
        if (allowed > 0 && (allowed & KVM_GUESTDBG_BLOCKIRQ))
            b->step_control |= KVM_GUESTDBG_BLOCKIRQ;
    }
    return b->step_control;
}

/* KVM_SET_GUEST_DEBUG with the hardware slots, and single-step if asked. */
static int program_debug(struct breakpoints *b, struct kvm_vm *vm, bool singlestep, char *err, size_t errlen)
{
    struct kvm_guest_debug dbg;
    memset(&dbg, 0, sizeof(dbg));
    if (b->mech == BP_HARDWARE) {
        dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
        for (int i = 0; i < BP_HW_SLOTS; i++) {
            if (!b->slot[i].used)
                continue;
            dbg.arch.debugreg[i] = b->slot[i].addr;
            dbg.arch.debugreg[7] |= 1ull << (i * 2);   /* Li; R/Wi = 00 (execute), LENi = 00 */
        }
    }
    if (singlestep)
        dbg.control |= step_control(b, vm);
    /* a step is armed at the vCPU's RIP: a RIP moved back over a patch must be in first */
    if ((singlestep && kvm_exit_regs_flush(vm) < 0) ||
        kvm_vcpu_ioctl(vm, KVM_IOC_SET_GUEST_DEBUG, KVM_SET_GUEST_DEBUG, &dbg) < 0) {
        snprintf(err, errlen, "KVM_SET_GUEST_DEBUG: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Restores the guest's bytes of a patched slot. */
static void unpatch(struct kvm_vm *vm, struct bp_slot *s)
{
    if (!s->patched)
        return;
    struct guest_mem g = gmem_of(vm);
    gmem_patch(&g, s->gpa, s->saved, NULL, sizeof(s->saved));
    s->patched = false;
}

static int patch(struct kvm_vm *vm, struct bp_slot *s, char *err, size_t errlen)
{
    static const uint8_t out_to_port[2] = { OUT_IMM8_AL, NTV_PORT_BREAKPOINT };
    const struct kvm_sregs *sr = kvm_exit_sregs(vm);
    struct guest_mem g = gmem_of(vm);
    uint64_t gpa;
    if (!sr || !gmem_translate(&g, (uint32_t)sr->cr0, (uint32_t)sr->cr3, (uint32_t)sr->cr4, s->addr, &gpa, NULL, NULL) ||
        (s->addr & 0xFFF) == 0xFFF || !gmem_patch(&g, gpa, out_to_port, s->saved, sizeof(out_to_port))) {
        snprintf(err, errlen, "cannot patch a breakpoint at %08x: not mapped", s->addr);
        return -1;
    }
    s->gpa = gpa;
    s->patched_addr = s->addr;
    s->patched = true;
    return 0;
}

int bp_apply(struct breakpoints *b, struct kvm_vm *vm, char *err, size_t errlen)
{
    for (int i = 0; i < BP_SLOTS; i++) {
        struct bp_slot *s = &b->slot[i];
        if (is_hw(b, i))
            continue;
        if (s->patched && (!s->used || s->patched_addr != s->addr))
            unpatch(vm, s);
        if (s->used && !s->patched && i != b->stepping && patch(vm, s, err, errlen) < 0)
            return -1;
    }
    return program_debug(b, vm, b->stepping >= 0, err, errlen);
}

static int find_patched(const struct breakpoints *b, uint32_t addr)
{
    for (int i = 0; i < BP_SLOTS; i++)
        if (b->slot[i].used && b->slot[i].patched && b->slot[i].addr == addr)
            return i;
    return -1;
}


enum bp_event bp_classify(struct breakpoints *b, struct kvm_vm *vm, int *slot)
{
    struct kvm_run *run = vm->run;
    char err[128];

    if (run->exit_reason == KVM_EXIT_DEBUG && b->stepping >= 0) {
        /* the instruction under a patch has run: put the patch back */
        int i = b->stepping;
        b->stepping = -1;
        *slot = i;
        if (b->slot[i].used)
            patch(vm, &b->slot[i], err, sizeof(err));
        program_debug(b, vm, false, err, sizeof(err));
        return BP_STEPPED;
    }
    if (run->exit_reason == KVM_EXIT_DEBUG && b->mech == BP_HARDWARE) {
        uint32_t dr6 = (uint32_t)run->debug.arch.dr6;
        for (int i = 0; i < BP_HW_SLOTS; i++) {
            if (b->slot[i].used && ((dr6 & (1u << i)) || b->slot[i].addr == (uint32_t)run->debug.arch.pc)) {
                *slot = i;
                b->hits++;
                return BP_HIT;
            }
        }
        return BP_NONE;
    }
    if (run->exit_reason == KVM_EXIT_IO && run->io.port == NTV_PORT_BREAKPOINT &&
        run->io.direction == KVM_EXIT_IO_OUT) {
        /* KVM finishes the OUT on the next entry: let it, without running the guest
           (immediate_exit), so that moving RIP back is not undone */
        run->immediate_exit = 1;
        kvm_run_vcpu(vm);
        run->immediate_exit = 0;
        struct kvm_regs *r = kvm_exit_regs(vm);
        if (!r)
            return BP_NONE;
        int i = find_patched(b, (uint32_t)r->rip - 2);
        if (i < 0)
            return BP_NONE;   /* not ours: the guest itself wrote to the port */
        r->rip = (uint32_t)r->rip - 2;
        kvm_exit_regs_changed(vm);
        *slot = i;
        b->hits++;
        return BP_HIT;
    }
    return BP_NONE;
}

int bp_step_over(struct breakpoints *b, struct kvm_vm *vm, int slot, char *err, size_t errlen)
{
    if (is_hw(b, slot)) {
        /* RF suppresses the instruction breakpoint for exactly one instruction; it reaches
           the vCPU with the next KVM_RUN (no ioctl of its own where KVM syncs registers) */
        struct kvm_regs *r = kvm_exit_regs(vm);
        if (!r) {
            snprintf(err, errlen, "KVM_GET_REGS: %s", strerror(errno));
            return -1;
        }
        r->rflags |= EFLAGS_RF;
        kvm_exit_regs_changed(vm);
        return 0;
    }
    unpatch(vm, &b->slot[slot]);
    b->stepping = slot;
    return program_debug(b, vm, true, err, errlen);
}

void bp_drop(struct breakpoints *b, struct kvm_vm *vm, int slot)
{
    if (slot < 0 || slot >= BP_SLOTS || is_hw(b, slot))
        return;
    unpatch(vm, &b->slot[slot]);
    b->slot[slot].used = false;
}

void bp_remove_all(struct breakpoints *b, struct kvm_vm *vm)
{
    for (int i = 0; i < BP_SLOTS; i++)
        unpatch(vm, &b->slot[i]);
}

static bool hw_armed(const struct breakpoints *b)
{
    for (int i = 0; i < BP_HW_SLOTS; i++)
        if (is_hw(b, i) && b->slot[i].used)
            return true;
    return false;
}

int bp_single_step(struct breakpoints *b, struct kvm_vm *vm, bool on, char *err, size_t errlen)
{
    if (hw_armed(b))
        return program_debug(b, vm, on, err, errlen);
    /* nothing but the step: KVM_GUESTDBG_USE_HW_BP would hide the guest's own
       debug registers and take its #DB exceptions from it */
    struct kvm_guest_debug dbg;
    memset(&dbg, 0, sizeof(dbg));
    dbg.control = on ? step_control(b, vm) : 0;
    if ((on && kvm_exit_regs_flush(vm) < 0) ||
        kvm_vcpu_ioctl(vm, KVM_IOC_SET_GUEST_DEBUG, KVM_SET_GUEST_DEBUG, &dbg) < 0) {
        snprintf(err, errlen, "KVM_SET_GUEST_DEBUG: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void bp_guest_bytes(const struct breakpoints *b, uint32_t va, uint8_t *buf, size_t len)
{
    for (int i = 0; i < BP_SLOTS; i++) {
        const struct bp_slot *s = &b->slot[i];
        for (unsigned k = 0; s->patched && k < sizeof(s->saved); k++)
            if (s->patched_addr + k >= va && s->patched_addr + k - va < len)
                buf[s->patched_addr + k - va] = s->saved[k];
    }
}
