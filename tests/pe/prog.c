/*
 * A native program built by mingw-w64 and linked with its own libntdll.a:
 * its imports from ntdll.dll are snapped by the kernel (guest/ps/image.c)
 * against ntdll's export directory before its entry runs.
 */
typedef struct { unsigned short Length, MaximumLength; unsigned short *Buffer; } COUNTED_STRING;
__declspec(dllimport) long __stdcall NtDisplayString(COUNTED_STRING *String);
__declspec(dllimport) long __stdcall NtTerminateProcess(void *Process, long Status);

static unsigned short Text[] = L"Hello from a PE program, through NtDisplayString.\n";

void __stdcall NtProcessStartup(void *Peb)
{
    COUNTED_STRING s = { sizeof(Text) - 2, sizeof(Text), Text };
    (void)Peb;
    NtDisplayString(&s);
    NtTerminateProcess((void *)-1, 0);
}
