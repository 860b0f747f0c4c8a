/*
 * The guest's numbers for tests/ddk/layout.def, asm-offsets style: compiled
 * with the guest kernel's flags to assembly, where each line "->NAME value"
 * becomes "#define NAME value" in build/gen/guest-offsets.h (mk/ddk-layout.mk).
 */
#include "../../guest/inc/iop.h"

#define EMIT(name, value) __asm__ volatile("\n->" #name " %c0" : : "i"(value))
#define SIZE(type)               EMIT(GUEST_SIZEOF_##type, sizeof(type));
#define FIELD(type, member, name) EMIT(GUEST_OFFSETOF_##type##_##name, offsetof(type, member));

void GuestOffsets(void);
void GuestOffsets(void)
{
#include "layout.def"
}
