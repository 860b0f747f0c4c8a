/* A kernel that triple-faults: #UD with no IDT. */
#include "multiboot.inc"
    .text
    .globl _start
_start:
    ud2
