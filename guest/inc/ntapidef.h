/*
 * The native API's constants and structures that both sides see: the kernel
 * and its drivers, and user programs through ntdll (NT spreads them over
 * ntioapi.h, ntmmapi.h and ntexapi.h).
 */
#ifndef GUEST_NTAPIDEF_H
#define GUEST_NTAPIDEF_H

#include "ntdef.h"

/* events */
typedef enum _EVENT_TYPE { NotificationEvent = 0, SynchronizationEvent = 1 } EVENT_TYPE;
#define EVENT_QUERY_STATE  0x0001
#define EVENT_MODIFY_STATE 0x0002
#define EVENT_ALL_ACCESS   0x001F0003   /* STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3 */

/* virtual memory */
#define MEM_COMMIT   0x00001000
#define MEM_RESERVE  0x00002000
#define MEM_DECOMMIT 0x00004000
#define MEM_RELEASE  0x00008000
#define MEM_TOP_DOWN 0x00100000
#define PAGE_NOACCESS          0x01
#define PAGE_READONLY          0x02
#define PAGE_READWRITE         0x04
#define PAGE_WRITECOPY         0x08
#define PAGE_EXECUTE           0x10
#define PAGE_EXECUTE_READ      0x20
#define PAGE_EXECUTE_READWRITE 0x40

/* access rights of files */
#define FILE_READ_DATA            0x0001
#define FILE_WRITE_DATA           0x0002
#define FILE_APPEND_DATA          0x0004
#define FILE_READ_ATTRIBUTES      0x0080
#define FILE_ALL_ACCESS           0x001F01FF
#define FILE_GENERIC_READ         0x00120089
#define FILE_GENERIC_WRITE        0x00120116
#define FILE_GENERIC_EXECUTE      0x001200A0
#define FILE_SHARE_READ           0x00000001
#define FILE_SHARE_WRITE          0x00000002
#define FILE_ATTRIBUTE_NORMAL     0x00000080

/* NtCreateFile dispositions, options and results */
#define FILE_SUPERSEDE            0
#define FILE_OPEN                 1
#define FILE_CREATE               2
#define FILE_OPEN_IF              3
#define FILE_OVERWRITE            4
#define FILE_OVERWRITE_IF         5
#define FILE_MAXIMUM_DISPOSITION  5
#define FILE_DIRECTORY_FILE       0x00000001
#define FILE_SYNCHRONOUS_IO_ALERT    0x00000010
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020
#define FILE_NON_DIRECTORY_FILE   0x00000040
#define FILE_SUPERSEDED           0
#define FILE_OPENED               1
#define FILE_CREATED              2
#define FILE_OVERWRITTEN          3
#define FILE_EXISTS               4
#define FILE_DOES_NOT_EXIST       5
#define FILE_USE_FILE_POINTER_POSITION 0xFFFFFFFE   /* ByteOffset.LowPart with HighPart -1 */
#define FILE_WRITE_TO_END_OF_FILE      0xFFFFFFFF

typedef enum _FILE_INFORMATION_CLASS {
    FileBasicInformation = 4, FileStandardInformation = 5, FilePositionInformation = 14,
    FileMaximumInformation = 41,
} FILE_INFORMATION_CLASS;
typedef struct _FILE_STANDARD_INFORMATION {
    LARGE_INTEGER AllocationSize, EndOfFile;
    ULONG NumberOfLinks;
    BOOLEAN DeletePending, Directory;
} FILE_STANDARD_INFORMATION;
typedef struct _FILE_POSITION_INFORMATION {
    LARGE_INTEGER CurrentByteOffset;
} FILE_POSITION_INFORMATION;

/* I/O control codes: device type, function, method, access */
#define CTL_CODE(t, f, m, a)  (((t) << 16) | ((a) << 14) | ((f) << 2) | (m))
#define METHOD_BUFFERED   0
#define METHOD_IN_DIRECT  1
#define METHOD_OUT_DIRECT 2
#define METHOD_NEITHER    3
#define FILE_ANY_ACCESS   0
#define FILE_READ_ACCESS  1
#define FILE_WRITE_ACCESS 2

#endif
