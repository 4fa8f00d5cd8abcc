# shellcheck shell=bash
# Shared set-up for the benchmark scripts: QEMU (the peer) and GNU time (peak RSS), then our build.
bench_setup() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  # The peer and GNU time, through the project's one install line (root or sudo; a no-op when present).
  build/apt-install.sh qemu-system-x86 time
  ./build.sh build >/dev/null
}
