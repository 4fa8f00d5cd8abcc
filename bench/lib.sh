# shellcheck shell=bash
# Shared set-up for the benchmark scripts: QEMU (the peer) and GNU time (peak RSS), then our build.
# BENCH_PREBUILT=1 skips the set-up and the build and runs what is already built: for the nested-KVM
# harness (tools/nested-kvm/run.sh), where MSBuild would cost minutes; run the script once on the
# host first (it builds), then `tools/nested-kvm/run.sh . 'BENCH_PREBUILT=1 bench/<script> ...'`.
bench_setup() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  [ -n "${BENCH_PREBUILT:-}" ] && return 0
  # The peer and GNU time, through the project's one install line (root or sudo; a no-op when present).
  build/apt-install.sh qemu-system-x86 time
  ./build.sh build >/dev/null
  dotnet build -c Release bench/LguestPS.Bench -nologo -v q >/dev/null
}

# Runs the benchmark program as built (no MSBuild on the way).
bench_run() {
  dotnet bench/LguestPS.Bench/bin/Release/net10.0/LguestPS.Bench.dll "$@"
}

# Exits quietly after the build when there is no KVM here (BENCH_PREBUILT not set): the host did its part.
bench_need_kvm() {
  [ -e /dev/kvm ] && return 0
  echo "$(basename "$0"): built; no /dev/kvm on this host, so nothing is measured here" \
       "(tools/nested-kvm/run.sh . 'BENCH_PREBUILT=1 $0 $*' runs it under nested KVM)" >&2
  exit 0
}
