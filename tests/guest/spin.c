/* spin: never ends; for the --timeout watchdog. */
#define WIN32_NO_STATUS   /* the STATUS_ codes come from <ntstatus.h>, not <winnt.h> */
#include <windef.h>
#include <winternl.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include "../../examples/lib/ntnative.h"

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("spin: spinning\n");
    for (;;)
        NtYieldExecution();
}
