#!/usr/bin/env bash
# Block throughput benchmark (issue 3): lguest vs QEMU virtio-blk-pci, same test-guest image and disk file.
#   bench/blk.sh [runs]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-5}
bench_setup
bench_run blk out/engine/lguest tests/guest/build/guest.bzImage "$runs"
