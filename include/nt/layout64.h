/*
 * The guest's address space as NT lays it out on amd64 (Windows 7's x64
 * layout). Shared by the amd64 guest kernel, the monitor and the tracer; the
 * names carry AMD64_ so that host code can use both layouts side by side. The
 * amd64 kernel is built with _M_AMD64, and nt/layout.h then gives the generic
 * names (MM_USER_PROBE_ADDRESS, ...) these values.
 */
#ifndef NT_LAYOUT64_H
#define NT_LAYOUT64_H

#define AMD64_SYSTEM_RANGE_START    0xFFFF080000000000  /* MmSystemRangeStart */
#define AMD64_KSEG0_BASE            0xFFFFF80000000000  /* physical memory mapped from here; the kernel
                                                           image sits in it, at NT's 0xFFFFF800'0xxxxxxx */
#define AMD64_USER_PROBE_ADDRESS    0x000007FFFFFF0000  /* MmUserProbeAddress */
#define AMD64_HIGHEST_USER_ADDRESS  0x000007FFFFFEFFFF
#define AMD64_SHARED_USER_DATA_VA   0x000000007FFE0000  /* KUSER_SHARED_DATA, user read-only view */
#define AMD64_KI_USER_SHARED_DATA   0xFFFFF78000000000  /* the same page, kernel writable view */
#define AMD64_PEB_ADDRESS           0x000007FFFFFDF000
#define AMD64_TEB_ADDRESS           0x000007FFFFFDE000

/* Page tables, self-mapped through PML4 entry 0x1ED as on NT before Windows 10 1607. */
#define AMD64_PXE_SELFMAP_INDEX     0x1ED
#define AMD64_PTE_BASE              0xFFFFF68000000000
#define AMD64_PDE_BASE              0xFFFFF6FB40000000
#define AMD64_PPE_BASE              0xFFFFF6FB7DA00000
#define AMD64_PXE_BASE              0xFFFFF6FB7DBED000

#define AMD64_NTDLL_BASE            0x0000000077F50000
#define AMD64_IMAGE_BASE            0x0000000140000000  /* x64 programs (the linkers' default) */
#define AMD64_SYSTEM_DRIVER_START   0xFFFFF88000000000  /* boot drivers, as on NT x64 */
#define AMD64_SYSTEM_DRIVER_END     0xFFFFF88008000000

/*
 * SharedUserData: from Windows 10 1511 on, ntdll's stubs test this byte's
 * bit 0 and take INT 2Eh instead of SYSCALL when it is set.
 */
#define AMD64_USER_SHARED_SYSTEM_CALL 0x308

/*
 * System-service dispatch on amd64: EAX bits 0-11 the index, bits 12-13 the
 * table; a descriptor is 0x20 bytes (Base, Count, Limit, Number), so
 * (eax >> 7) & 0x20 is the table's offset. Each KiServiceTable entry is a
 * LONG, (Routine - KiServiceTable) << 4 | the arguments passed on the stack.
 */
#define AMD64_SERVICE_TABLE_SHIFT   7
#define AMD64_SERVICE_TABLE_MASK    0x20
#define AMD64_KSERVICE_TABLE_DESCRIPTOR_LENGTH 0x20
#define AMD64_SERVICE_ARGS_BITS     4
#define AMD64_SERVICE_REGISTER_ARGS 4      /* RCX (R10 at the SYSCALL), RDX, R8, R9 */
#define AMD64_SERVICE_STACK_ARGS    0x28   /* the fifth argument: [RSP+0x28] at the SYSCALL
                                              (return address and the four home slots below) */
#define AMD64_KTSS_RSP0             0x04   /* KTSS64.Rsp0 */

#endif
