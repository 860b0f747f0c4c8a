/* bigbss: a program larger than a 16 MiB guest can hold; the kernel cannot create its process. */
#include <ntapi.h>

static char Big[24 << 20];

int main(int argc, char **argv)
{
    (void)argv;
    Big[argc] = 1;
    return Big[1];
}
