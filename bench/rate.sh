#!/usr/bin/env bash
# Creation rate (issue 15): N VMs started at once (the engine alone; one pwsh session with the
# module; QEMU microvm spawned like the engines), time until all guests run and until all exited,
# VMs per second. Rounds interleaved, medians.
#   bench/rate.sh [n] [rounds]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n=${1:-40}; rounds=${2:-3}
bench_setup
bench_need_kvm "$@"
pwsh=$(command -v pwsh || echo "${DOTNET_CLI_HOME:-$HOME}/.dotnet/tools/pwsh")
bench_run rate out/engine/lguest tests/guest/build/guest.elf "$n" "$rounds" "$pwsh" out/LguestPS/LguestPS.psd1
