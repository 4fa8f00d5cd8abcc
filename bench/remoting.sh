#!/usr/bin/env bash
# Many hosts: VMs started per second over 4 loopback SSH sessions (PowerShell remoting) against the same
# count in one local runspace, and console record latency over a session. Needs /dev/kvm.
#   bench/remoting.sh [vms-per-round (multiple of 4)] [rounds] [echo-lines]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${DOTNET_CLI_HOME:-$HOME}/.dotnet/tools:$PATH"
# The throwaway sshd and the ssh client (a no-op when present), then our build.
build/apt-install.sh openssh-server openssh-client
./build.sh build >/dev/null
exec pwsh -NoProfile -File bench/remoting.ps1 -Count "${1:-16}" -Runs "${2:-3}" -Lines "${3:-50}"
