/* NtDisplayString: a UNICODE_STRING to the console (boot-screen text on NT). */
#include "../inc/ke.h"
#include "../inc/mm.h"
#include "../inc/hal.h"

#define DISPLAY_CHUNK 64   /* characters copied and printed at a time */

/*
 * Copies the string's characters [First, First + Count) to the kernel, a
 * chunk at a time; with Print, shows each chunk. A fault ends the walk with
 * STATUS_ACCESS_VIOLATION.
 */
static NTSTATUS ExpWalkString(const UNICODE_STRING *String, BOOLEAN Print)
{
    WCHAR chunk[DISPLAY_CHUNK];
    char text[DISPLAY_CHUNK];
    ULONG total = String->Length / sizeof(WCHAR);
    for (ULONG done = 0; done < total;) {
        ULONG n = total - done < DISPLAY_CHUNK ? total - done : DISPLAY_CHUNK;
        NTSTATUS status = KiSafeCopy(chunk, String->Buffer + done, n * sizeof(WCHAR));
        if (!NT_SUCCESS(status))
            return status;
        for (ULONG i = 0; Print && i < n; i++)
            text[i] = chunk[i] < 0x80 ? (char)chunk[i] : '?';
        if (Print)
            HalDisplayBuffer(text, n);
        done += n;
    }
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtDisplayString(PUNICODE_STRING String)
{
    UNICODE_STRING captured;
    NTSTATUS status = MmCopyFromCaller(&captured, String, sizeof(captured), sizeof(ULONG));
    if (!NT_SUCCESS(status))
        return status;
    /* a well-formed counted string, wholly readable, before one character is shown */
    if ((captured.Length & 1) || captured.Length > captured.MaximumLength)
        return STATUS_INVALID_PARAMETER;
    if (KeGetPreviousMode() == UserMode) {
        status = ProbeForRead(captured.Buffer, captured.Length, sizeof(WCHAR));
        if (!NT_SUCCESS(status))
            return status;
    }
    status = ExpWalkString(&captured, FALSE);
    return NT_SUCCESS(status) ? ExpWalkString(&captured, TRUE) : status;
}
