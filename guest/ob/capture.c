/*
 * Capturing OBJECT_ATTRIBUTES from the caller of a service: the structure
 * and its UNICODE_STRING are copied (probed when the previous mode is User)
 * and the name's characters land in pool, so that nothing the caller does
 * afterwards can change what the kernel checked. A user-mode caller cannot
 * ask for a kernel handle: OBJ_KERNEL_HANDLE is dropped, as NT does.
 */
#include "../inc/ob.h"
#include "../inc/ke.h"
#include "../inc/mm.h"

#define OB_NAME_TAG 0x6D614E4F   /* 'ONam' */

NTSTATUS ObpCaptureObjectAttributes(POBJECT_ATTRIBUTES ObjectAttributes, KPROCESSOR_MODE PreviousMode,
                                    POB_CAPTURED_ATTRIBUTES Captured)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    NTSTATUS status;

    Captured->Attributes = 0;
    Captured->RootDirectory = NULL;
    Captured->ObjectName.Length = Captured->ObjectName.MaximumLength = 0;
    Captured->ObjectName.Buffer = NULL;
    if (!ObjectAttributes)
        return STATUS_SUCCESS;

    status = MmCopyFromCaller(&oa, ObjectAttributes, sizeof(oa), sizeof(ULONG));
    if (!NT_SUCCESS(status))
        return status;
    if (oa.Length != sizeof(OBJECT_ATTRIBUTES) || (oa.Attributes & ~OBJ_VALID_ATTRIBUTES))
        return STATUS_INVALID_PARAMETER;
    if (PreviousMode != KernelMode)
        oa.Attributes &= ~OBJ_KERNEL_HANDLE;
    Captured->Attributes = oa.Attributes;
    Captured->RootDirectory = oa.RootDirectory;
    if (!oa.ObjectName)
        return STATUS_SUCCESS;

    status = MmCopyFromCaller(&name, oa.ObjectName, sizeof(name), sizeof(ULONG));
    if (!NT_SUCCESS(status))
        return status;
    if (name.Length == 0)
        return STATUS_SUCCESS;
    if ((name.Length & 1) || name.Length > name.MaximumLength)
        return STATUS_OBJECT_NAME_INVALID;
    if (name.Length > EX_POOL_MAX_ALLOCATION)
        return STATUS_OBJECT_NAME_INVALID;
    PWSTR buffer = ExAllocatePoolWithTag(PagedPool, name.Length, OB_NAME_TAG);
    if (!buffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = MmCopyFromCaller(buffer, name.Buffer, name.Length, sizeof(WCHAR));
    if (!NT_SUCCESS(status)) {
        ExFreePoolWithTag(buffer, OB_NAME_TAG);
        return status;
    }
    Captured->ObjectName.Buffer = buffer;
    Captured->ObjectName.Length = Captured->ObjectName.MaximumLength = name.Length;
    return STATUS_SUCCESS;
}

VOID ObpReleaseCapturedAttributes(POB_CAPTURED_ATTRIBUTES Captured)
{
    if (Captured->ObjectName.Buffer)
        ExFreePoolWithTag(Captured->ObjectName.Buffer, OB_NAME_TAG);
    Captured->ObjectName.Buffer = NULL;
}
