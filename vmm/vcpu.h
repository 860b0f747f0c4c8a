/* vCPU state: the Multiboot hand-off, and the dump printed when a guest ends badly. */
#ifndef NTVISOR_VCPU_H
#define NTVISOR_VCPU_H

#include <stdint.h>
#include <stdio.h>
#include "kvm.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

/* 32-bit protected mode, flat segments, paging off, EAX = magic, EBX = info. */
int vcpu_setup_multiboot(struct kvm_vm *vm, uint32_t entry, uint32_t info_addr, char *err, size_t errlen);
/* The dump of vcpu_dump.h for this VM's vCPU, with the symbols of the kernel
   image at kernel_path (NULL or an image without symbols: none). */
void vcpu_dump(struct kvm_vm *vm, const char *kernel_path, FILE *out);

#endif
