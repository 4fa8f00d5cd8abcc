#!/usr/bin/env bash
# Minimal-Linux boot benchmark (issue 6): lguest vs QEMU, same kernel and devices, N runs each.
#   bench/linux.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
pkgs=()
command -v qemu-system-x86_64 >/dev/null || pkgs+=(qemu-system-x86)
[ -x /usr/bin/time ] || pkgs+=(time)
if [ ${#pkgs[@]} -gt 0 ]; then $sudo apt-get update -qq; $sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null; fi
./build.sh build >/dev/null
vmlinux=$(tests/fixtures/minimal-kernel/build.sh | sed -n 's/^VMLINUX=//p')
dotnet run -c Release --project bench/LguestPS.Bench -- linux out/engine/lguest "$vmlinux" "$runs"
