/*
 * hello: the walking skeleton's program. Prints through NtDisplayString by
 * its Nt name and its Zw name (one ntdll stub, two names), reads the system
 * time, and exits with the status given as its first argument (default 0).
 */
#include <ntapi.h>

static void Say(NTSTATUS (NTAPI *Display)(PUNICODE_STRING), PCWSTR Text)
{
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, Text);
    Display(&s);
}

/* Year of a time in 100 ns units since 1601-01-01. */
static unsigned YearOf(LONGLONG Time)
{
    unsigned long long days = (unsigned long long)Time / 10000000ull / 86400ull;
    unsigned year = 1601;
    for (;;) {
        unsigned len = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 366 : 365;
        if (days < len)
            return year;
        days -= len;
        year++;
    }
}

static int ParseStatus(const char *s)
{
    int v = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (*s - '0');
    return v;
}

int main(int argc, char **argv)
{
    Say(NtDisplayString, L"Hello from ring 3, through NtDisplayString.\n");
    Say(ZwDisplayString, L"Hello again, through ZwDisplayString: the same stub.\n");

    LARGE_INTEGER now;
    NTSTATUS status = NtQuerySystemTime(&now);
    printf("NtQuerySystemTime: %s, year %u\n", RtlNtStatusName(status),
           NT_SUCCESS(status) ? YearOf(now.QuadPart) : 0);

    int exitStatus = argc > 1 ? ParseStatus(argv[1]) : 0;
    printf("hello: exiting with status %d\n", exitStatus);
    return exitStatus;
}
