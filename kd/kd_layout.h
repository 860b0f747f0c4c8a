/*
 * The guest kernel's structures as kd reads them: offsets and sizes of
 * KTHREAD, EPROCESS, KTRAP_FRAME, KSERVICE_TABLE_DESCRIPTOR and the object
 * manager's handle tables, mirrored from guest/inc/ke.h, ps.h and ob.h
 * (32-bit layouts). tests/kd_layout_check.c
 * compiles against both with -m32 and fails the build if they drift apart.
 */
#ifndef NTVISOR_KD_LAYOUT_H
#define NTVISOR_KD_LAYOUT_H

#define KD_KTHREAD_PREVIOUS_MODE   0x00   /* KPROCESSOR_MODE (UCHAR): 0 Kernel, 1 User */
#define KD_KTHREAD_PROCESS         0x04
#define KD_KTHREAD_THREAD_ID       0x08
#define KD_KTHREAD_INITIAL_STACK   0x0C
#define KD_KTHREAD_TRAP_FRAME      0x10
#define KD_KTHREAD_SIZE            0x14

#define KD_EPROCESS_UNIQUE_PROCESS_ID    0x00
#define KD_EPROCESS_DIRECTORY_TABLE_BASE 0x04
#define KD_EPROCESS_PEB                  0x08
#define KD_EPROCESS_EXIT_STATUS          0x0C
#define KD_EPROCESS_IMAGE_FILE_NAME      0x10
#define KD_EPROCESS_IMAGE_FILE_NAME_LEN  16
#define KD_EPROCESS_OBJECT_TABLE         0x20   /* HANDLE_TABLE, embedded */
#define KD_EPROCESS_VAD_ROOT             0x34
#define KD_EPROCESS_SIZE                 0x38

/* guest/inc/ob.h: handle tables and object headers */
#define KD_HANDLE_TABLE_TABLE        0x00   /* HANDLE_TABLE_ENTRY array */
#define KD_HANDLE_TABLE_CAPACITY     0x04
#define KD_HANDLE_TABLE_FIRST_FREE   0x08
#define KD_HANDLE_TABLE_HANDLE_COUNT 0x0C
#define KD_HANDLE_TABLE_KERNEL_TABLE 0x10   /* BOOLEAN */
#define KD_HANDLE_TABLE_SIZE         0x14
#define KD_HANDLE_ENTRY_OBJECT       0x00   /* OBJECT_HEADER pointer; NULL: free */
#define KD_HANDLE_ENTRY_ACCESS       0x04
#define KD_HANDLE_ENTRY_SIZE         0x08
#define KD_OBJECT_HEADER_POINTER_COUNT 0x00
#define KD_OBJECT_HEADER_HANDLE_COUNT  0x04
#define KD_OBJECT_HEADER_TYPE          0x08
#define KD_OBJECT_HEADER_SIZE          0x10  /* the body follows */
#define KD_OBJECT_TYPE_NAME            0x00  /* const char * */
#define KD_KERNEL_HANDLE_MASK          0x80000000u
#define KD_MAX_HANDLES                 0x10000  /* kd lists at most this many entries */

#define KD_KTRAP_FRAME_SIZE        0x48   /* 18 ULONGs, in ke.h's order */

#define KD_KSERVICE_TABLE_BASE     0x00
#define KD_KSERVICE_TABLE_COUNT    0x04
#define KD_KSERVICE_TABLE_LIMIT    0x08
#define KD_KSERVICE_TABLE_NUMBER   0x0C
#define KD_KSERVICE_TABLE_SIZE     0x10
#define KD_NUMBER_SERVICE_TABLES   4
#define KD_MAX_SERVICES            4096   /* the service index is 12 bits */

#endif
