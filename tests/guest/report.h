/*
 * For the guest test programs: one line per check, "<check> <NTSTATUS hex>
 * <NTSTATUS name>", and INT 2Eh issued in the program itself (not through
 * SharedUserData) with EDX, the argument block, chosen by the caller.
 */
#ifndef NTVISOR_TEST_GUEST_REPORT_H
#define NTVISOR_TEST_GUEST_REPORT_H

static inline void Report(const char *Check, NTSTATUS Status)
{
    printf("%s 0x%08X %s\n", Check, (unsigned)Status, RtlNtStatusName(Status));
}

static inline NTSTATUS RawInt2e(ULONG Service, PVOID Arguments)
{
    NTSTATUS status;
    __asm__ volatile("int $0x2e" : "=a"(status) : "a"(Service), "d"(Arguments) : "ecx", "memory");
    return status;
}

#endif
