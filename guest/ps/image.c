/*
 * The user-image loader: programs and ntdll, checked and mapped into the
 * current address space as user pages (guest/mm/image.c).
 */
#include "../inc/ps.h"
#include "../inc/mm.h"
#include "../inc/image.h"

NTSTATUS PspLoadUserImage(const PS_IMAGE_SOURCE *Image, ULONG LowestAddress, ULONG HighestAddress,
                          ULONG *EntryPoint, ULONG *ImageStart, ULONG *ImageEnd)
{
    MI_IMAGE image;
    NTSTATUS status = MiCheckImage(Image->Data, Image->Size, LowestAddress, HighestAddress, FALSE, &image);
    if (NT_SUCCESS(status))
        status = MiMapImage(&image, MM_USER, FALSE);
    if (!NT_SUCCESS(status))
        return status;
    *EntryPoint = image.Entry;
    *ImageStart = image.Start;
    *ImageEnd = image.End;
    return STATUS_SUCCESS;
}
