/* \Device\NtvLog (examples/ntvlog/driver.c): the requests ntvlog.exe makes of it. */
#ifndef NTVLOG_IOCTL_H
#define NTVLOG_IOCTL_H

#ifndef CTL_CODE
#define CTL_CODE(t, f, m, a)  (((t) << 16) | ((a) << 14) | ((f) << 2) | (m))
#endif
#define NTVLOG_DEVICE_TYPE 0x8001u

/* in: ULONG extra OBJECT_ATTRIBUTES flags (0 or OBJ_KERNEL_HANDLE): ZwCreateFile \??\C:\ntvlog.txt */
#define IOCTL_NTVLOG_OPEN          CTL_CODE(NTVLOG_DEVICE_TYPE, 0x801, 0, 0)
/* in: text. ZwWriteFile from the dispatch routine, in the caller's process */
#define IOCTL_NTVLOG_WRITE         CTL_CODE(NTVLOG_DEVICE_TYPE, 0x802, 0, 0)
/* in: text. ZwWriteFile from an I/O work item, in the System process */
#define IOCTL_NTVLOG_WRITE_WORKER  CTL_CODE(NTVLOG_DEVICE_TYPE, 0x803, 0, 0)
/* in: text. A timer's DPC queues the work item that writes */
#define IOCTL_NTVLOG_WRITE_TIMER   CTL_CODE(NTVLOG_DEVICE_TYPE, 0x804, 0, 0)
/* in: text. The timer's DPC writes itself, at DISPATCH_LEVEL: IRQL_NOT_LESS_OR_EQUAL */
#define IOCTL_NTVLOG_WRITE_DPC     CTL_CODE(NTVLOG_DEVICE_TYPE, 0x805, 0, 0)
#define IOCTL_NTVLOG_CLOSE         CTL_CODE(NTVLOG_DEVICE_TYPE, 0x806, 0, 0)

typedef struct _NTVLOG_RESULT {
    NTSTATUS Status;
    ULONG Handle;              /* the log file's handle (0x8000xxxx: a kernel handle) */
    char Process[16];          /* the process the file service ran in */
    ULONG Irql;                /* ... and the IRQL */
} NTVLOG_RESULT;

#endif
