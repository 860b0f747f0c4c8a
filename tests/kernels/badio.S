/* A kernel that touches a port no device answers. */
#include "multiboot.inc"
    .text
    .globl _start
_start:
    mov $0x1234, %dx
    mov $0x55, %al
    out %al, %dx
    hlt
