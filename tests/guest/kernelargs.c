/*
 * kernelargs <int2e|fast>: system calls from ring 3 whose argument block, or
 * a structure an argument points at, lies in a supervisor-only page (KSEG0).
 * The kernel refuses each with STATUS_ACCESS_VIOLATION; a tracer reading on
 * the caller's behalf must find them unreadable too.
 *
 *   int2e  INT 2Eh with EDX at a kernel address, then pointers into the kernel
 *          for NtQuerySystemTime and NtDisplayString; prints each status.
 *   fast   the instruction SharedUserData's stub uses (SYSENTER or SYSCALL),
 *          issued here with EDX at a kernel address. The kernel returns through
 *          the stub's RET with the caller's ESP := EDX, so that RET faults in
 *          ring 3 and the process ends with STATUS_ACCESS_VIOLATION.
 */
#define WIN32_NO_STATUS   /* the STATUS_ codes come from <ntstatus.h>, not <winnt.h> */
#include <windef.h>
#include <winternl.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include "../../examples/lib/ntnative.h"
#include "report.h"

#define KERNEL_ADDRESS    ((PVOID)0x80100000)   /* ntoskrnl's image in KSEG0: present, supervisor-only */
#define SERVICE_NT_CLOSE  0x19                  /* NtClose in XP SP1's KiServiceTable: 4 argument bytes */
#define SYSTEM_CALL_STUB  ((const UCHAR *)0x7FFE0300)

/* SYSENTER or SYSCALL as the stub (mov edx, esp; <insn>; ret) has it; INT 2Eh stubs have no fast one. */
static int FastSystemCall(ULONG Service, PVOID Arguments)
{
    const UCHAR *insn = SYSTEM_CALL_STUB + 2;
    if (SYSTEM_CALL_STUB[0] != 0x8B || insn[0] != 0x0F) {
        printf("kernelargs: the stub has no fast system call\n");
        return 97;
    }
    printf("kernelargs: %s with the arguments at %p\n", insn[1] == 0x34 ? "sysenter" : "syscall", Arguments);
    if (insn[1] == 0x34)
        __asm__ volatile("sysenter" : : "a"(Service), "d"(Arguments) : "ecx", "memory");
    else
        __asm__ volatile(".byte 0x0f, 0x05" : : "a"(Service), "d"(Arguments) : "ecx", "memory");   /* syscall */
    printf("kernelargs: survived\n");
    return 98;
}

int main(int argc, char **argv)
{
    const char *kind = argc > 1 ? argv[1] : "";
    if (!strcmp(kind, "fast"))
        return FastSystemCall(SERVICE_NT_CLOSE, KERNEL_ADDRESS);
    if (strcmp(kind, "int2e")) {
        printf("kernelargs: unknown kind\n");
        return 99;
    }
    Report("int2e(args-in-kernel)", RawInt2e(SERVICE_NT_CLOSE, KERNEL_ADDRESS));
    Report("NtQuerySystemTime(kernel)", NtQuerySystemTime(KERNEL_ADDRESS));
    Report("NtDisplayString(kernel)", NtDisplayString(KERNEL_ADDRESS));
    UNICODE_STRING s;
    s.Length = s.MaximumLength = 8;
    s.Buffer = KERNEL_ADDRESS;
    Report("NtDisplayString(kernel-buffer)", NtDisplayString(&s));
    return 0;
}
