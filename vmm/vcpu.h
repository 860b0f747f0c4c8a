/* vCPU state: the Multiboot hand-off, and the dump printed when a guest ends badly. */
#ifndef NTVISOR_VCPU_H
#define NTVISOR_VCPU_H

#include <stdint.h>
#include <stdio.h>
#include "kvm.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

/* 32-bit protected mode, flat segments, paging off, EAX = magic, EBX = info. */
int vcpu_setup_multiboot(struct kvm_vm *vm, uint32_t entry, uint32_t info_addr, char *err, size_t errlen);
/* Registers, segment state, control registers and the instruction bytes at EIP. */
void vcpu_dump(struct kvm_vm *vm, FILE *out);

#endif
