/* NtDisplayString: a UNICODE_STRING to the console (boot-screen text on NT). */
#include "../inc/ke.h"
#include "../inc/mm.h"
#include "../inc/hal.h"

NTSTATUS NTAPI NtDisplayString(PUNICODE_STRING String)
{
    UNICODE_STRING captured;
    NTSTATUS status = MmCopyFromCaller(&captured, String, sizeof(captured), sizeof(ULONG));
    if (!NT_SUCCESS(status))
        return status;
    if (KeGetPreviousMode() == UserMode) {
        status = ProbeForRead(captured.Buffer, captured.Length, sizeof(WCHAR));
        if (!NT_SUCCESS(status))
            return status;
    }

    WCHAR chunk[64];
    char text[64];
    for (ULONG done = 0; done < captured.Length / sizeof(WCHAR);) {
        ULONG n = captured.Length / sizeof(WCHAR) - done;
        if (n > ARRAYSIZE(chunk))
            n = ARRAYSIZE(chunk);
        status = KiSafeCopy(chunk, captured.Buffer + done, n * sizeof(WCHAR));
        if (!NT_SUCCESS(status))
            return status;
        for (ULONG i = 0; i < n; i++)
            text[i] = chunk[i] < 0x80 ? (char)chunk[i] : '?';
        HalDisplayBuffer(text, n);
        done += n;
    }
    return STATUS_SUCCESS;
}
