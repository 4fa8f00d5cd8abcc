#!/usr/bin/env bash
# Provisioning benchmark (issue 12): image builds against GNU cpio and mke2fs,
# power-on to the first command result, a command's round trip against the
# bare console, Copy-LguestVmFile both ways. Medians; see bench/provisioning.ps1.
#   bench/provisioning.sh [runs] [boots] [copy KiB]
# BENCH_NO_BUILD=1 skips the build (inside tools/nested-kvm, build on the host first).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${DOTNET_CLI_HOME:-$HOME}/.dotnet/tools:$PATH"
[ -n "${BENCH_NO_BUILD:-}" ] || ./build.sh build >/dev/null
kernel=$(bash tests/fixtures/minimal-kernel/build.sh | sed -n 's/^BZIMAGE=//p')
pwsh -NoProfile -File bench/provisioning.ps1 -Kernel "$kernel" -Runs "${1:-5}" -Boots "${2:-2}" -CopyKiB "${3:-1024}"
