/*
 * examples/lib, ours: RtlNtStatusName. The names are those of
 * include/nt/ntstatus.h, the statuses ntvisor's kernel returns and its
 * tracer names, so that a program prints what the trace shows. That header
 * defines the same STATUS_ macros as mingw-w64's <ntstatus.h>, so this file
 * includes it alone; its NTSTATUS (int) and mingw-w64's (LONG) are both
 * 32-bit signed, the same argument on i386.
 */
#include "../../include/nt/ntstatus.h"

const char *RtlNtStatusName(long Status);

#define RTLP_STATUS_NAME(s) { s, #s },
static const struct { NTSTATUS Status; const char *Name; } RtlpStatusNames[] = {
    NTSTATUS_NAMES(RTLP_STATUS_NAME)
};

const char *RtlNtStatusName(long Status)
{
    for (unsigned i = 0; i < sizeof(RtlpStatusNames) / sizeof(RtlpStatusNames[0]); i++)
        if (RtlpStatusNames[i].Status == Status)
            return RtlpStatusNames[i].Name;
    return "STATUS_UNKNOWN";
}
