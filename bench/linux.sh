#!/usr/bin/env bash
# Minimal-Linux boot benchmark (issue 6): lguest vs QEMU, same kernel and devices, N runs each.
#   bench/linux.sh [runs]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-3}
bench_setup
vmlinux=$(tests/fixtures/minimal-kernel/build.sh | sed -n 's/^VMLINUX=//p')
dotnet run -c Release --project bench/LguestPS.Bench -- linux out/engine/lguest "$vmlinux" "$runs"
