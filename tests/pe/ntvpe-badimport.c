/*
 * A PE driver importing a routine ntoskrnl.exe does not export (through an
 * import library made from badimport.def): the loader reports the name and
 * refuses the driver with STATUS_ENTRYPOINT_NOT_FOUND; the system boots on.
 */
#include <ntddk.h>

__declspec(dllimport) VOID NTAPI NtvNoSuchRoutine(VOID);

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    DbgPrint("ntvpe-badimport: DriverEntry ran (it must not)\n");
    NtvNoSuchRoutine();
    return STATUS_SUCCESS;
}
