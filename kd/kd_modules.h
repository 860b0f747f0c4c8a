/*
 * The kernel's loaded-module list, read from guest memory when kd stops:
 * PsLoadedModuleList, a LIST_ENTRY of KLDR_DATA_TABLE_ENTRY at NT's i386
 * offsets (ntoskrnl first, then each driver the kernel loaded and
 * relocated). kd adds each driver as a module, with the symbols of the
 * --driver file of that name rebased to where the kernel put it.
 *
 * The list is guest memory: every pointer is read through the kd_target
 * (vmm/guest_mem.h's door underneath), the walk is bounded and stops at a
 * cycle, and names are copied as printable ASCII of bounded length.
 */
#ifndef NTVISOR_KD_MODULES_H
#define NTVISOR_KD_MODULES_H

#include <stddef.h>
#include <stdint.h>
#include "kd.h"

/* KLDR_DATA_TABLE_ENTRY (i386) */
#define KLDR_IN_LOAD_ORDER_LINKS  0x00
#define KLDR_DLL_BASE             0x18
#define KLDR_ENTRY_POINT          0x1C
#define KLDR_SIZE_OF_IMAGE        0x20
#define KLDR_FULL_DLL_NAME        0x24   /* UNICODE_STRING: Length, MaximumLength, Buffer */
#define KLDR_BASE_DLL_NAME        0x2C
#define KLDR_ENTRY_SIZE           0x34   /* what the walker reads of each entry */

#define KD_MAX_LDR_MODULES        64     /* entries walked at most: a longer list is cut */
#define KD_LDR_NAME_MAX           63     /* characters kept of BaseDllName */

struct kd_ldr_module {
    uint32_t entry_va;                   /* the KLDR_DATA_TABLE_ENTRY itself */
    uint32_t dll_base, entry_point, size_of_image;
    char base_name[KD_LDR_NAME_MAX + 1]; /* "ntzw.sys"; characters outside printable ASCII are '?' */
};

/* Walks the list whose head (a LIST_ENTRY) is at head, in load order, into out
   (at most max entries): it stops at the head, at an unreadable entry, and at
   an entry seen before. Returns the count, or -1 if the head is unreadable. */
int kd_walk_loaded_modules(const struct kd_target *t, uint32_t head, struct kd_ldr_module *out, size_t max);

/* Adds each driver of nt!PsLoadedModuleList that t does not have yet: a
   module named after BaseDllName without ".sys", [DllBase, DllBase+SizeOfImage),
   with the symbols of the file among drivers[0..n) of that name, rebased.
   No such list in the kernel (its symbols lack it, or it is unreadable): no
   change. Returns how many modules were added. */
int kd_add_driver_modules(struct symtab *syms, const struct kd_target *t, const char *const *drivers, int n);

#endif
