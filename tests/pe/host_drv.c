/*
 * A driver-shaped DLL for tests/test_pe.c (built by mk/pe-host.mk with
 * mingw-w64, never loaded): exports by name (stdcall, cdecl, data), a
 * fastcall and a static function only its COFF symbol table names, and
 * DriverEntry@8 as its entry.
 */
__declspec(dllexport) int HostExportedData = 5;

static __attribute__((noinline)) int HostLocal(int a)
{
    return a + HostExportedData;
}

__declspec(dllexport) int __stdcall HostStd(int a, int b)
{
    return HostLocal(a) + b;
}

__declspec(dllexport) int __cdecl HostCdecl(int a)
{
    return a;
}

__attribute__((noinline)) int __fastcall HostFast(int a, int b)
{
    return a - b;
}

long __stdcall DriverEntry(void *DriverObject, void *RegistryPath)
{
    return HostFast((int)DriverObject, (int)RegistryPath) + HostStd(1, 2) + HostCdecl(3);
}
