#!/usr/bin/env bash
# Module start-up benchmark: Start-LguestVm to its return (once the engine said ready), to the first
# console record and to the test guest's last line, against the engine started alone. N runs each, medians.
#   bench/module.sh [runs]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-5}
bench_setup
bench_run module out/engine/lguest tests/guest/build/guest.bzImage "$runs"
