/* printf for user programs: formats, then NtDisplayString. */
#include "ntapi.h"

int printf(const char *Format, ...)
{
    char text[512];
    WCHAR wide[512];
    va_list ap;
    va_start(ap, Format);
    int n = RtlFormatV(text, sizeof(text), Format, ap);
    va_end(ap);
    ULONG len = RtlAsciiToUnicode(wide, ARRAYSIZE(wide), text, strlen(text));
    UNICODE_STRING s = { (USHORT)(len * sizeof(WCHAR)), (USHORT)sizeof(wide), wide };
    NtDisplayString(&s);
    return n;
}

#define RTLP_STATUS_NAME(s) { s, #s },
static const struct { NTSTATUS Status; const char *Name; } RtlpStatusNames[] = {
    NTSTATUS_NAMES(RTLP_STATUS_NAME)
};

const char *RtlNtStatusName(NTSTATUS Status)
{
    for (ULONG i = 0; i < ARRAYSIZE(RtlpStatusNames); i++)
        if (RtlpStatusNames[i].Status == Status)
            return RtlpStatusNames[i].Name;
    return "STATUS_UNKNOWN";
}
