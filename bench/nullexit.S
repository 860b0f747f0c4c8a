/*
 * nullexit: a Multiboot kernel that measures the cheapest VM exit there is.
 * It calibrates the TSC against PIT channel 2 (10 ms, as guest/hal/clock.c
 * does for the performance counter), executes N 1-byte OUTs to the null port
 * (NTV_PORT_NULL, which the monitor accepts and ignores), timing the loop
 * with RDTSC, prints
 *
 *   nullexit: exits=N cycles=C tsc_hz=F
 *
 * on COM1 and exits through the exit port with status 0.
 *
 * N comes from the command line of Multiboot module 1 (the program's: with
 * `ntvisor run --kernel=nullexit.elf <program> N`, the word after the
 * program's name); default 100000.
 */
#include "../tests/kernels/multiboot.inc"
    .if 0   /* abi.h is a C header: only its macros are wanted here, any C in it is skipped */
#include <ntvisor/abi.h>
    .endif

#define DEFAULT_EXITS  100000
#define MAX_EXITS      400000000
#define PIT_TICKS      11931           /* 1193182 Hz / 100: 10 ms */
#define MB_INFO_MODS   0x8

    .text
    .globl _start
_start:
    cli
    mov $stack_top, %esp
    mov %ebx, %ebp                      /* the multiboot_info */
    call parse_count
    mov %ecx, exits

    /* TSC ticks over 10 ms of PIT channel 2, gated through port 0x61 */
    in $0x61, %al
    mov %al, gate
    and $0xFD, %al                      /* speaker off */
    or $0x01, %al                       /* gate on */
    out %al, $0x61
    mov $0xB0, %al                      /* channel 2, lo/hi, mode 0 */
    out %al, $0x43
    mov $(PIT_TICKS & 0xFF), %al
    out %al, $0x42
    mov $(PIT_TICKS >> 8), %al
    out %al, $0x42
    rdtsc
    mov %eax, t0
    mov %edx, t0 + 4
    mov $50000000, %esi
1:  in $0x61, %al
    test $0x20, %al                     /* OUT2: the count reached zero */
    jnz 2f
    dec %esi
    jnz 1b
2:  rdtsc
    sub t0, %eax
    sbb t0 + 4, %edx
    mov %edx, %ecx                      /* hz = ticks * 100 */
    mov $100, %ebx
    mul %ebx
    imul $100, %ecx, %ecx
    add %ecx, %edx
    mov %eax, hz
    mov %edx, hz + 4
    mov gate, %al
    out %al, $0x61

    /* the null exits */
    mov exits, %ecx
    rdtsc
    mov %eax, t0
    mov %edx, t0 + 4
    .balign 16
3:  out %al, $NTV_PORT_NULL
    dec %ecx
    jnz 3b
    rdtsc
    sub t0, %eax
    sbb t0 + 4, %edx
    mov %eax, cycles
    mov %edx, cycles + 4

    mov $msg_exits, %esi
    call puts
    mov exits, %eax
    xor %edx, %edx
    call put_u64
    mov $msg_cycles, %esi
    call puts
    mov cycles, %eax
    mov cycles + 4, %edx
    call put_u64
    mov $msg_hz, %esi
    call puts
    mov hz, %eax
    mov hz + 4, %edx
    call put_u64
    mov $'\n', %al
    call putc

    mov $NTV_PORT_EXIT, %dx
    mov $NTV_EXIT_VALUE(NTV_EXIT_KIND_PROCESS, 0), %eax
    out %eax, %dx
4:  hlt
    jmp 4b

/* ECX := the number after the first word of module 1's command line, or DEFAULT_EXITS. */
parse_count:
    mov $DEFAULT_EXITS, %ecx
    testl $MB_INFO_MODS, 0(%ebp)
    jz 9f
    cmpl $2, 20(%ebp)                   /* mods_count */
    jb 9f
    mov 24(%ebp), %esi                  /* mods_addr */
    mov 16 + 8(%esi), %esi              /* module 1's string */
    test %esi, %esi
    jz 9f
1:  lodsb                               /* skip the program's name */
    test %al, %al
    jz 9f
    cmp $' ', %al
    jne 1b
2:  lodsb                               /* and the blanks after it */
    cmp $' ', %al
    je 2b
    xor %edx, %edx
3:  sub $'0', %al
    cmp $9, %al
    ja 4f
    cmp $(MAX_EXITS / 10), %edx
    ja 9f
    imul $10, %edx, %edx
    movzbl %al, %eax
    add %eax, %edx
    lodsb
    jmp 3b
4:  add $'0', %al                       /* the number must end the word */
    test %al, %al
    jz 5f
    cmp $' ', %al
    jne 9f
5:  test %edx, %edx
    jz 9f
    mov %edx, %ecx
9:  ret

/* COM1 output: putc (AL), puts (ESI, NUL-terminated), put_u64 (EDX:EAX in decimal). */
putc:
    push %edx
    mov $NTV_COM1_THR, %dx
    out %al, %dx
    pop %edx
    ret

puts:
    lodsb
    test %al, %al
    jz 1f
    call putc
    jmp puts
1:  ret

put_u64:
    mov $digits_end, %edi
    mov $10, %ebx
1:  mov %eax, %esi                      /* low half */
    mov %edx, %eax
    xor %edx, %edx
    div %ebx                            /* high / 10 */
    mov %eax, %ecx
    mov %esi, %eax
    div %ebx                            /* (high % 10 : low) / 10, remainder = the digit */
    add $'0', %dl
    dec %edi
    mov %dl, (%edi)
    mov %ecx, %edx
    mov %eax, %esi
    or %edx, %esi
    jnz 1b
2:  cmp $digits_end, %edi
    je 3f
    mov (%edi), %al
    call putc
    inc %edi
    jmp 2b
3:  ret

    .section .rodata
msg_exits:  .asciz "nullexit: exits="
msg_cycles: .asciz " cycles="
msg_hz:     .asciz " tsc_hz="

    .section .bss
    .balign 16
stack:      .skip 4096
stack_top:
t0:         .skip 8
hz:         .skip 8
cycles:     .skip 8
exits:      .skip 4
gate:       .skip 4
digits:     .skip 24
digits_end:
