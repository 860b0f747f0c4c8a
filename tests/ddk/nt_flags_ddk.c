/* ntdb/nt_flags.def's DDK names against mingw-w64's DDK headers (see nt_flags_check.h). */
#include <ntifs.h>
#include "nt_flags_check.h"

#define CHECK_DDK(text, name, value)   CHECK_VALUE(text, name, value)
#define CHECK_WINNT(text, name, value)
#define CHECK_NONE(text, name, value)
CHECK_ALL(CHECK_ENTRY)
