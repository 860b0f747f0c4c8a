#!/usr/bin/env bash
# build-lab.sh OUTDIR INIT_BINARY
#
# Builds the "SVM lab": a Debian kernel plus a tiny initramfs in which
# kvm_amd runs on QEMU's emulated AMD-V (see vmm/lab/lab.c, vmm/lab/lab_init.c).
#
# Produces in OUTDIR:
#   vmlinux         uncompressed kernel ELF (QEMU boots it via PVH, fast)
#   modules/*.ko    irqbypass, kvm, ccp, kvm-amd, virtio-serial (decompressed, debug-stripped)
#   base.cpio       newc initramfs: /init (INIT_BINARY), /bin/busybox, /bin/sh,
#                   /lib/modules-ntv/NN-*.ko in load order, /dev /proc /sys /tmp /ntv
#   .stamp          written last; its presence means the lab is complete
#
# Cached: the kernel part is kept (OUTDIR/.kernel-stamp) and the initramfs is
# rebuilt only when INIT_BINARY or busybox changed. Delete OUTDIR to pick up
# a newer Debian kernel.
set -euo pipefail

prog=build-lab
die() { echo "$prog: error: $*" >&2; exit 1; }
note() { echo "$prog: $*" >&2; }

[ $# -eq 2 ] || { echo "usage: $0 OUTDIR INIT_BINARY" >&2; exit 2; }
out=$1
init=$2

[ -f "$init" ] || die "init binary '$init' not found (build it first: make \$(BUILD)/lab/init)"
for tool in apt-cache apt-get dpkg-deb cpio file strip sha256sum xz zstd gzip; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "'$tool' not found; run scripts/install-deps.sh (as root)"
done
file -L "$init" | grep -Eq 'statically linked|static-pie linked' ||
    die "init binary '$init' is not statically linked"

busybox=
for cand in /bin/busybox /usr/bin/busybox; do
    if [ -x "$cand" ] && file -L "$cand" | grep -q 'statically linked'; then
        busybox=$cand; break
    fi
done

mkdir -p "$out"
out=$(cd "$out" && pwd)

want_stamp() {
    # Everything that determines base.cpio.
    printf 'kernel=%s\ninit=%s\nbusybox=%s\nscript=%s\n' \
        "$(cat "$out/.kernel-stamp")" \
        "$(sha256sum < "$init" | cut -d' ' -f1)" \
        "$( [ -n "$busybox" ] && sha256sum < "$busybox" | cut -d' ' -f1 || echo download)" \
        "$(sha256sum < "${BASH_SOURCE[0]}" | cut -d' ' -f1)"
}

if [ -f "$out/.stamp" ] && [ -f "$out/.kernel-stamp" ] && [ -f "$out/vmlinux" ] &&
   [ -f "$out/base.cpio" ] && [ "$(want_stamp)" = "$(cat "$out/.stamp")" ]; then
    touch "$out/.stamp"   # up to date (keeps make from asking again)
    exit 0
fi
# From here on the lab is incomplete until .stamp is written again.
rm -f "$out/.stamp"

work=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- 1. kernel and modules (cached separately) -----------------------------
extract_vmlinux() { # vmlinuz dest
    local src=$1 dst=$2 magic tool off
    for spec in 'xz:\xfd\x37\x7a\x58\x5a\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
        tool=${spec%%:*}
        magic=${spec#*:}
        for off in $(LC_ALL=C grep -obUaP "$magic" "$src" | cut -d: -f1); do
            case $tool in
                xz)   tail -c +$((off + 1)) "$src" | xz -dc --single-stream > "$dst" 2>/dev/null || true ;;
                zstd) tail -c +$((off + 1)) "$src" | zstd -dcq > "$dst" 2>/dev/null || true ;;
                gzip) tail -c +$((off + 1)) "$src" | gzip -dcq > "$dst" 2>/dev/null || true ;;
            esac
            if file "$dst" | grep -q 'ELF 64-bit'; then
                note "vmlinux: $tool payload at offset $off"
                return 0
            fi
        done
    done
    return 1
}

find_module() { # tree name -> path of name.ko[.xz|.zst|.gz]
    find "$1" -type f \( -name "$2.ko" -o -name "$2.ko.xz" -o -name "$2.ko.zst" -o -name "$2.ko.gz" \) | head -n 1
}

# virtio*: the result channel is a virtio-serial port (vmm/lab/protocol.h)
modules="irqbypass kvm ccp kvm-amd virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_console"

kernel_ok() {
    [ -f "$out/.kernel-stamp" ] && [ -f "$out/vmlinux" ] || return 1
    for m in $modules; do [ -f "$out/modules/$m.ko" ] || return 1; done
}

if ! kernel_ok; then
    rm -f "$out/.kernel-stamp"
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
          awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
    [ -n "$pkg" ] || die "cannot resolve the kernel package from the linux-image-amd64 metapackage (apt-cache depends failed; run 'apt-get update' as root)"
    abi=${pkg#linux-image-}
    note "kernel package $pkg"
    mkdir -p "$work/deb" "$work/k"
    ( cd "$work/deb" && apt-get download "$pkg" >"$work/apt.log" 2>&1 ) || {
        sed 's/^/  /' "$work/apt.log" >&2
        die "apt-get download $pkg failed (network to the Debian archive? stale lists: apt-get update)"
    }
    dpkg-deb -x "$work"/deb/*.deb "$work/k" || die "dpkg-deb -x failed for $pkg"
    vmlinuz=$work/k/boot/vmlinuz-$abi
    [ -f "$vmlinuz" ] || die "$pkg has no boot/vmlinuz-$abi"
    extract_vmlinux "$vmlinuz" "$work/vmlinux" ||
        die "could not find a compressed kernel ELF inside $vmlinuz"
    mkdir -p "$work/modules"
    for m in $modules; do
        src=$(find_module "$work/k/lib/modules/$abi" "$m")
        [ -n "$src" ] || die "module $m not found in $pkg"
        case $src in
            *.xz)  xz -dc "$src"   > "$work/modules/$m.ko" ;;
            *.zst) zstd -dcq "$src" > "$work/modules/$m.ko" ;;
            *.gz)  gzip -dc "$src" > "$work/modules/$m.ko" ;;
            *)     cp "$src" "$work/modules/$m.ko" ;;
        esac
        strip --strip-debug "$work/modules/$m.ko" || die "strip failed on $m.ko"
        file "$work/modules/$m.ko" | grep -q 'ELF 64-bit.*relocatable' ||
            die "$m.ko is not a kernel module"
    done
    rm -rf "$out/modules"
    mv "$work/modules" "$out/modules"
    mv "$work/vmlinux" "$out/vmlinux"
    echo "$pkg" > "$work/kernel-stamp"
    mv "$work/kernel-stamp" "$out/.kernel-stamp"
    rm -rf "$work/deb" "$work/k"
fi

# --- 2. busybox ---------------------------------------------------------------
if [ -z "$busybox" ]; then
    mkdir -p "$work/bb" "$work/bbx"
    ( cd "$work/bb" && apt-get download busybox-static >"$work/apt.log" 2>&1 ) || {
        sed 's/^/  /' "$work/apt.log" >&2
        die "apt-get download busybox-static failed"
    }
    dpkg-deb -x "$work"/bb/*.deb "$work/bbx" || die "dpkg-deb -x failed for busybox-static"
    busybox=$work/bbx/bin/busybox
    [ -x "$busybox" ] || die "busybox-static has no bin/busybox"
fi

# --- 3. base.cpio -------------------------------------------------------------
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,ntv,lib/modules-ntv}
chmod 1777 "$root/tmp"
install -m 0755 "$init" "$root/init"
install -m 0755 "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
i=1
for m in $modules; do
    install -m 0644 "$out/modules/$m.ko" "$root/lib/modules-ntv/$(printf '%02d' $i)-$m.ko"
    i=$((i + 1))
done
( cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
      cpio -o -H newc --owner=0:0 --quiet ) > "$work/base.cpio" ||
    die "cpio failed"
mv "$work/base.cpio" "$out/base.cpio"

want_stamp > "$work/stamp"
mv "$work/stamp" "$out/.stamp"
note "lab ready in $out ($(du -h "$out/base.cpio" | cut -f1) base.cpio, kernel $(cat "$out/.kernel-stamp"))"
