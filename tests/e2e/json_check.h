/* A strict JSON syntax check, for the trace's JSON Lines. */
#ifndef NTVISOR_TEST_JSON_CHECK_H
#define NTVISOR_TEST_JSON_CHECK_H

#include <stdbool.h>

/* True when text is exactly one JSON value (RFC 8259 syntax), with nothing after it. */
bool json_valid(const char *text);

#endif
