/* ntdb/nt_flags.def's WINNT names against mingw-w64's user-mode headers (see nt_flags_check.h). */
#define _WIN32_WINNT 0x0A00
#include <windows.h>
#include <winternl.h>
#include <winioctl.h>
#include "nt_flags_check.h"

#define CHECK_DDK(text, name, value)
#define CHECK_WINNT(text, name, value) CHECK_VALUE(text, name, value)
#define CHECK_NONE(text, name, value)
CHECK_ALL(CHECK_ENTRY)
