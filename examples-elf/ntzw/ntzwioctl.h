/* \Device\NtZw (examples/ntzw/driver.c): the requests ntzw.exe makes of it. */
#ifndef NTZW_IOCTL_H
#define NTZW_IOCTL_H

#ifndef CTL_CODE
#define CTL_CODE(t, f, m, a)  (((t) << 16) | ((a) << 14) | ((f) << 2) | (m))
#endif
#define NTZW_DEVICE_TYPE 0x8000u  /* vendor range */

/* 2: in: the caller's file handle; out: NTZW_RESULT of NtReadFile and ZwReadFile into pool */
#define IOCTL_NTZW_KERNEL_BUFFER  CTL_CODE(NTZW_DEVICE_TYPE, 0x802, 0 /* METHOD_BUFFERED */, 0)
/* 3: in: NTZW_USER_READ (pointers into the caller's address space); out: NTZW_RESULT of NtReadFile */
#define IOCTL_NTZW_USER_BUFFER    CTL_CODE(NTZW_DEVICE_TYPE, 0x803, 0, 0)
/* 6: in: a service number; out: NTZW_RESULT of a Zw-style call with it */
#define IOCTL_NTZW_SYSTEM_SERVICE CTL_CODE(NTZW_DEVICE_TYPE, 0x806, 0, 0)

typedef struct _NTZW_RESULT {
    NTSTATUS Status[2];
    UCHAR PreviousMode;        /* in the dispatch routine: the mode of the thread's caller */
    char Data[8];              /* what ZwReadFile read into the kernel buffer */
} NTZW_RESULT;

typedef struct _NTZW_USER_READ {
    HANDLE File;
    PVOID Buffer;
    ULONG Length;
    PIO_STATUS_BLOCK IoStatusBlock;
    PLARGE_INTEGER ByteOffset;
} NTZW_USER_READ;

#endif
