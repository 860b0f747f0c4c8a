/* A kernel that says one line and halts with interrupts off. */
#include "multiboot.inc"
    .text
    .globl _start
_start:
    mov $msg, %esi
1:  lodsb
    test %al, %al
    jz 2f
    mov $0x3F8, %dx
    out %al, %dx
    jmp 1b
2:  cli
    hlt
    .section .rodata
msg: .asciz "halt: stopping\n"
