/*
 * ntnative.h -- ours (ntvisor's examples/lib), not part of mingw-w64: the
 * native API the examples call that mingw-w64's <winternl.h> does not
 * declare, with NT's prototypes, and the small runtime of libexamples.a
 * (NtProcessStartup -> main, printf on NtDisplayString, NTSTATUS names,
 * RtlSystemCall). Include it after the mingw-w64 headers, in this order:
 *
 *     #define WIN32_NO_STATUS      // the STATUS_ codes come from ntstatus.h
 *     #include <windef.h>
 *     #include <winternl.h>
 *     #undef WIN32_NO_STATUS
 *     #include <ntstatus.h>
 *     #include "ntnative.h"
 */
#ifndef EXAMPLES_NTNATIVE_H
#define EXAMPLES_NTNATIVE_H

#include <stdarg.h>

/* <ntdef.h> has these, but it cannot be included beside <winnt.h> */
typedef enum _EVENT_TYPE { NotificationEvent, SynchronizationEvent } EVENT_TYPE;

#ifndef PAGE_SIZE
#define PAGE_SIZE 0x1000
#endif
#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)
#define NtCurrentThread()  ((HANDLE)(LONG_PTR)-2)
#ifndef EVENT_QUERY_STATE
#define EVENT_QUERY_STATE 0x0001
#endif
#define FILE_WRITE_TO_END_OF_FILE 0xFFFFFFFF

/*
 * Declared dllimport (NTSYSCALLAPI) like every ntdll export: a call goes
 * through the import address table, and &NtReadFile is ntdll's address, so
 * that NtReadFile == ZwReadFile as it is in ntdll.
 */
NTSYSCALLAPI NTSTATUS NTAPI NtDisplayString(PUNICODE_STRING String);
NTSYSCALLAPI NTSTATUS NTAPI ZwDisplayString(PUNICODE_STRING String);
NTSYSCALLAPI NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus);
NTSYSCALLAPI NTSTATUS NTAPI NtQueryPerformanceCounter(PLARGE_INTEGER PerformanceCounter,
                                                      PLARGE_INTEGER PerformanceFrequency);
NTSYSCALLAPI NTSTATUS NTAPI NtYieldExecution(VOID);
NTSYSCALLAPI NTSTATUS NTAPI ZwClose(HANDLE Handle);

NTSYSCALLAPI NTSTATUS NTAPI NtCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess,
                                          POBJECT_ATTRIBUTES ObjectAttributes, EVENT_TYPE EventType,
                                          BOOLEAN InitialState);
NTSYSCALLAPI NTSTATUS NTAPI NtSetEvent(HANDLE EventHandle, PLONG PreviousState);
NTSYSCALLAPI NTSTATUS NTAPI NtResetEvent(HANDLE EventHandle, PLONG PreviousState);
NTSYSCALLAPI NTSTATUS NTAPI NtClearEvent(HANDLE EventHandle);
NTSYSCALLAPI NTSTATUS NTAPI NtDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval);

NTSYSCALLAPI NTSTATUS NTAPI NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                                    PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect);
NTSYSCALLAPI NTSTATUS NTAPI NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                                                ULONG FreeType);
NTSYSCALLAPI NTSTATUS NTAPI NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress,
                                                   PSIZE_T NumberOfBytesToProtect, ULONG NewAccessProtection,
                                                   PULONG OldAccessProtection);

NTSYSCALLAPI NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                                       PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer,
                                       ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key);
NTSYSCALLAPI NTSTATUS NTAPI ZwReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                                       PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer,
                                       ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key);
NTSYSCALLAPI NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                                        PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer,
                                        ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key);

/* ---- libexamples.a (examples/lib), ours ---- */

/* The program's code; NtProcessStartup calls it with the command line split at spaces. */
int main(int argc, char **argv);
/* examples/lib: the PEB NtProcessStartup was given */
PPEB NtvStartupPeb(void);

/* C's formatting (%c %s %d %u %x %X %p %%, flags 0 and -, a width, l and ll), always NUL-terminated */
int vsnprintf(char *Buffer, size_t Size, const char *Format, va_list Args);
int snprintf(char *Buffer, size_t Size, const char *Format, ...) __attribute__((format(printf, 3, 4)));
/* formats into a 512-byte buffer and shows it with NtDisplayString */
int printf(const char *Format, ...) __attribute__((format(printf, 1, 2)));

/* "STATUS_ACCESS_VIOLATION" for the statuses ntvisor's kernel returns, else "STATUS_UNKNOWN" */
const char *RtlNtStatusName(NTSTATUS Status);

/* A system call with any service number, through SharedUserData!SystemCallStub as an ntdll stub makes it. */
NTSTATUS __cdecl RtlSystemCall(ULONG ServiceNumber, ...);

/* the C library the compiler may call: ntdll's, through mingw-w64's libntdllcrt.a */
void *memcpy(void *Destination, const void *Source, size_t Length);
void *memmove(void *Destination, const void *Source, size_t Length);
void *memset(void *Destination, int Fill, size_t Length);
int memcmp(const void *A, const void *B, size_t Length);
size_t strlen(const char *String);
int strcmp(const char *A, const char *B);
int strncmp(const char *A, const char *B, size_t Length);

#endif
