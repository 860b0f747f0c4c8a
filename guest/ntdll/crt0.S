/*
 * Process entry. The kernel starts the first thread here with [esp] = 0 and
 * [esp+4] = the PEB; RtlpProcessStart never returns.
 */
    .text
    .globl NtProcessStartup
    .type NtProcessStartup, @function
NtProcessStartup:
    xor %ebp, %ebp
    jmp RtlpProcessStart             /* its return address is the 0 */

/*
 * NTSTATUS RtlSystemCall(ULONG ServiceNumber, ...): what an ntdll stub does,
 * for any service number. With our return address set aside, the number's
 * slot stands where a stub's caller's return address would be, so
 * SystemCallStub finds the arguments where it expects them.
 */
    .globl RtlSystemCall
    .type RtlSystemCall, @function
RtlSystemCall:
    popl RtlpSystemCallReturn
    mov (%esp), %eax
    mov $0x7FFE0300, %edx
    call *%edx
    pushl RtlpSystemCallReturn
    ret

    .bss
    .align 4
RtlpSystemCallReturn:
    .long 0
