#!/usr/bin/env bash
# Boot benchmark (issue 2): lguest (Native AOT) against QEMU booting the same
# test-guest image, N runs each, interleaved, medians and ratios.
#   bench/boot.sh [runs] [bzImage|elf]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}; fmt=${2:-bzImage}
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
pkgs=()
command -v qemu-system-x86_64 >/dev/null || pkgs+=(qemu-system-x86)
[ -x /usr/bin/time ] || pkgs+=(time)
if [ ${#pkgs[@]} -gt 0 ]; then $sudo apt-get update -qq; $sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null; fi
./build.sh build >/dev/null
image=tests/guest/build/guest.$fmt
dotnet run -c Release --project bench/LguestPS.Bench -- boot out/engine/lguest "$image" "$runs"
