/* NTSTATUS values by name, for traces. */
#ifndef NTVISOR_NTSTATUS_NAMES_H
#define NTVISOR_NTSTATUS_NAMES_H

#include <stdint.h>

/* The symbolic name, or NULL when the value is not one the project knows. */
const char *ntstatus_name(uint32_t status);

#endif
