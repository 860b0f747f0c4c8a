/*
 * The native API as user programs see it: ntdll's NtXxx/ZwXxx stubs (their
 * addresses come from ntdll-exports.ld) and the small runtime in libntrt.
 */
#ifndef NTDLL_NTAPI_H
#define NTDLL_NTAPI_H

#include "../inc/ntdef.h"
#include "../inc/pebteb.h"
#include "../inc/rtl.h"

NTSTATUS NTAPI NtDisplayString(PUNICODE_STRING String);
NTSTATUS NTAPI ZwDisplayString(PUNICODE_STRING String);
NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus);
NTSTATUS NTAPI ZwTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus);
NTSTATUS NTAPI NtQuerySystemTime(PLARGE_INTEGER SystemTime);
NTSTATUS NTAPI ZwQuerySystemTime(PLARGE_INTEGER SystemTime);
NTSTATUS NTAPI NtQueryPerformanceCounter(PLARGE_INTEGER Counter, PLARGE_INTEGER Frequency);
NTSTATUS NTAPI NtYieldExecution(void);
NTSTATUS NTAPI NtClose(HANDLE Handle);
NTSTATUS NTAPI ZwClose(HANDLE Handle);
NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                          PVOID IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                          PULONG Key);

/* libntrt: process start-up and console output */
PPEB NtCurrentPeb(void);
int  printf(const char *Format, ...) __attribute__((format(printf, 1, 2)));
const char *RtlNtStatusName(NTSTATUS Status);
/* A system call with any service number, through SharedUserData!SystemCallStub. */
NTSTATUS RtlSystemCall(ULONG ServiceNumber, ...);

int main(int argc, char **argv);

#endif
