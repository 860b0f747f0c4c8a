/*
 * The run-time routines ntoskrnl exports to drivers (guest/rtl/crt.c,
 * unicode.c, format.c) on the host, built -m32 like test_irp: msvcrt's
 * _snprintf contract as far as this kernel keeps it, NT's string forms
 * (%wZ, %ws, %S, %Z, %hs, %i), and the counted-string conversions.
 */
#include <stdio.h>
#include <stdlib.h>
#include "rtl.h"
#include "ex.h"

static int checks, failures;
#define CHECK(e) do { checks++; if (!(e)) { failures++; printf("%s:%d: failed: %s\n", __FILE__, __LINE__, #e); } } while (0)

/* the string routines' allocator: pool in the kernel, the C heap here */
PVOID RtlpAllocateStringBuffer(SIZE_T Size) { return calloc(1, Size); }
VOID RtlpFreeStringBuffer(PVOID Buffer) { free(Buffer); }

static void TestFormat(void)
{
    char buf[64];
    UNICODE_STRING u;
    ANSI_STRING a;
    RtlInitUnicodeString(&u, L"\\Driver\\NtvLog");
    RtlInitAnsiString(&a, "ansi");
    u.Length -= 2 * sizeof(WCHAR);   /* counted: no terminator needed */
    CHECK(_snprintf(buf, sizeof(buf), "%wZ|%Z|%ws|%S|%hs|%ls", &u, &a, L"wide", L"S", "narrow", L"l") > 0);
    CHECK(!strcmp(buf, "\\Driver\\NtvL|ansi|wide|S|narrow|l"));
    CHECK(sprintf(buf, "%i %d %5s|%-3s|", -7, 42, "r", "l") == 16 && !strcmp(buf, "-7 42     r|l  |"));
    CHECK(_snprintf(buf, sizeof(buf), "%wZ %Z", (PUNICODE_STRING)NULL, (PANSI_STRING)NULL) == 13);
    CHECK(!strcmp(buf, "(null) (null)"));
    CHECK(sprintf(buf, "%.3s|%.*s|%.2ws|%*d", "abcdef", 2, "xyz", L"wide", 4, 7) == 14);
    CHECK(!strcmp(buf, "abc|xy|wi|   7"));
    CHECK(_snprintf(buf, 4, "abc") == 3 && !strcmp(buf, "abc"));
    CHECK(_snprintf(buf, 4, "abcd") == 4 && !memcmp(buf, "abcd", 4));   /* msvcrt: exactly full, unterminated */
    CHECK(_snprintf(buf, 4, "abcdef") == -1);
    CHECK(wcslen(L"four") == 4 && wcslen(L"") == 0);
}

static void TestStrings(void)
{
    ANSI_STRING a, back;
    UNICODE_STRING u, v;
    WCHAR small[4];
    RtlInitAnsiString(&a, "Log\xe9");
    CHECK(a.Length == 4 && a.MaximumLength == 5);
    CHECK(RtlAnsiStringToUnicodeString(&u, &a, TRUE) == STATUS_SUCCESS);
    CHECK(u.Length == 8 && u.MaximumLength == 10 && u.Buffer[3] == 0xE9 && u.Buffer[4] == 0);
    CHECK(RtlUnicodeStringToAnsiString(&back, &u, TRUE) == STATUS_SUCCESS);
    CHECK(back.Length == 4 && !memcmp(back.Buffer, "Log\xe9", 5));
    RtlInitUnicodeString(&v, L"LOG\xc9");
    CHECK(RtlEqualUnicodeString(&u, &v, TRUE) && !RtlEqualUnicodeString(&u, &v, FALSE));
    v.Buffer = small;
    v.MaximumLength = sizeof(small);
    CHECK(RtlAnsiStringToUnicodeString(&v, &a, FALSE) == STATUS_SUCCESS && v.Length == 8);
    a.Length = 5;
    CHECK(RtlAnsiStringToUnicodeString(&v, &a, FALSE) == (NTSTATUS)0x80000005);   /* STATUS_BUFFER_OVERFLOW */
    RtlCopyUnicodeString(&v, &u);
    CHECK(v.Length == 8 && !memcmp(v.Buffer, u.Buffer, 8));
    RtlCopyUnicodeString(&v, NULL);
    CHECK(v.Length == 0);   /* NT empties it: Length only */
    CHECK(RtlCompareMemory("abcd", "abXd", 4) == 2 && RtlCompareMemory("ab", "ab", 2) == 2);
    RtlFreeUnicodeString(&u);
    RtlFreeAnsiString(&back);
    CHECK(!u.Buffer && !u.Length && !back.Buffer);
}

int main(void)
{
    TestFormat();
    TestStrings();
    printf("%d%%: Checks: %d, Failures: %d, Errors: 0\n", checks ? 100 * (checks - failures) / checks : 0, checks,
           failures);
    return failures != 0;
}
