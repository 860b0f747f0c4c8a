/*
 * Compiled with i686-w64-mingw32-gcc against mingw-w64's DDK headers: every
 * size and offset in layout.def must equal the guest's own (the numbers in
 * build/gen/guest-offsets.h, from offsets.c), or the build fails here.
 */
#include <ntifs.h>
#include "guest-offsets.h"

#define SIZE(type) _Static_assert(sizeof(type) == GUEST_SIZEOF_##type, "sizeof(" #type ") differs from the DDK's");
#define FIELD(type, member, name) \
    _Static_assert(offsetof(type, member) == GUEST_OFFSETOF_##type##_##name, \
                   "offsetof(" #type ", " #member ") differs from the DDK's");
#include "layout.def"
