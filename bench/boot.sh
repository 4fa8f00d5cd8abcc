#!/usr/bin/env bash
# Boot benchmark (issues 2 and 15): the test guest's ELF under lguest, QEMU pc (SeaBIOS) and QEMU
# microvm (PVH, no firmware), N runs each, interleaved; medians and both ratios.
#   bench/boot.sh [runs]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-10}
bench_setup
bench_need_kvm "$@"
bench_run boot out/engine/lguest tests/guest/build/guest.elf "$runs"
