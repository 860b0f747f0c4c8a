/*
 * System call table compaction, as NT x64 keeps KiServiceTable: each entry is
 * a LONG, (Routine - KiServiceTable) << 4 | StackArgs, where StackArgs counts
 * the arguments beyond the four passed in registers. The kernel encodes the
 * table at boot (KeCompactServiceTable); the tracer and kd decode it, with an
 * arithmetic shift back, so routines below the table work too. One definition
 * for the guest and the host.
 */
#ifndef NT_SVC_COMPACT_H
#define NT_SVC_COMPACT_H

#include <stdint.h>

#define SVC_COMPACT_ARG_BITS   4
#define SVC_COMPACT_ARG_MASK   0xFu
#define SVC_COMPACT_REG_ARGS   4u
/* the offsets an entry can hold: 28 bits, signed (+-128 MiB around the table) */
#define SVC_COMPACT_MIN_OFFSET (-(1ll << 27))
#define SVC_COMPACT_MAX_OFFSET ((1ll << 27) - 1)

/* The stack arguments of a service with argc arguments in all. */
static inline unsigned svc_compact_stack_args(unsigned argc)
{
    return argc > SVC_COMPACT_REG_ARGS ? argc - SVC_COMPACT_REG_ARGS : 0;
}

/* The entry for routine; 0 when it cannot be encoded (too far, or more than 15 stack arguments). */
static inline int svc_compact_encode(uint64_t table, uint64_t routine, unsigned stack_args, int32_t *entry)
{
    int64_t offset = (int64_t)(routine - table);
    if (offset < SVC_COMPACT_MIN_OFFSET || offset > SVC_COMPACT_MAX_OFFSET || stack_args > SVC_COMPACT_ARG_MASK)
        return 0;
    *entry = (int32_t)(uint32_t)(((uint64_t)offset << SVC_COMPACT_ARG_BITS) | stack_args);
    return 1;
}

/* The routine an entry points at. */
static inline uint64_t svc_compact_routine(uint64_t table, int32_t entry)
{
    return table + (uint64_t)(int64_t)(entry >> SVC_COMPACT_ARG_BITS);
}

static inline unsigned svc_compact_args(int32_t entry)
{
    return (unsigned)entry & SVC_COMPACT_ARG_MASK;
}

#endif
