/*
 * The guest <-> monitor contract: I/O ports, exit codes, boot command line
 * and module order. Devices are I/O ports only; the same kernel image also
 * boots under `qemu-system-i386 -kernel` (isa-debug-exit at 0xF4).
 */
#ifndef NTVISOR_ABI_H
#define NTVISOR_ABI_H

/* COM1, enough of a 16550 for polled output. */
#define NTV_COM1_BASE        0x3F8
#define NTV_COM1_THR         (NTV_COM1_BASE + 0)   /* transmit holding register */
#define NTV_COM1_LSR         (NTV_COM1_BASE + 5)   /* line status register */
#define NTV_COM1_LSR_THRE    0x20                  /* transmitter empty */
#define NTV_COM1_LSR_TEMT    0x40

/*
 * Exit port (QEMU isa-debug-exit convention, 32-bit OUT). The value written:
 * bits 0-7 the status byte, bits 8-15 the kind of exit.
 */
#define NTV_PORT_EXIT            0xF4
#define NTV_EXIT_KIND_PROCESS    0   /* last process ended: byte = low byte of its NTSTATUS */
#define NTV_EXIT_KIND_BUGCHECK   1   /* KeBugCheckEx: byte = low byte of the bugcheck code */
#define NTV_EXIT_VALUE(kind, byte) ((((kind) & 0xFF) << 8) | ((byte) & 0xFF))

/*
 * Written (32-bit OUT) just before the exit port: the full NTSTATUS of the
 * process, or the full bugcheck code. Unassigned under QEMU, so ignored there.
 */
#define NTV_PORT_EXIT_DETAIL     0xF0

/*
 * Written by the tracer, never by the guest: when hardware breakpoints are
 * unavailable it patches `out 0xF8, al` over a traced instruction, restores
 * the guest's bytes after the exit and single-steps past them.
 */
#define NTV_PORT_BREAKPOINT      0xF8

/*
 * A port the monitor accepts and ignores (1-byte OUT): the cheapest exit to
 * the monitor there is, for benchmarks (bench/nullexit.S).
 */
#define NTV_PORT_NULL            0xF9

/*
 * The MSRs the kernel writes at boot and the tracer watches (KVM's MSR
 * filter traps the writes): SYSENTER's three, and EFER and the SYSCALL ones.
 */
#define MSR_SYSENTER_CS      0x174
#define MSR_SYSENTER_ESP     0x175
#define MSR_SYSENTER_EIP     0x176
#define MSR_EFER             0xC0000080
#define MSR_STAR             0xC0000081   /* SYSCALL EIP (31:0), SYSCALL CS (47:32), SYSRET CS (63:48) */
#define MSR_LSTAR            0xC0000082
#define MSR_CSTAR            0xC0000083
#define MSR_SFMASK           0xC0000084

/* Multiboot modules, in this order. */
#define NTV_MODULE_NTDLL     0   /* command line: the ntdll image name */
#define NTV_MODULE_PROGRAM   1   /* command line: program name and its arguments */
#define NTV_MODULE_COUNT_MIN 2
#define NTV_MODULE_FIRST_EXTRA 2  /* then any number of these, by command line: */
#define NTV_MODULE_FILE_WORD   "file "    /* "file NAME": a file of the RAM volume, \??\C:\NAME */
#define NTV_MODULE_DRIVER_WORD "driver "  /* "driver NAME": a boot driver, DriverEntry before the first process */
#define NTV_MODULE_SERVICES_WORD "services "  /* "services BUILD": that Windows build's service numbering */

/*
 * The "services" module: how the build numbers its services. Each entry
 * gives, for service number i, the slot of its name in the sorted union of
 * the service names of every build ntvisor knows (the order of ntdll's stubs
 * and of the kernel's KiServiceRoutines), and its argument bytes.
 */
#define NTV_SERVICES_MAGIC      "NTVSVC1"   /* 8 bytes with its NUL */
#define NTV_SERVICES_MAX        4096        /* the index is 12 bits wide */
#ifndef __ASSEMBLER__
struct ntv_services_header { char magic[8]; unsigned int count; };
struct ntv_services_entry { unsigned short slot; unsigned char argument_bytes; unsigned char reserved; };
#endif

/*
 * Kernel command line options (space-separated key=value):
 *   syscall=auto|int2e|sysenter   SharedUserData!SystemCallStub selection
 */
#define NTV_CMDLINE_SYSCALL  "syscall="

#endif
