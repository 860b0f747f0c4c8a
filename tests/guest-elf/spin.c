/* spin: never ends; for the --timeout watchdog. */
#include <ntapi.h>

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("spin: spinning\n");
    for (;;)
        NtYieldExecution();
}
