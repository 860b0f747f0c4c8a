#!/usr/bin/env bash
# Installs what building and testing ntvisor needs on Debian 12 (bookworm)
# (and, best effort, on other Debian and Ubuntu releases). `make` runs it by
# itself as root when scripts/check-deps.sh finds something missing.
# clang and its libFuzzer runtime (libclang-rt-14-dev) build the fuzzers (mk/fuzz.mk).
# mingw-w64 builds the guest's PE images (ntdll, programs, drivers) against
# its own NT and DDK headers.
# libedit is kd's prompt (static: with libbsd and terminfo, which libedit-dev brings);
# tmux drives it in tests/test_kd_tmux.c; groff checks the man page (tests/test_manpage.c).
# QEMU comes from bookworm-backports on bookworm: the SVM lab needs QEMU >= 9.1
# for hardware breakpoints inside the nested guest (only hosts whose /dev/kvm
# cannot run the guest need the lab).
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: run as root (apt-get needs it)" >&2
    exit 1
fi

codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
backports=/etc/apt/sources.list.d/ntvisor-bookworm-backports.sources
if [ "$codename" = bookworm ] &&
   ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    cat > "$backports" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    build-essential gcc-multilib binutils pkg-config check \
    libcapstone-dev libedit-dev python3 cpio busybox-static kmod xz-utils zstd file \
    gcc-mingw-w64-i686 mingw-w64-i686-dev gcc-mingw-w64-x86-64 mingw-w64-x86-64-dev mingw-w64-common \
    clang groff-base tmux \
    >/dev/null
# libFuzzer's runtime is named after clang's major version (bookworm: 14)
apt-get install -y -qq --no-install-recommends "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev" >/dev/null
if [ "$codename" = bookworm ]; then
    apt-get install -y -qq --no-install-recommends -t bookworm-backports qemu-system-x86 >/dev/null
else
    apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null
fi
echo "install-deps: done ($(qemu-system-x86_64 --version | head -n 1))"
