/*
 * Rtl string routines shared by the kernel and ntdll, as NT shares its rtl:
 * ANSI_STRING/UNICODE_STRING set-up, conversion, comparison and copying.
 * Conversions map bytes to the first 256 code points (Latin-1, no code
 * pages); a character outside them becomes '?'. A buffer they allocate
 * comes from RtlpAllocateStringBuffer: pool in the kernel, the process heap
 * in ntdll (NT's RtlpAllocateStringRoutine).
 */
#include "../inc/rtl.h"

#define RTLP_MAX_USTRING 0xFFFE   /* the largest even USHORT */

VOID NTAPI RtlInitString(PSTRING Destination, PCSTR Source)
{
    SIZE_T n = Source ? strlen(Source) : 0;
    if (n > RTLP_MAX_USTRING - 1)
        n = RTLP_MAX_USTRING - 1;
    Destination->Length = (USHORT)n;
    Destination->MaximumLength = Source ? (USHORT)(n + 1) : 0;
    Destination->Buffer = (PCHAR)Source;
}

VOID NTAPI RtlInitAnsiString(PANSI_STRING Destination, PCSTR Source)
{
    RtlInitString(Destination, Source);
}

NTSTATUS NTAPI RtlAnsiStringToUnicodeString(PUNICODE_STRING Destination, PCANSI_STRING Source,
                                            BOOLEAN AllocateDestinationString)
{
    ULONG bytes = Source->Length * sizeof(WCHAR);
    if (bytes + sizeof(WCHAR) > RTLP_MAX_USTRING)
        return STATUS_INVALID_PARAMETER_2;
    if (AllocateDestinationString) {
        Destination->Buffer = RtlpAllocateStringBuffer(bytes + sizeof(WCHAR));
        if (!Destination->Buffer)
            return STATUS_NO_MEMORY;
        Destination->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
    } else if (bytes > Destination->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (ULONG i = 0; i < Source->Length; i++)
        Destination->Buffer[i] = (UCHAR)Source->Buffer[i];
    Destination->Length = (USHORT)bytes;
    if (bytes < Destination->MaximumLength)
        Destination->Buffer[Source->Length] = 0;
    return STATUS_SUCCESS;
}

static VOID RtlpNarrow(PANSI_STRING Destination, PCUNICODE_STRING Source, ULONG Chars)
{
    for (ULONG i = 0; i < Chars; i++)
        Destination->Buffer[i] = Source->Buffer[i] < 0x100 ? (CHAR)Source->Buffer[i] : '?';
    Destination->Buffer[Chars] = '\0';
    Destination->Length = (USHORT)Chars;
}

NTSTATUS NTAPI RtlUnicodeStringToAnsiString(PANSI_STRING Destination, PCUNICODE_STRING Source,
                                            BOOLEAN AllocateDestinationString)
{
    ULONG chars = Source->Length / sizeof(WCHAR);
    if (AllocateDestinationString) {
        Destination->Buffer = RtlpAllocateStringBuffer(chars + 1);
        if (!Destination->Buffer)
            return STATUS_NO_MEMORY;
        Destination->MaximumLength = (USHORT)(chars + 1);
    } else if (chars >= Destination->MaximumLength) {
        /* NT converts what fits, terminated, and says so */
        if (Destination->MaximumLength)
            RtlpNarrow(Destination, Source, Destination->MaximumLength - 1u);
        return STATUS_BUFFER_OVERFLOW;
    }
    RtlpNarrow(Destination, Source, chars);
    return STATUS_SUCCESS;
}

VOID NTAPI RtlFreeUnicodeString(PUNICODE_STRING UnicodeString)
{
    RtlpFreeStringBuffer(UnicodeString->Buffer);
    UnicodeString->Buffer = NULL;
    UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

VOID NTAPI RtlFreeAnsiString(PANSI_STRING AnsiString)
{
    RtlpFreeStringBuffer(AnsiString->Buffer);
    AnsiString->Buffer = NULL;
    AnsiString->Length = AnsiString->MaximumLength = 0;
}

/* What fits of Source, terminated when there is room; NULL Source empties Destination. */
VOID NTAPI RtlCopyUnicodeString(PUNICODE_STRING Destination, PCUNICODE_STRING Source)
{
    if (!Source) {
        Destination->Length = 0;
        return;
    }
    USHORT n = Source->Length < Destination->MaximumLength ? Source->Length : Destination->MaximumLength;
    n &= ~1;
    memmove(Destination->Buffer, Source->Buffer, n);
    Destination->Length = n;
    if (n + sizeof(WCHAR) <= Destination->MaximumLength)
        Destination->Buffer[n / sizeof(WCHAR)] = 0;
}

/* ASCII and Latin-1 letters; the rest of Unicode's case table is not here. */
WCHAR NTAPI RtlUpcaseUnicodeChar(WCHAR SourceCharacter)
{
    WCHAR c = SourceCharacter;
    if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7))
        return (WCHAR)(c - 0x20);
    if (c == 0xFF)
        return 0x178;
    return c;
}

LONG NTAPI RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
    ULONG n1 = String1->Length / sizeof(WCHAR), n2 = String2->Length / sizeof(WCHAR);
    for (ULONG i = 0; i < n1 && i < n2; i++) {
        WCHAR a = String1->Buffer[i], b = String2->Buffer[i];
        if (CaseInSensitive) {
            a = RtlUpcaseUnicodeChar(a);
            b = RtlUpcaseUnicodeChar(b);
        }
        if (a != b)
            return (LONG)a - (LONG)b;
    }
    return (LONG)n1 - (LONG)n2;
}

BOOLEAN NTAPI RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
    return String1->Length == String2->Length && RtlCompareUnicodeString(String1, String2, CaseInSensitive) == 0;
}

