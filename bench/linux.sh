#!/usr/bin/env bash
# Minimal-Linux boot benchmark (issues 6 and 15): the test kernel with the busybox initramfs, disk,
# rng and console, under lguest and QEMU pc: spawn to userspace by the boot timer (the same /init
# writes the same port: lguest's boot-time event, QEMU's isa-debugcon), the virtio-blk probe, the
# shell. N runs each, interleaved.
#   bench/linux.sh [runs]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-3}
bench_setup
vmlinux=$(tests/fixtures/minimal-kernel/build.sh | sed -n 's/^VMLINUX=//p')
initramfs=$(tests/fixtures/busybox/initramfs.sh | sed -n 's/^INITRAMFS_BUSYBOX=//p')
bench_need_kvm "$@"
bench_run linux out/engine/lguest "$vmlinux" "$initramfs" "$runs"
