/* bigbss: a program larger than a 16 MiB guest can hold; the kernel cannot create its process. */
#define WIN32_NO_STATUS   /* the STATUS_ codes come from <ntstatus.h>, not <winnt.h> */
#include <windef.h>
#include <winternl.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include "../../examples/lib/ntnative.h"

static char Big[24 << 20];

int main(int argc, char **argv)
{
    (void)argv;
    Big[argc] = 1;
    return Big[1];
}
