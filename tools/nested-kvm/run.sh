#!/usr/bin/env bash
# Nested KVM for machines whose own KVM does not bind.
#
# Some of our machines are themselves PVM guests: kvm_pvm is loaded but says
# "this kernel is itself a kvm-pvm guest; not binding", and /dev/kvm does not
# exist, so every engine test that needs KVM is skipped. This boots an L1
# Linux (Debian's kernel, a busybox initramfs) under QEMU's TCG with emulated
# SVM and nested paging; kvm_amd binds there and gives a real /dev/kvm. The L1
# mounts this machine's root over 9p and runs the command chrooted into it, so
# the engine, the test guest and `dotnet test` run unchanged against a real
# KVM. Slow (TCG): an engine run costs ~40 s of L1 boot plus the run; `dotnet
# test` adds minutes of JIT. A verification tool, not part of the test suite.
#
# Usage: tools/nested-kvm/run.sh <dir> <command...>
#   Runs <command> with bash in <dir> inside the L1; prints its output and
#   exits with its exit code (99: the L1 did not finish; its console is shown).
#   NESTED_MEM (MiB, default 6144), NESTED_CPUS (default 1: with 2 the L1 hit soft lockups at boot), NESTED_TIMEOUT (s).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kpkg=linux-image-6.1.0-57-amd64
kver=${kpkg#linux-image-}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/lguestps/nested-kvm
key=$(cat "$here/init" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-12)
initrd=$cache/initrd-$key.cpio
kernel=$cache/root/boot/vmlinuz-$kver

build() {
    mkdir -p "$cache"
    command -v qemu-system-x86_64 >/dev/null && [ -x /bin/busybox ] ||
        { echo "nested-kvm: needs qemu-system-x86 and busybox-static (build/packages.txt)" >&2; exit 1; }
    if [ ! -s "$kernel" ]; then
        (cd "$cache" && apt-get download "$kpkg" >/dev/null 2>&1) ||
            { echo "nested-kvm: apt-get download $kpkg failed" >&2; exit 1; }
        rm -rf "$cache/root" && dpkg-deb -x "$cache/$kpkg"_*.deb "$cache/root"
    fi
    local ir=$cache/ir.$$ mods=$cache/root/lib/modules/$kver
    rm -rf "$ir" && mkdir -p "$ir"/{bin,proc,sys,dev,mods,host,tmp}
    cp /bin/busybox "$ir/bin/busybox"
    install -m 755 "$here/init" "$ir/init"
    declare -A seen=()
    add() {
        local m=$1 f d
        [ -n "${seen[$m]:-}" ] && return; seen[$m]=1
        f=$(find "$mods" \( -name "$m.ko" -o -name "${m//-/_}.ko" \) | head -n1)
        [ -n "$f" ] || { echo "nested-kvm: no module $m in $kpkg" >&2; exit 1; }
        for d in $(/sbin/modinfo -F depends "$f" | tr , ' '); do add "$d"; done
        cp "$f" "$ir/mods/" && basename "$f" >> "$ir/mods/order"
    }
    for m in kvm-amd virtio_pci 9pnet_virtio 9p tun bridge; do add "$m"; done
    (cd "$ir" && find . | cpio -o -H newc --quiet) > "$initrd.tmp" && mv "$initrd.tmp" "$initrd"
    rm -rf "$ir"
}
[ -s "$initrd" ] && [ -s "$kernel" ] || build

[ $# -ge 2 ] || { sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 2; }
dir=$(cd "$1" && pwd); shift
mkdir -p "$cache/jobs"
# Each run is a 6 GiB QEMU using every core: at most NESTED_SLOTS (default 3)
# run at once on one machine; the rest wait here for a free slot.
slots=${NESTED_SLOTS:-3} got=
while [ -z "$got" ]; do
    for i in $(seq 1 "$slots"); do
        exec 9>"$cache/slot.$i"
        if flock -n 9; then got=$i; break; fi
    done
    [ -n "$got" ] || sleep 2
done
job=$(mktemp -d "$cache/jobs/job.XXXXXX")
printf 'cd %q && %s\n' "$dir" "$*" > "$job/cmd"
timeout "${NESTED_TIMEOUT:-3600}" qemu-system-x86_64 -accel tcg,thread=multi -cpu max \
    -smp "${NESTED_CPUS:-1}" -m "${NESTED_MEM:-6144}" -nographic -no-reboot \
    -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 quiet panic=-1 nested.job=$job" \
    -virtfs local,path=/,mount_tag=host,security_model=none,multidevs=remap,id=host \
    > "$job/console" 2>&1 || true
cat "$job/out" 2>/dev/null || true
rc=$(cat "$job/rc" 2>/dev/null || echo 99)
if [ "$rc" = 99 ]; then echo "nested-kvm: the L1 did not finish; its console:" >&2; tail -n 20 "$job/console" >&2; fi
rm -rf "$job"
exit "$rc"
