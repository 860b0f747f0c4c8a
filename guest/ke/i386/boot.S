/*
 * Multiboot entry. Runs at its physical address with paging off; builds the
 * boot page directory (identity map of the first 4 MiB for this code, KSEG0,
 * and the page-table self-map at 0xC0000000), turns paging on and jumps to
 * KiSystemStartup in the kernel's own address range.
 */
#include <nt/layout.h>
#include "../../inc/i386.h"

#define MULTIBOOT_MAGIC   0x1BADB002
#define MULTIBOOT_FLAGS   0x00000003   /* page-aligned modules, memory info */
#define KSEG0_PDE_COUNT   128          /* 128 x 4 MiB = 512 MiB of KSEG0 */
#define KI_INITIAL_STACK_SIZE 0x4000
#define PHYS(x)           ((x) - MM_KSEG0_BASE)

    .section .multiboot, "a"
    .align 4
    .long MULTIBOOT_MAGIC
    .long MULTIBOOT_FLAGS
    .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

    .section .boot.text, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    /* no stack yet: Multiboot does not provide one */
    mov %eax, %esi                      /* multiboot magic */
    mov %ebx, %ebp                      /* multiboot info (physical) */

    /* clear the page directory */
    mov $PHYS(MmSystemPageDirectory), %ebx
    mov %ebx, %edi
    xor %eax, %eax
    mov $1024, %ecx
    rep stosl

    /* identity-map 0-4 MiB so this code survives turning paging on */
    movl $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), (%ebx)

    /* KSEG0: 0x80000000 + n -> physical n */
    xor %ecx, %ecx
    mov $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
1:  mov %eax, (MM_KSEG0_BASE >> 22) * 4(%ebx, %ecx, 4)
    add $0x400000, %eax
    inc %ecx
    cmp $KSEG0_PDE_COUNT, %ecx
    jb 1b

    /* self-map: the page directory is also the page table for 0xC0000000 */
    mov %ebx, %eax
    or $(PTE_PRESENT | PTE_WRITE), %eax
    mov %eax, (PTE_BASE >> 22) * 4(%ebx)

    mov %cr4, %eax
    or $CR4_PSE, %eax
    mov %eax, %cr4
    mov %ebx, %cr3
    mov %cr0, %eax
    or $(CR0_PG | CR0_WP), %eax
    mov %eax, %cr0

    mov $KiBootHigh, %eax
    jmp *%eax

    .text
KiBootHigh:
    mov $(KiInitialStack + KI_INITIAL_STACK_SIZE), %esp
    push %ebp                           /* multiboot info, physical */
    push %esi                           /* multiboot magic */
    xor %ebp, %ebp
    call KiSystemStartup
1:  cli
    hlt
    jmp 1b

    .bss
    .align 4096
    .globl MmSystemPageDirectory
MmSystemPageDirectory:
    .skip 4096
    .globl KiInitialStack
KiInitialStack:
    .skip KI_INITIAL_STACK_SIZE
    .globl KiInitialStackTop
KiInitialStackTop:
