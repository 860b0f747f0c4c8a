/*
 * Every entry of guest/mm/sysexports.inc as the kernel's table will
 * hold it, with the declarations the kernel's headers give. Compiled twice
 * (mk/ddk-layout.mk): with the guest's flags and linked with the kernel's
 * objects, so that a name the kernel lacks fails the link; and with
 * i686-w64-mingw32-gcc, whose decorated references (_Name@bytes stdcall,
 * @Name@bytes fastcall, _Name cdecl or data) are compared with those of a
 * mingw-w64 driver importing every export (imports.c) -- the conventions.
 */
#include "../../guest/inc/iop.h"
#include "../../guest/inc/zw.h"
#include "../../guest/inc/ex.h"
#include "../../guest/inc/ke.h"
#include "../../guest/inc/ob.h"
#include "../../guest/inc/ps.h"
#include "../../guest/inc/mm.h"
#include "../../guest/inc/rtl.h"
#include "../../guest/inc/hal.h"

#ifdef DDK_EXPORT_LIST
/* cpp -DDDK_EXPORT_LIST: one "DDK_EXPORT module name symbol" line each, names as the includer sees them */
#define EXPORT_AS(module, name, symbol) DDK_EXPORT module name symbol
#include "../../guest/mm/sysexports.inc"
#else
typedef struct { const char *Module, *Name; ULONG_PTR Address; } DDK_EXPORT;

#define EXPORT_AS(module, name, symbol) { #module, #name, (ULONG_PTR)&symbol },
const DDK_EXPORT KiDdkExports[] = {
#include "../../guest/mm/sysexports.inc"
};
#endif
