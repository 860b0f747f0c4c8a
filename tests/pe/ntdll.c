/*
 * A stand-in ntdll.dll for the loader's tests (the real PE ntdll is built
 * from guest/ntdll/): two system-service stubs as ntdll has them, with
 * Windows XP SP1's numbers, exported undecorated (ntdll.def) with a
 * forwarder and an ordinal-only export, linked at ntdll's base.
 */
typedef long NTSTATUS;

__attribute__((naked)) NTSTATUS __stdcall NtDisplayString(void *String)
{
    (void)String;
    __asm__("mov $0x43, %eax\n\tmov $0x7FFE0300, %edx\n\tcall *%edx\n\tret $4");
}

__attribute__((naked)) NTSTATUS __stdcall NtTerminateProcess(void *Process, NTSTATUS Status)
{
    (void)Process;
    (void)Status;
    __asm__("mov $0x101, %eax\n\tmov $0x7FFE0300, %edx\n\tcall *%edx\n\tret $8");
}

int __stdcall NtvOrdinalOnly(void) { return 42; }
