/*
 * Counted strings for drivers (kernel only; user programs have ntdll's):
 * ANSI <-> Unicode as Latin-1 (no code pages here: a character above 0xFF
 * becomes '?'), copies, comparison. Buffers a conversion allocates come
 * from paged pool and go back with RtlFreeXxxString.
 */
#include "../inc/rtl.h"
#include "../inc/ex.h"

#define RTL_STRING_TAG 0x67727453   /* 'Strg' */
#define RTL_MAX_USHORT 0xFFFF
#ifndef STATUS_BUFFER_OVERFLOW
#define STATUS_BUFFER_OVERFLOW NTSTATUS_C(0x80000005)
#endif

VOID NTAPI RtlInitAnsiString(PANSI_STRING Destination, PCSTR Source)
{
    ULONG length = Source ? strlen(Source) : 0;
    if (length > RTL_MAX_USHORT - 1)
        length = RTL_MAX_USHORT - 1;
    Destination->Buffer = (PCHAR)Source;
    Destination->Length = (USHORT)length;
    Destination->MaximumLength = Source ? (USHORT)(length + 1) : 0;
}

/* Room for Bytes (plus a terminator of TerminatorBytes) in Buffer, from pool when Allocate. */
static NTSTATUS RtlpPrepare(PVOID *Buffer, PUSHORT MaximumLength, ULONG Bytes, ULONG TerminatorBytes,
                            BOOLEAN Allocate)
{
    if (Bytes + TerminatorBytes > RTL_MAX_USHORT)
        return STATUS_INVALID_PARAMETER_2;
    if (!Allocate)
        return Bytes > *MaximumLength ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
    *Buffer = ExAllocatePoolWithTag(PagedPool, Bytes + TerminatorBytes, RTL_STRING_TAG);
    if (!*Buffer)
        return STATUS_NO_MEMORY;
    *MaximumLength = (USHORT)(Bytes + TerminatorBytes);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlAnsiStringToUnicodeString(PUNICODE_STRING Destination, PANSI_STRING Source,
                                            BOOLEAN AllocateDestinationString)
{
    ULONG n = Source->Length;
    NTSTATUS status = RtlpPrepare((PVOID *)&Destination->Buffer, &Destination->MaximumLength, n * sizeof(WCHAR),
                                  sizeof(WCHAR), AllocateDestinationString);
    if (!NT_SUCCESS(status))
        return status;
    for (ULONG i = 0; i < n; i++)
        Destination->Buffer[i] = (UCHAR)Source->Buffer[i];
    Destination->Length = (USHORT)(n * sizeof(WCHAR));
    if (Destination->MaximumLength >= Destination->Length + sizeof(WCHAR))
        Destination->Buffer[n] = 0;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlUnicodeStringToAnsiString(PANSI_STRING Destination, PUNICODE_STRING Source,
                                            BOOLEAN AllocateDestinationString)
{
    ULONG n = Source->Length / sizeof(WCHAR);
    NTSTATUS status = RtlpPrepare((PVOID *)&Destination->Buffer, &Destination->MaximumLength, n, 1,
                                  AllocateDestinationString);
    if (!NT_SUCCESS(status))
        return status;
    for (ULONG i = 0; i < n; i++)
        Destination->Buffer[i] = Source->Buffer[i] <= 0xFF ? (CHAR)Source->Buffer[i] : '?';
    Destination->Length = (USHORT)n;
    if (Destination->MaximumLength > n)
        Destination->Buffer[n] = 0;
    return STATUS_SUCCESS;
}

VOID NTAPI RtlFreeUnicodeString(PUNICODE_STRING UnicodeString)
{
    if (UnicodeString->Buffer)
        ExFreePoolWithTag(UnicodeString->Buffer, RTL_STRING_TAG);
    UnicodeString->Buffer = NULL;
    UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

VOID NTAPI RtlFreeAnsiString(PANSI_STRING AnsiString)
{
    if (AnsiString->Buffer)
        ExFreePoolWithTag(AnsiString->Buffer, RTL_STRING_TAG);
    AnsiString->Buffer = NULL;
    AnsiString->Length = AnsiString->MaximumLength = 0;
}

VOID NTAPI RtlCopyUnicodeString(PUNICODE_STRING Destination, PUNICODE_STRING Source)
{
    ULONG bytes = Source ? Source->Length : 0;
    if (bytes > Destination->MaximumLength)
        bytes = Destination->MaximumLength & ~1u;
    memmove(Destination->Buffer, Source ? Source->Buffer : NULL, bytes);
    Destination->Length = (USHORT)bytes;
    if (bytes + sizeof(WCHAR) <= Destination->MaximumLength)
        Destination->Buffer[bytes / sizeof(WCHAR)] = 0;
}

static WCHAR RtlpUpcase(WCHAR c)
{
    return (c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7) ? (WCHAR)(c - 0x20) : c;
}

BOOLEAN NTAPI RtlEqualUnicodeString(PUNICODE_STRING String1, PUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
    if (String1->Length != String2->Length)
        return FALSE;
    for (ULONG i = 0; i < String1->Length / sizeof(WCHAR); i++) {
        WCHAR a = String1->Buffer[i], b = String2->Buffer[i];
        if (a != b && (!CaseInSensitive || RtlpUpcase(a) != RtlpUpcase(b)))
            return FALSE;
    }
    return TRUE;
}

SIZE_T NTAPI RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length)
{
    SIZE_T i = 0;
    while (i < Length && ((const UCHAR *)Source1)[i] == ((const UCHAR *)Source2)[i])
        i++;
    return i;
}
