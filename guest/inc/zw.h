/*
 * The system services as kernel-mode code calls them (NTOSKRNL.LIB's view):
 * ZwXxx enters KiSystemService through a fake interrupt frame, so previous
 * mode becomes Kernel; NtXxx is the routine itself, called directly with
 * the caller's previous mode unchanged. Drivers link against ntoskrnl.exe's
 * symbols (guest/io/loader.c), so both are plain calls.
 */
#ifndef GUEST_ZW_H
#define GUEST_ZW_H

#include "io.h"

#define NT_SERVICE_PROTOTYPES(Prefix) \
    NTSTATUS NTAPI Prefix##CreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, \
        POBJECT_ATTRIBUTES ObjectAttributes, PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, \
        ULONG FileAttributes, ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer, \
        ULONG EaLength); \
    NTSTATUS NTAPI Prefix##OpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, \
        POBJECT_ATTRIBUTES ObjectAttributes, PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions); \
    NTSTATUS NTAPI Prefix##ReadFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext, \
        PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key); \
    NTSTATUS NTAPI Prefix##WriteFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext, \
        PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key); \
    NTSTATUS NTAPI Prefix##QueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, \
        PVOID FileInformation, ULONG Length, FILE_INFORMATION_CLASS FileInformationClass); \
    NTSTATUS NTAPI Prefix##DeviceIoControlFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, \
        PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, ULONG IoControlCode, PVOID InputBuffer, \
        ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength); \
    NTSTATUS NTAPI Prefix##QuerySystemTime(PLARGE_INTEGER SystemTime); \
    NTSTATUS NTAPI Prefix##YieldExecution(void); \
    NTSTATUS NTAPI Prefix##Close(HANDLE Handle);

NT_SERVICE_PROTOTYPES(Nt)
NT_SERVICE_PROTOTYPES(Zw)

#endif
