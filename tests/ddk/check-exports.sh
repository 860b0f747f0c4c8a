#!/bin/sh
# Compares the kernel's DDK exports with what a mingw-w64 driver imports.
#   check-exports.sh PAIRS EXPORTS.o IMPORTS.o IMPORTS.sys
# PAIRS: "DDK_EXPORT module name symbol" lines (cpp of tests/ddk/exports.c);
# EXPORTS.o: exports.c compiled by mingw-w64 from the kernel's declarations;
# IMPORTS.o/.sys: imports.c, a driver compiled and linked against the DDK.
# Fails, naming each difference, unless: the list is sorted by module then
# name; every import is exported, from the same module, with the same
# decorated name (so the same convention and argument bytes); and every
# export but those below is imported (so each is checked).
set -eu
pairs=$1 exports_o=$2 imports_o=$3 imports_sys=$4
NM=${NM:-i686-w64-mingw32-nm}
OBJDUMP=${OBJDUMP:-i686-w64-mingw32-objdump}
# mingw-w64's wdm.h makes KeInitializeSpinLock inline on x86; NT (and older DDKs) export it
unimported='KeInitializeSpinLock'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C
fail=0

awk '$1 == "DDK_EXPORT" { print $2, $3, $4 }' "$pairs" > "$tmp/pairs"
awk '{ print $1, $2 }' "$tmp/pairs" > "$tmp/listed"
if ! sort -c -k1,1 -k2,2 "$tmp/listed" 2>/dev/null; then
    echo "sysexports.inc: not sorted by module, then name"; fail=1
fi

# decorated name of each export: the symbol's decoration with the export's name
$NM -u "$exports_o" | awk '{ print $2 }' > "$tmp/symbols"
while read -r module name symbol; do
    d=$(grep -E "^[_@]$symbol(@[0-9]+)?\$" "$tmp/symbols" || true)
    [ -n "$d" ] || { echo "$name: no reference to $symbol in $exports_o"; fail=1; continue; }
    echo "$module $(printf '%s' "$d" | sed "s/$symbol/$name/")"
done < "$tmp/pairs" | sort > "$tmp/exported"

# what the driver imports: module from the PE import table, decoration from its object
$OBJDUMP -p "$imports_sys" | awk '
    /DLL Name:/ { m = tolower($3); sub(/\.(dll|exe)$/, "", m); next }
    m != "" && NF == 3 && $1 ~ /^[0-9a-f]+$/ { print $3, m }
    NF == 0 { m = "" }' | sort > "$tmp/modules"
$NM -u "$imports_o" | awk '{ s = $2; sub(/^__imp_/, "", s); print s }' > "$tmp/decorated"
while read -r name module; do
    d=$(grep -E "^[_@]$name(@[0-9]+)?\$" "$tmp/decorated" || true)
    echo "$module ${d:-?$name}"
done < "$tmp/modules" | sort > "$tmp/imported"

comm -13 "$tmp/exported" "$tmp/imported" | sed 's/^/imported but not exported so: /'
comm -23 "$tmp/exported" "$tmp/imported" | while read -r module d; do
    n=$(printf '%s' "$d" | sed 's/^[_@]//; s/@[0-9]*$//')
    case " $unimported " in *" $n "*) continue ;; esac
    echo "exported but not imported by $imports_sys: $module $d"
done > "$tmp/unused"
cat "$tmp/unused"
if [ -n "$(comm -13 "$tmp/exported" "$tmp/imported")" ] || [ -s "$tmp/unused" ]; then fail=1; fi
exit $fail
