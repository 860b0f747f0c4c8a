/*
 * Compiled (never run) with the guest's flags: fails the build when kd's
 * mirror of the guest's structures (kd/kd_layout.h) no longer matches
 * guest/inc/ke.h, ps.h and ob.h.
 */
#include <stddef.h>
#include "../guest/inc/ps.h"
#include "../guest/inc/ob.h"
#include "../kd/kd_layout.h"

#define SAME(a, b) _Static_assert((a) == (b), #a " != " #b ": update kd/kd_layout.h and kd_nt.c")

SAME(offsetof(KTHREAD, PreviousMode), KD_KTHREAD_PREVIOUS_MODE);
SAME(sizeof(((KTHREAD *)0)->PreviousMode), 1);
SAME(offsetof(KTHREAD, Process), KD_KTHREAD_PROCESS);
SAME(offsetof(KTHREAD, ThreadId), KD_KTHREAD_THREAD_ID);
SAME(offsetof(KTHREAD, InitialStack), KD_KTHREAD_INITIAL_STACK);
SAME(offsetof(KTHREAD, TrapFrame), KD_KTHREAD_TRAP_FRAME);
SAME(sizeof(KTHREAD), KD_KTHREAD_SIZE);

SAME(offsetof(EPROCESS, UniqueProcessId), KD_EPROCESS_UNIQUE_PROCESS_ID);
SAME(offsetof(EPROCESS, DirectoryTableBase), KD_EPROCESS_DIRECTORY_TABLE_BASE);
SAME(offsetof(EPROCESS, Peb), KD_EPROCESS_PEB);
SAME(offsetof(EPROCESS, ExitStatus), KD_EPROCESS_EXIT_STATUS);
SAME(offsetof(EPROCESS, ImageFileName), KD_EPROCESS_IMAGE_FILE_NAME);
SAME(sizeof(((EPROCESS *)0)->ImageFileName), KD_EPROCESS_IMAGE_FILE_NAME_LEN);
SAME(offsetof(EPROCESS, ObjectTable), KD_EPROCESS_OBJECT_TABLE);
SAME(offsetof(EPROCESS, VadRoot), KD_EPROCESS_VAD_ROOT);
SAME(sizeof(EPROCESS), KD_EPROCESS_SIZE);

SAME(offsetof(HANDLE_TABLE, Table), KD_HANDLE_TABLE_TABLE);
SAME(offsetof(HANDLE_TABLE, Capacity), KD_HANDLE_TABLE_CAPACITY);
SAME(offsetof(HANDLE_TABLE, FirstFree), KD_HANDLE_TABLE_FIRST_FREE);
SAME(offsetof(HANDLE_TABLE, HandleCount), KD_HANDLE_TABLE_HANDLE_COUNT);
SAME(offsetof(HANDLE_TABLE, KernelTable), KD_HANDLE_TABLE_KERNEL_TABLE);
SAME(sizeof(HANDLE_TABLE), KD_HANDLE_TABLE_SIZE);
SAME(offsetof(HANDLE_TABLE_ENTRY, Object), KD_HANDLE_ENTRY_OBJECT);
SAME(offsetof(HANDLE_TABLE_ENTRY, GrantedAccess), KD_HANDLE_ENTRY_ACCESS);
SAME(sizeof(HANDLE_TABLE_ENTRY), KD_HANDLE_ENTRY_SIZE);
SAME(offsetof(OBJECT_HEADER, PointerCount), KD_OBJECT_HEADER_POINTER_COUNT);
SAME(offsetof(OBJECT_HEADER, HandleCount), KD_OBJECT_HEADER_HANDLE_COUNT);
SAME(offsetof(OBJECT_HEADER, Type), KD_OBJECT_HEADER_TYPE);
SAME(sizeof(OBJECT_HEADER), KD_OBJECT_HEADER_SIZE);
SAME(offsetof(OBJECT_TYPE, Name), KD_OBJECT_TYPE_NAME);
SAME(KERNEL_HANDLE_MASK, KD_KERNEL_HANDLE_MASK);

SAME(sizeof(KTRAP_FRAME), KD_KTRAP_FRAME_SIZE);
SAME(offsetof(KTRAP_FRAME, PreviousPreviousMode), KTRAP_FRAME_PREVIOUS_MODE);
SAME(offsetof(KTRAP_FRAME, SegFs), 0x04);
SAME(offsetof(KTRAP_FRAME, Edx), 0x10);
SAME(offsetof(KTRAP_FRAME, Eip), 0x34);
SAME(offsetof(KTRAP_FRAME, HardwareSegSs), 0x44);

SAME(offsetof(KSERVICE_TABLE_DESCRIPTOR, Base), KD_KSERVICE_TABLE_BASE);
SAME(offsetof(KSERVICE_TABLE_DESCRIPTOR, Count), KD_KSERVICE_TABLE_COUNT);
SAME(offsetof(KSERVICE_TABLE_DESCRIPTOR, Limit), KD_KSERVICE_TABLE_LIMIT);
SAME(offsetof(KSERVICE_TABLE_DESCRIPTOR, Number), KD_KSERVICE_TABLE_NUMBER);
SAME(sizeof(KSERVICE_TABLE_DESCRIPTOR), KD_KSERVICE_TABLE_SIZE);
SAME(NUMBER_SERVICE_TABLES, KD_NUMBER_SERVICE_TABLES);
