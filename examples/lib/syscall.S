/*
 * examples/lib, ours. NTSTATUS __cdecl RtlSystemCall(ULONG ServiceNumber, ...):
 * what an ntdll stub does, for any service number. With our return address
 * set aside, the number's slot stands where a stub's caller's return address
 * would be, so SystemCallStub (at SharedUserData+0x300) finds the arguments
 * where it expects them. EAX = the number; ECX and EDX are clobbered.
 */
    .text
    .globl _RtlSystemCall
_RtlSystemCall:
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
