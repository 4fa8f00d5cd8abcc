# shellcheck shell=bash
# Shared set-up for the benchmark scripts: QEMU (the peer) and GNU time (peak RSS), then our build.
bench_setup() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  local sudo="" pkgs=()
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  command -v qemu-system-x86_64 >/dev/null || pkgs+=(qemu-system-x86)
  [ -x /usr/bin/time ] || pkgs+=(time)
  if [ ${#pkgs[@]} -gt 0 ]; then
    $sudo apt-get update -qq
    $sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  fi
  ./build.sh build >/dev/null
}
