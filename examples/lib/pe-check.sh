#!/bin/sh
# examples/lib, ours: checks a linked image the way the guest will load it.
#   pe-check.sh program FILE.exe   entry _NtProcessStartup@4, imports from ntdll.dll only
#   pe-check.sh driver FILE.sys    entry _DriverEntry@8, imports from ntoskrnl.exe and hal.dll only, a .reloc
# A wrong entry decoration does not fail the link: ld puts the entry at the start of .text.
set -eu
kind=$1 file=$2
OBJDUMP=${OBJDUMP:-i686-w64-mingw32-objdump}
NM=${NM:-i686-w64-mingw32-nm}
case $kind in
program) entry=_NtProcessStartup@4 dlls='ntdll.dll' ;;
driver)  entry=_DriverEntry@8 dlls='ntoskrnl.exe hal.dll' ;;
*) echo "pe-check.sh: program or driver, not '$kind'" >&2; exit 2 ;;
esac
headers=$($OBJDUMP -p "$file")
fail() { echo "pe-check.sh: $file: $*" >&2; exit 1; }

base=$(printf '%s\n' "$headers" | awk '$1 == "ImageBase" { print $2 }')
rva=$(printf '%s\n' "$headers" | awk '$1 == "AddressOfEntryPoint" { print $2 }')
sym=$($NM "$file" | awk -v e="$entry" '$3 == e && ($2 == "T" || $2 == "t") { print $1 }')
[ -n "$sym" ] || fail "no symbol $entry"
[ $((0x$base + 0x$rva)) -eq $((0x$sym)) ] || fail "entry point 0x$rva is not $entry (0x$sym - 0x$base)"
printf '%s\n' "$headers" | grep -q 'Subsystem.*(NT native)' || fail "subsystem is not native"

for dll in $(printf '%s\n' "$headers" | awk '$1 == "DLL" && $2 == "Name:" { print tolower($3) }'); do
    case " $dlls " in *" $dll "*) ;; *) fail "imports from $dll (only $dlls)" ;; esac
done
if [ "$kind" = driver ]; then
    printf '%s\n' "$headers" | grep -q 'Base Relocation Directory' || fail "no base relocations"
fi
