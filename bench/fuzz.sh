#!/usr/bin/env bash
# Coverage-guided fuzzing of the engine with SharpFuzz and AFL++ (not part of CI).
#
#   bench/fuzz.sh [minutes] [target...]     default: 1 minute each, every target
#   bench/fuzz.sh --seeds                   rewrites the seed corpus (tests/fuzz/corpus) from tests/fuzz/Targets/Seeds.cs
#
# Targets (tests/fuzz/Targets): ring (split virtqueue), pci (virtio-pci transport), block and net (request
# headers and chains), kernel (bzImage/ELF loaders and the boot plan), cli (the option parser).
#
# One target at a time (the machine's cores are shared): the harness is published, lguest.dll is
# instrumented with `sharpfuzz`, and afl-fuzz runs it for the given time, starting from the committed seeds.
# Afterwards a table of executions, speed, coverage and findings per target; each finding is replayed and
# copied to tests/fuzz/crashes/<target>/, where the engine tests pick it up as a regression test once it is
# fixed. Findings and AFL's queues stay in out/fuzz/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$HOME/.dotnet/tools:$PATH"

harness=tests/fuzz/LguestPS.Fuzz.csproj
bin=$root/out/fuzz/bin
corpus=$root/tests/fuzz/corpus

need() { command -v "$1" >/dev/null || { echo "fuzz.sh: $1 is missing: $2" >&2; exit 1; }; }
need afl-fuzz "apt-get install afl++"
need sharpfuzz "dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0"

publish() {
    rm -rf "$bin"
    mkdir -p "$root/out"
    # A build, not a publish: the engine project is published Native AOT, and the harness needs it as IL.
    dotnet build "$harness" -c Release -o "$bin" -nologo -v q > "$root/out/fuzz-build.log" 2>&1 || {
        tail -20 "$root/out/fuzz-build.log" >&2; exit 1; }
}

if [[ "${1:-}" == "--seeds" ]]; then
    publish
    rm -rf "$corpus"
    dotnet "$bin/LguestPS.Fuzz.dll" --seeds "$corpus"
    find "$corpus" -type f | sort
    exit 0
fi

minutes=${1:-1}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(ring pci block net kernel cli)

publish
# Only the engine is instrumented: coverage of the runtime and of the harness would be noise.
sharpfuzz "$bin/lguest.dll" >/dev/null

export AFL_SKIP_BIN_CHECK=1                       # dotnet itself carries no AFL instrumentation
export AFL_NO_UI=1
export AFL_SKIP_CPUFREQ=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1    # no need to touch the host's core_pattern
export AFL_NO_AFFINITY=1                          # the cores are shared: no pinning
export DOTNET_TieredPGO=0

printf '%-8s %12s %10s %10s %8s %8s\n' target execs 'execs/s' edges paths crashes > "$root/out/fuzz/summary.txt"
for t in "${targets[@]}"; do
    out=$root/out/fuzz/$t
    rm -rf "$out"
    mkdir -p "$out"
    run=(dotnet "$bin/LguestPS.Fuzz.dll" "$t")
    # The net target makes a tap: it runs in a network namespace of its own, where its frames go nowhere.
    [[ $t == net ]] && run=(unshare -n "${run[@]}")
    echo "== $t: $minutes minute(s)"
    afl-fuzz -i "$corpus/$t" -o "$out" -V $((minutes * 60)) -t 10000 -m none -- "${run[@]}" > "$out/afl.log" 2>&1 || {
        echo "afl-fuzz failed for $t; the end of its log:" >&2; tail -20 "$out/afl.log" >&2; exit 1; }
    stats=$out/default/fuzzer_stats
    get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
    crashes=$(find "$out/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
    printf '%-8s %12s %10s %10s %8s %8s\n' "$t" "$(get execs_done)" "$(get execs_per_sec)" \
        "$(get edges_found)" "$(get corpus_count)" "$crashes" >> "$root/out/fuzz/summary.txt"
    if (( crashes > 0 )); then
        mkdir -p "$root/tests/fuzz/crashes/$t"
        for c in "$out"/default/crashes/id:*; do
            name=$(sha256sum "$c" | cut -c1-16)
            cp "$c" "$root/tests/fuzz/crashes/$t/$name"
            "${run[@]}" --replay "$c" 2>&1 | head -5 || true
        done
    fi
done
echo
cat "$root/out/fuzz/summary.txt"
awk 'NR > 1 { s += $2 } END { print "total executions: " s }' "$root/out/fuzz/summary.txt"
