/*
 * faults <kind>: a ring-3 fault of the chosen kind. The kernel must end the
 * process with the matching NTSTATUS and stay up.
 */
#define WIN32_NO_STATUS   /* the STATUS_ codes come from <ntstatus.h>, not <winnt.h> */
#include <windef.h>
#include <winternl.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include "../../examples/lib/ntnative.h"

int main(int argc, char **argv)
{
    const char *kind = argc > 1 ? argv[1] : "";
    printf("faults: %s\n", kind);
    if (!strcmp(kind, "kernel-read"))
        return *(volatile int *)0x80100000;
    if (!strcmp(kind, "kernel-write"))
        *(volatile int *)0x80100000 = 1;
    else if (!strcmp(kind, "shared-write"))
        *(volatile int *)0x7FFE0000 = 1;
    else if (!strcmp(kind, "null"))
        return *(volatile int *)0;
    else if (!strcmp(kind, "cli"))
        __asm__ volatile("cli");
    else if (!strcmp(kind, "ud2"))
        __asm__ volatile("ud2");
    else if (!strcmp(kind, "int3"))
        __asm__ volatile("int3");
    else if (!strcmp(kind, "divide")) {
        volatile int zero = 0;
        return 100 / zero;
    } else {
        printf("faults: unknown kind\n");
        return 99;
    }
    printf("faults: survived\n");
    return 98;
}
