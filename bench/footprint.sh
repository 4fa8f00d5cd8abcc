#!/usr/bin/env bash
# Footprint benchmark (issue 15): the engine's memory beyond its guest's RAM (its own --verbose
# figure: peak RSS minus resident guest RAM) and its start-to-ready time, for the test guest with
# console, block and rng; one row per engine variant: publish options (each a Native AOT publish of
# a copy of the sources, cached under out/bench/engines/) and runtime settings (DOTNET_* GC and
# stack knobs on the shipped engine). N runs each, interleaved, medians.
#   bench/footprint.sh [runs] [name=<lguest>[@VAR=value,...]]...   (extra variants: e.g. a branch's engine)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-5}; shift || true
bench_setup
engines=out/bench/engines

# One Native AOT publish per set of MSBuild properties, from a copy of the engine's sources (so the
# main build's obj/ is not touched); skipped when the same properties and sources were published.
variant() {
  local name=$1; shift
  local dir=$engines/$name stamp
  stamp=$( (echo "$*"; find src/LguestPS.Engine src/LguestPS.Contract -name '*.cs' -o -name '*.csproj' | sort | xargs cat) | sha256sum | cut -c1-16)
  if [ -z "${BENCH_PREBUILT:-}" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$dir" && mkdir -p "$dir/src"
    tar -C src --exclude=bin --exclude=obj -cf - LguestPS.Engine LguestPS.Contract | tar -C "$dir/src" -xf -
    dotnet publish "$dir/src/LguestPS.Engine" -c Release -r linux-x64 -o "$dir/bin" -nologo -v q "$@" >&2
    echo "$stamp" > "$dir/stamp"
  fi
  echo "$name=$dir/bin/lguest"
}

specs=(
  "shipped=out/engine/lguest"
  "$(variant speed -p:OptimizationPreference=Speed)"
  "$(variant icu -p:InvariantGlobalization=false)"
  "$(variant resource-strings -p:UseSystemResourceKeys=false)"
  "$(variant concurrent-gc -p:ConcurrentGarbageCollection=true)"
  "gen0-256K=out/engine/lguest@DOTNET_GCgen0size=0x40000"
  "gen0-1M=out/engine/lguest@DOTNET_GCgen0size=0x100000"
  "conserve-memory=out/engine/lguest@DOTNET_GCConserveMemory=9"
  "heap-hard-limit-16M=out/engine/lguest@DOTNET_GCHeapHardLimit=0x1000000"
  "stacks-8M=out/engine/lguest@DOTNET_Thread_DefaultStackSize=0x800000"
  "$@"
)
bench_need_kvm
bench_run footprint tests/guest/build/guest.elf "$runs" "${specs[@]}"
