/*
 * A driver that imports every routine and datum guest/mm/sysexports.inc
 * exports, compiled and linked by mingw-w64 exactly as a user's driver is.
 * Never loaded: mk/ddk-layout.mk compares its import table (objdump -p)
 * with the .inc, so a name or module the DDK's headers produce that the
 * kernel does not export -- or a fastcall turned stdcall -- fails the build.
 */
#include <ntifs.h>
#include <stdio.h>

/* what a legacy driver of the articles' kind declares itself (not in the DDK headers) */
NTSYSAPI NTSTATUS NTAPI ZwDeviceIoControlFile(HANDLE, HANDLE, PIO_APC_ROUTINE, PVOID, PIO_STATUS_BLOCK, ULONG,
                                              PVOID, ULONG, PVOID, ULONG);
extern __declspec(dllimport) PVOID KeServiceDescriptorTable;
NTKERNELAPI PCHAR NTAPI PsGetProcessImageFileName(PEPROCESS Process);

static volatile ULONG_PTR Sink;
#define USE(x) (Sink += (ULONG_PTR)(x))

static VOID NTAPI Dpc(PKDPC d, PVOID c, PVOID a1, PVOID a2) { (void)d; (void)c; (void)a1; (void)a2; }
static VOID NTAPI Work(PVOID p) { (void)p; }
static VOID NTAPI Thread(PVOID c) { (void)c; PsTerminateSystemThread(STATUS_SUCCESS); }
static VOID NTAPI IoWork(PDEVICE_OBJECT d, PVOID c) { (void)d; (void)c; }

static void Io(PDRIVER_OBJECT driver, PIRP irp)
{
    PDEVICE_OBJECT device;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\X");
    USE(IoCreateDevice(driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device));
    USE(IoCreateSymbolicLink(&name, &name));
    USE(IoDeleteSymbolicLink(&name));
    USE(IoCallDriver(device, irp));
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    PIO_WORKITEM item = IoAllocateWorkItem(device);
    IoQueueWorkItem(item, IoWork, DelayedWorkQueue, NULL);
    IoFreeWorkItem(item);
    PIRP own = IoAllocateIrp(1, FALSE);
    IoInitializeIrp(own, IoSizeOfIrp(1), 1);
    IoFreeIrp(own);
    IoDeleteDevice(device);
    USE(IoGetCurrentProcess());
    USE(PsGetCurrentProcess());
    USE(PsGetCurrentProcessId());
    USE(PsGetCurrentThreadId());
    USE(PsGetCurrentThread());
    USE(PsGetProcessImageFileName(PsGetCurrentProcess()));
    USE(ExGetPreviousMode());
    USE(*IoFileObjectType);
    USE(PsInitialSystemProcess);
    USE(&KeServiceDescriptorTable);
    HANDLE thread;
    USE(PsCreateSystemThread(&thread, 0, NULL, NULL, NULL, Thread, NULL));
}

static void Ke(void)
{
    KDPC dpc;
    KTIMER timer;
    KEVENT event;
    KSPIN_LOCK lock;
    KIRQL irql;
    LARGE_INTEGER due = { .QuadPart = -1 };
    KeInitializeDpc(&dpc, Dpc, NULL);
    USE(KeInsertQueueDpc(&dpc, NULL, NULL));
    USE(KeRemoveQueueDpc(&dpc));
    KeInitializeTimer(&timer);
    KeInitializeTimerEx(&timer, SynchronizationTimer);
    USE(KeSetTimer(&timer, due, &dpc));
    USE(KeSetTimerEx(&timer, due, 10, &dpc));
    USE(KeCancelTimer(&timer));
    USE(KeReadStateTimer(&timer));
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    USE(KeSetEvent(&event, IO_NO_INCREMENT, FALSE));
    USE(KeResetEvent(&event));
    KeClearEvent(&event);
    USE(KeReadStateEvent(&event));
    USE(KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, &due));
    USE(KeDelayExecutionThread(KernelMode, FALSE, &due));
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    KeLowerIrql(irql);
    USE(KeRaiseIrqlToDpcLevel());
    USE(KeRaiseIrqlToSynchLevel());
    USE(KeGetCurrentIrql());
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &irql);
    KeReleaseSpinLock(&lock, irql);
    KeAcquireSpinLockAtDpcLevel(&lock);
    KeReleaseSpinLockFromDpcLevel(&lock);
    USE(KeGetCurrentThread());
    KeQuerySystemTime(&due);
    USE(KeQueryInterruptTime());
    KeQueryTickCount(&due);
    USE(due.LowPart);
    USE(KeQueryTimeIncrement());
    USE(KeQueryPerformanceCounter(NULL).LowPart);
    if (Sink == 1)   /* never: the calls only have to be there (both never return) */
        KeBugCheck(0);
    if (Sink == 2)
        KeBugCheckEx(0, 0, 0, 0, 0);
}

static void ExRtl(void)
{
    WORK_QUEUE_ITEM item;
    ANSI_STRING ansi;
    UNICODE_STRING unicode;
    char text[16];
    PVOID p = ExAllocatePool(NonPagedPool, 16);
    ExFreePool(p);
    p = ExAllocatePoolWithTag(NonPagedPool, 16, 0x31546167);
    ExFreePoolWithTag(p, 0x31546167);
    ExInitializeWorkItem(&item, Work, NULL);
    ExQueueWorkItem(&item, DelayedWorkQueue);
    RtlInitAnsiString(&ansi, "x");
    RtlInitUnicodeString(&unicode, L"x");
    USE(RtlAnsiStringToUnicodeString(&unicode, &ansi, TRUE));
    USE(RtlUnicodeStringToAnsiString(&ansi, &unicode, TRUE));
    RtlCopyUnicodeString(&unicode, &unicode);
    USE(RtlEqualUnicodeString(&unicode, &unicode, TRUE));
    RtlFreeUnicodeString(&unicode);
    RtlFreeAnsiString(&ansi);
    USE(RtlCompareMemory(text, text, 1));
    RtlCopyMemory(text, "abc", 4);
    RtlMoveMemory(text, text + 1, 2);
    RtlZeroMemory(text, sizeof(text));
    RtlFillMemory(text, 2, 'x');
    USE(RtlEqualMemory(text, text, 2));
    USE(strlen(text) + wcslen(L"x"));
    USE(strcmp(text, "x") + strncmp(text, "x", 1));
    USE(_snprintf(text, sizeof(text), "%d", 1));
    USE(sprintf(text, "%d", 1));
    USE(DbgPrint("%s\n", text));
    USE(MmIsAddressValid(text));
    ProbeForRead(text, 1, 1);
    ProbeForWrite(text, 1, 1);
    if (Sink == 3)
        ExRaiseStatus(STATUS_ACCESS_VIOLATION);
}

static void Va(const char *f, ...)
{
    char text[16];
    va_list ap;
    va_start(ap, f);
    USE(_vsnprintf(text, sizeof(text), f, ap));
    va_end(ap);
}

static void Services(void)
{
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    OBJECT_ATTRIBUTES oa;
    FILE_STANDARD_INFORMATION info;
    char buffer[4];
    PVOID object;
    InitializeObjectAttributes(&oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    USE(ZwCreateFile(&h, GENERIC_WRITE, &oa, &iosb, NULL, 0, 0, FILE_OPEN_IF, 0, NULL, 0));
    USE(ZwOpenFile(&h, GENERIC_READ, &oa, &iosb, 0, 0));
    USE(ZwReadFile(h, NULL, NULL, NULL, &iosb, buffer, 4, NULL, NULL));
    USE(ZwWriteFile(h, NULL, NULL, NULL, &iosb, buffer, 4, NULL, NULL));
    USE(ZwQueryInformationFile(h, &iosb, &info, sizeof(info), FileStandardInformation));
    USE(ZwDeviceIoControlFile(h, NULL, NULL, NULL, &iosb, 0, NULL, 0, NULL, 0));
    USE(ZwClose(h));
    USE(NtCreateFile(&h, GENERIC_WRITE, &oa, &iosb, NULL, 0, 0, FILE_OPEN_IF, 0, NULL, 0));
    USE(NtOpenFile(&h, GENERIC_READ, &oa, &iosb, 0, 0));
    USE(NtReadFile(h, NULL, NULL, NULL, &iosb, buffer, 4, NULL, NULL));
    USE(NtWriteFile(h, NULL, NULL, NULL, &iosb, buffer, 4, NULL, NULL));
    USE(NtQueryInformationFile(h, &iosb, &info, sizeof(info), FileStandardInformation));
    USE(NtDeviceIoControlFile(h, NULL, NULL, NULL, &iosb, 0, NULL, 0, NULL, 0));
    USE(NtClose(h));
    USE(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, &object, NULL));
    ObReferenceObject(object);
    ObDereferenceObject(object);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    Io(DriverObject, NULL);
    Ke();
    ExRtl();
    Va("%d", 1);
    Services();
    return STATUS_SUCCESS;
}
