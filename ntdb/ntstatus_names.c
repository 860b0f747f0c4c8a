#include <stddef.h>
#include <nt/ntstatus.h>
#include "ntstatus_names.h"

#define NAME(s) { (uint32_t)(s), #s },
static const struct { uint32_t value; const char *name; } names[] = { NTSTATUS_NAMES(NAME) };

const char *ntstatus_name(uint32_t status)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].value == status)
            return names[i].name;
    return NULL;
}
