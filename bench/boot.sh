#!/usr/bin/env bash
# Boot benchmark (issue 2): lguest (Native AOT) against QEMU booting the same
# test-guest image, N runs each, interleaved, medians and ratios.
#   bench/boot.sh [runs] [bzImage|elf]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-10}; fmt=${2:-bzImage}
bench_setup
image=tests/guest/build/guest.$fmt
dotnet run -c Release --project bench/LguestPS.Bench -- boot out/engine/lguest "$image" "$runs"
