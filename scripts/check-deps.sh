#!/usr/bin/env bash
# check-deps.sh [--stamp-dir=DIR] PROFILE...
#
# Is what `make` needs installed? Run by mk/deps.mk once, before anything is
# compiled, for the profiles the goals need (a stamp per profile in DIR keeps
# a no-op make from asking again):
#
#   build   make, make run: compilers (host, -m32, mingw-w64), Capstone, libedit
#   test    make test: Check, clang and libFuzzer (the fuzzers), groff, tmux
#   lab     the SVM lab's tools (QEMU, cpio, busybox...), only on a host whose
#           /dev/kvm cannot run the guest (the same test as vmm/host.c)
#
# All there: prints nothing, exits 0. Something missing: one line on stdout
# (make shows it and stops), exit 1; except as root on Debian/Ubuntu, where
# it says so in one line on stderr, runs scripts/install-deps.sh and checks again.
#
# For tests, the environment may stand in for the machine:
#   CHECK_DEPS_UID, CHECK_DEPS_OS_RELEASE (default /etc/os-release),
#   CHECK_DEPS_INSTALL (default scripts/install-deps.sh), CHECK_DEPS_NEED_LAB (0/1),
#   CHECK_DEPS_BUSYBOX (where to look for busybox); CC, MINGW_CC, MINGW_ROOT,
#   MINGW_LIB and FUZZ_CC name the tools and folders checked.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CC=${CC:-gcc}
MINGW_CC=${MINGW_CC:-i686-w64-mingw32-gcc}
MINGW_ROOT=${MINGW_ROOT:-/usr/share/mingw-w64/include}
MINGW_LIB=${MINGW_LIB:-/usr/i686-w64-mingw32/lib}
MINGW64_CC=${MINGW64_CC:-x86_64-w64-mingw32-gcc}
MINGW64_LIB=${MINGW64_LIB:-/usr/x86_64-w64-mingw32/lib}
FUZZ_CC=${FUZZ_CC:-clang}
uid=${CHECK_DEPS_UID:-$(id -u)}
os_release=${CHECK_DEPS_OS_RELEASE:-/etc/os-release}
installer=${CHECK_DEPS_INSTALL:-$here/install-deps.sh}

stamp_dir=
case ${1:-} in --stamp-dir=*) stamp_dir=${1#--stamp-dir=}; shift ;; esac
[ $# -gt 0 ] || { echo "usage: check-deps.sh [--stamp-dir=DIR] build|test|lab..." >&2; exit 2; }

have() { command -v "$1" >/dev/null 2>&1; }
pc() { have pkg-config && pkg-config --exists "$1"; }
m32_libgcc() { local f; f=$("$CC" -m32 -print-libgcc-file-name 2>/dev/null) && [ -f "$f" ]; }
libfuzzer() {
    local dir
    dir=$("$FUZZ_CC" -print-resource-dir 2>/dev/null) && [ -f "$dir/lib/linux/libclang_rt.fuzzer-x86_64.a" ]
}
# Debian names the runtime after clang's major version (bookworm: libclang-rt-14-dev)
rt_package() {
    local v
    v=$("$FUZZ_CC" -dumpversion 2>/dev/null) || v=14
    echo "libclang-rt-${v%%.*}-dev"
}
static_busybox() {
    local b
    for b in ${CHECK_DEPS_BUSYBOX:-/bin/busybox /usr/bin/busybox}; do
        [ -x "$b" ] && have file && file -L "$b" | grep -q 'statically linked' && return 0
    done
    return 1
}
# vmm/host.c: the guest runs natively only with VMX or SVM, /dev/kvm, and no kvm_pvm
host_needs_lab() {
    case ${CHECK_DEPS_NEED_LAB:-} in 1) return 0 ;; 0) return 1 ;; esac
    [ -e /sys/module/kvm_pvm ] || [ ! -e /dev/kvm ] || ! grep -qwE 'vmx|svm' /proc/cpuinfo
}

missing=()   # "what (package)"
packages=()
# need WHAT PACKAGE COMMAND...: WHAT is missing unless COMMAND succeeds
need() {
    local what=$1 pkg=$2; shift 2
    "$@" && return 0
    missing+=("$what ($pkg)")
    case " ${packages[*]:-} " in *" $pkg "*) ;; *) packages+=("$pkg") ;; esac
}

check_build() {
    need "a C compiler ($CC)" build-essential have "$CC"
    need "32-bit gcc ($CC -m32)" gcc-multilib m32_libgcc
    need "pkg-config" pkg-config have pkg-config
    need "Capstone's headers" libcapstone-dev pc capstone
    need "libedit's headers (kd's prompt)" libedit-dev pc libedit
    need "mingw-w64's i686 compiler" gcc-mingw-w64-i686 have "$MINGW_CC"
    need "mingw-w64's NT and DDK headers" mingw-w64-common test -f "$MINGW_ROOT/ddk/ntddk.h"
    need "mingw-w64's import libraries" mingw-w64-i686-dev test -f "$MINGW_LIB/libntdll.a"
    need "mingw-w64's x86-64 compiler (the amd64 guest)" gcc-mingw-w64-x86-64 have "$MINGW64_CC"
    need "mingw-w64's x86-64 import libraries" mingw-w64-x86-64-dev test -f "$MINGW64_LIB/libntdll.a"
}
check_test() {
    need "Check (pkg-config check)" check pc check
    need "clang (the fuzzers)" clang have "$FUZZ_CC"
    need "libFuzzer's runtime" "$(rt_package)" libfuzzer
    need "groff (the man page test)" groff-base have groff
    need "tmux (kd's prompt test)" tmux have tmux
}
check_lab() {
    host_needs_lab || return 0
    need "qemu-system-x86_64 (the SVM lab)" qemu-system-x86 have qemu-system-x86_64
    need "cpio" cpio have cpio
    need "file" file have file
    need "xz" xz-utils have xz
    need "zstd" zstd have zstd
    need "a static busybox" busybox-static static_busybox
}

check() {
    local p
    missing=() packages=()
    for p in "$@"; do
        case $p in
            build) check_build ;;
            test) check_test ;;
            lab) check_lab ;;
            *) echo "check-deps: unknown profile '$p'" >&2; exit 2 ;;
        esac
    done
    [ ${#missing[@]} -eq 0 ]
}

debian_like() {
    [ -r "$os_release" ] || return 1
    local id id_like
    id=$(. "$os_release" && echo "${ID:-}")
    id_like=$(. "$os_release" && echo "${ID_LIKE:-}")
    case " $id $id_like " in *" debian "*|*" ubuntu "*) return 0 ;; esac
    return 1
}

joined() { local IFS=,; echo "${missing[*]}" | sed 's/,/, /g'; }

if ! check "$@"; then
    if [ "$uid" -eq 0 ] && debian_like; then
        echo "ntvisor: missing $(joined): running scripts/install-deps.sh" >&2
        "$installer" >&2 || { echo "ntvisor: scripts/install-deps.sh failed"; exit 1; }
        check "$@" || { echo "ntvisor: still missing after scripts/install-deps.sh: $(joined)"; exit 1; }
    elif debian_like; then
        echo "ntvisor: missing $(joined): run sudo scripts/install-deps.sh"
        exit 1
    else
        echo "ntvisor: missing $(joined): install them (Debian/Ubuntu: apt-get install ${packages[*]})"
        exit 1
    fi
fi
if [ -n "$stamp_dir" ]; then
    mkdir -p "$stamp_dir" && for p in "$@"; do touch "$stamp_dir/$p"; done
fi
exit 0
