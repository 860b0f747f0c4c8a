/*
 * The I/O manager's IRP machinery (guest/io/irp.c, with the real KEVENTs
 * of guest/ke/event.c) on the host: built -m32 so that the structures,
 * stdcall and fastcall are the guest's, under ASan/UBSan. What it checks is
 * NT's contract as drivers rely on it: where CurrentLocation and
 * Tail.Overlay.CurrentStackLocation stand in a driver and after completion,
 * completion routines (which device they see, STATUS_MORE_PROCESSING_REQUIRED),
 * STATUS_PENDING waited for, and the bugchecks for a second completion and
 * for running out of stack locations. Prints a Check-style summary line.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "iop.h"

static int checks, failures;
#define CHECK(e) do { checks++; if (!(e)) { failures++; printf("%s:%d: failed: %s\n", __FILE__, __LINE__, #e); } } while (0)

/* ---- what irp.c needs from the rest of the kernel */
static jmp_buf BugCheckJump;
static ULONG LastBugCheck;
void NTAPI KeBugCheckEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    (void)P1; (void)P2; (void)P3; (void)P4;
    LastBugCheck = Code;
    longjmp(BugCheckJump, 1);
}
PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    (void)PoolType; (void)Tag;
    return calloc(1, NumberOfBytes);
}
VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag) { (void)Tag; free(P); }
PKTHREAD NTAPI KeGetCurrentThread(void) { static KTHREAD thread; return &thread; }
/* A pended IRP is completed "later": by the wait, as a DPC would while the thread sleeps. */
static PIRP PendingIrp;
NTSTATUS NTAPI KeWaitForSingleObject(PVOID Object, ULONG WaitReason, KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
                                     PLARGE_INTEGER Timeout)
{
    (void)WaitReason; (void)WaitMode; (void)Alertable; (void)Timeout;
    if (PendingIrp)
        IopCompleteRequest(PendingIrp, STATUS_END_OF_FILE, 7);
    PendingIrp = NULL;
    CHECK(KeReadStateEvent(Object));
    return STATUS_SUCCESS;
}

/* ---- drivers */
static DRIVER_OBJECT Upper, Lower;
static DEVICE_OBJECT UpperDevice = { .DriverObject = &Upper }, LowerDevice = { .DriverObject = &Lower };
static struct { PDEVICE_OBJECT Device; CCHAR Location; PIO_STACK_LOCATION Stack; ULONG Calls; } Seen, Completion;

static NTSTATUS NTAPI Complete(PDEVICE_OBJECT Device, PIRP Irp)
{
    Seen.Device = Device;
    Seen.Location = Irp->CurrentLocation;
    Seen.Stack = IoGetCurrentIrpStackLocation(Irp);
    return IopCompleteRequest(Irp, STATUS_SUCCESS, 3);
}

static NTSTATUS NTAPI Pend(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    IoGetCurrentIrpStackLocation(Irp)->Control |= SL_PENDING_RETURNED;   /* IoMarkIrpPending */
    PendingIrp = Irp;
    return STATUS_PENDING;
}

static NTSTATUS NTAPI OnCompletion(PDEVICE_OBJECT Device, PIRP Irp, PVOID Context)
{
    Completion.Device = Device;
    Completion.Location = Irp->CurrentLocation;
    Completion.Calls++;
    return Context ? STATUS_MORE_PROCESSING_REQUIRED : STATUS_SUCCESS;
}

/* The upper driver passes the request down with a completion routine (Context: keep the IRP). */
static PVOID PassDownContext;
static NTSTATUS NTAPI PassDown(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(Irp);
    *next = *IoGetCurrentIrpStackLocation(Irp);   /* IoCopyCurrentIrpStackLocationToNext */
    next->CompletionRoutine = OnCompletion;
    next->Context = PassDownContext;
    next->Control = SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR;
    return IoCallDriver(&LowerDevice, Irp);
}

static void TestOneLocation(void)
{
    IOP_IRP packet;
    PIO_STACK_LOCATION stack = IopInitializeIrp(&packet, IRP_MJ_READ, NULL, UserMode);
    CHECK(packet.Irp.Type == IO_TYPE_IRP && packet.Irp.Size == sizeof(IOP_IRP));
    CHECK(packet.Irp.StackCount == 1 && packet.Irp.CurrentLocation == 2);
    CHECK(stack == &packet.Stack[0] && stack->MajorFunction == IRP_MJ_READ);
    CHECK(packet.Irp.RequestorMode == UserMode);
    Lower.MajorFunction[IRP_MJ_READ] = Complete;
    NTSTATUS status = IopSynchronousCall(&LowerDevice, &packet.Irp);
    CHECK(status == STATUS_SUCCESS && packet.Irp.IoStatus.Information == 3);
    CHECK(Seen.Device == &LowerDevice && Seen.Location == 1 && Seen.Stack == &packet.Stack[0]);
    CHECK(packet.Stack[0].DeviceObject == &LowerDevice);
    CHECK(packet.Irp.CurrentLocation == 3 && packet.Irp.UserEvent == NULL);
}

static void TestNoDispatchRoutine(void)
{
    IOP_IRP packet;
    IopInitializeIrp(&packet, IRP_MJ_WRITE, NULL, KernelMode);
    CHECK(IopSynchronousCall(&LowerDevice, &packet.Irp) == STATUS_INVALID_DEVICE_REQUEST);
    CHECK(packet.Irp.IoStatus.Status == STATUS_INVALID_DEVICE_REQUEST && packet.Irp.CurrentLocation == 3);
}

static void TestPending(void)
{
    IOP_IRP packet;
    IopInitializeIrp(&packet, IRP_MJ_DEVICE_CONTROL, NULL, UserMode);
    Lower.MajorFunction[IRP_MJ_DEVICE_CONTROL] = Pend;
    CHECK(IopSynchronousCall(&LowerDevice, &packet.Irp) == STATUS_END_OF_FILE);
    CHECK(packet.Irp.IoStatus.Information == 7 && packet.Irp.PendingReturned);
}

static void TestCompletionRoutine(BOOLEAN Keep)
{
    PIRP irp = IoAllocateIrp(2, FALSE);
    KEVENT done;
    IO_STATUS_BLOCK iosb = { { .Status = STATUS_PENDING }, 0 };
    CHECK(irp && irp->StackCount == 2 && irp->CurrentLocation == 3 && irp->Size == IoSizeOfIrp(2));
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    irp->UserEvent = &done;
    irp->UserIosb = &iosb;
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    Upper.MajorFunction[IRP_MJ_READ] = PassDown;
    Lower.MajorFunction[IRP_MJ_READ] = Complete;
    memset(&Completion, 0, sizeof(Completion));
    PassDownContext = Keep ? (PVOID)1 : NULL;
    CHECK(IoCallDriver(&UpperDevice, irp) == STATUS_SUCCESS);
    CHECK(Seen.Device == &LowerDevice && Seen.Location == 1);
    /* the routine in the lower driver's location sees the upper driver's device */
    CHECK(Completion.Calls == 1 && Completion.Device == &UpperDevice && Completion.Location == 2);
    if (Keep) {
        CHECK(!KeReadStateEvent(&done) && iosb.Status == STATUS_PENDING);   /* the upper driver owns the IRP again */
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
    CHECK(KeReadStateEvent(&done) && irp->CurrentLocation == 4 && Completion.Calls == 1);
    CHECK(iosb.Status == STATUS_SUCCESS && iosb.Information == 3);
    IoFreeIrp(irp);
}

static void TestBugChecks(void)
{
    IOP_IRP packet;
    IopInitializeIrp(&packet, IRP_MJ_READ, NULL, KernelMode);
    Lower.MajorFunction[IRP_MJ_READ] = Complete;
    IopSynchronousCall(&LowerDevice, &packet.Irp);
    LastBugCheck = 0;
    if (!setjmp(BugCheckJump))
        IoCompleteRequest(&packet.Irp, IO_NO_INCREMENT);
    CHECK(LastBugCheck == MULTIPLE_IRP_COMPLETE_REQUESTS);

    /* a driver passing a one-location IRP further down */
    IopInitializeIrp(&packet, IRP_MJ_READ, NULL, KernelMode);
    Upper.MajorFunction[IRP_MJ_READ] = PassDown;
    LastBugCheck = 0;
    if (!setjmp(BugCheckJump))
        IoCallDriver(&UpperDevice, &packet.Irp);
    CHECK(LastBugCheck == NO_MORE_IRP_STACK_LOCATIONS);
}

int main(void)
{
    TestOneLocation();
    TestNoDispatchRoutine();
    TestPending();
    TestCompletionRoutine(FALSE);
    TestCompletionRoutine(TRUE);
    TestBugChecks();
    printf("%d%%: Checks: %d, Failures: %d, Errors: 0\n", checks ? 100 * (checks - failures) / checks : 0, checks,
           failures);
    return failures != 0;
}
