/*
 * Shared by nt_flags_ddk.c and nt_flags_winnt.c, compiled with
 * i686-w64-mingw32-gcc: every name of ntdb/nt_flags.def whose `where` is
 * CHECKED_IN (DDK or WINNT) must have the value the .def gives it in
 * mingw-w64's headers, or the build fails here.
 */
/* text: the name as the .def spells it (name itself is expanded by the time it is checked) */
#define CHECK_VALUE(text, name, value) _Static_assert((unsigned)(name) == (unsigned)(value), text " is not " #value);
#define CHECK_ENTRY(name, value, where) CHECK_##where(#name, name, value)

#include "ntdb/nt_flags.def"

#define CHECK_ALL(X)                                                                                     \
    NT_ACCESS_COMMON(X) NT_ACCESS_FILE(X) NT_ACCESS_EVENT(X) NT_ACCESS_PROCESS(X) NT_CREATE_DISPOSITION(X) \
    NT_CREATE_OPTIONS(X) NT_SHARE_ACCESS(X) NT_FILE_ATTRIBUTES(X) NT_OBJ_ATTRIBUTES(X) NT_MEM_TYPE(X)      \
    NT_PAGE_PROTECT(X) NT_EVENT_TYPE(X) NT_FILE_INFORMATION_CLASS(X) NT_DEVICE_TYPE(X) NT_IOCTL_METHOD(X)  \
    NT_IOCTL_ACCESS(X)
