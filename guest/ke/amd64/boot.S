/*
 * Multiboot entry of the amd64 kernel. Runs in 32-bit protected mode at its
 * physical address with paging off, as Multiboot leaves it; builds the boot
 * page tables (an identity map of the first GiB for this code, KSEG0 at
 * 0xFFFFF800'00000000 over the same 2 MiB pages, the PML4 self-map at entry
 * 0x1ED), enters long mode and jumps to KiSystemStartup in the kernel's own
 * range with the Multiboot magic and information in RCX and RDX.
 */
#include <nt/layout.h>
#include "../../inc/amd64.h"

#define MULTIBOOT_MAGIC   0x1BADB002
#define MULTIBOOT_FLAGS   0x00000003   /* page-aligned modules, memory info */
#define KI_INITIAL_STACK_SIZE 0x8000
#define PHYS(x)           ((x) - MM_KSEG0_BASE)
#define PXE_INDEX(va)     (((va) >> 39) & 0x1FF)

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
    mov %eax, %esi                      /* multiboot magic */
    mov %ebx, %ebp                      /* multiboot info (physical); no stack yet */

    /* clear the four boot tables: PML4, the identity PDPT, KSEG0's PDPT, the PD */
    mov $KiBootPml4, %ebx
    mov %ebx, %edi
    xor %eax, %eax
    mov $(4 * 1024), %ecx
    rep stosl

    /* PD: 512 x 2 MiB = physical 0..1 GiB, shared by the identity map and KSEG0 */
    lea 0x3000(%ebx), %edx
    xor %ecx, %ecx
    mov $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
1:  mov %eax, (%edx, %ecx, 8)
    add $0x200000, %eax
    inc %ecx
    cmp $512, %ecx
    jb 1b

    lea 0x3000 + PTE_PRESENT + PTE_WRITE(%ebx), %eax
    mov %eax, 0x1000(%ebx)              /* identity PDPT[0] -> PD */
    mov %eax, 0x2000(%ebx)              /* KSEG0 PDPT[0] -> PD */
    lea 0x1000 + PTE_PRESENT + PTE_WRITE(%ebx), %eax
    mov %eax, (%ebx)                    /* PML4[0]: identity */
    lea 0x2000 + PTE_PRESENT + PTE_WRITE(%ebx), %eax
    mov %eax, PXE_INDEX(MM_KSEG0_BASE) * 8(%ebx)
    lea PTE_PRESENT + PTE_WRITE(%ebx), %eax
    mov %eax, AMD64_PXE_SELFMAP_INDEX * 8(%ebx)

    /* long mode: PAE, the PML4, EFER.LME, then paging */
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov %ebx, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    or $(CR0_PG | CR0_WP), %eax
    mov %eax, %cr0

    lgdt KiBootGdtr
    ljmp $KGDT64_R0_CODE, $KiBoot64

    .code64
KiBoot64:
    mov $KGDT64_R0_DATA, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    movabs $KiBootHigh, %rax
    jmp *%rax

    .section .boot.data, "aw"
    .align 16
KiBootGdt:
    .quad 0
    .quad 0
    .quad 0x00209A0000000000            /* 0x10: 64-bit ring-0 code */
    .quad 0x0000920000000000            /* 0x18: ring-0 data */
KiBootGdtr:
    .word KiBootGdtr - KiBootGdt - 1
    .long KiBootGdt

    .align 4096
KiBootPml4:
    .skip 4 * 4096

    .text
KiBootHigh:
    movabs $(KiInitialStack + KI_INITIAL_STACK_SIZE), %rsp
    mov %esi, %ecx                      /* KiSystemStartup(Magic, InfoPhysical): the x64 convention */
    mov %ebp, %edx
    xor %ebp, %ebp
    sub $0x20, %rsp                     /* home space; the call leaves RSP 8 below 16 as the callee expects */
    movabs $KiSystemStartup, %rax
    call *%rax
1:  cli
    hlt
    jmp 1b

    .bss
    .align 4096
    .globl KiInitialStack
KiInitialStack:
    .skip KI_INITIAL_STACK_SIZE
    .globl KiInitialStackTop
KiInitialStackTop:
