#!/usr/bin/env bash
# LguestPS on a machine without pwsh: one entry point for set-up, the demo and the tests.
#
#   ./build.sh demo    build everything and boot the project's test guest, showing its console
#   ./build.sh test    build everything and run every test (what CI runs)
#   ./build.sh build   build the engine (Native AOT), the test guest and the module folder (out/)
#   ./build.sh deps    install what a fresh Debian machine lacks (needs root or sudo)
#
# pwsh users have build.ps1 with the same steps.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

need() { command -v "$1" >/dev/null 2>&1; }

deps() {
  local missing=()
  need gcc || missing+=(gcc)
  need make || missing+=(make)
  need ld || missing+=(binutils)
  need cpio || missing+=(cpio)
  need ip || missing+=(iproute2)          # the network tests' namespaces, taps and bridges
  need unshare || missing+=(util-linux)
  need iasl || missing+=(acpica-tools)    # the ACPI table tests disassemble our tables with ACPICA's iasl
  [ -e /usr/include/linux/kvm.h ] || missing+=(linux-libc-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  need dotnet || { echo "build.sh: the .NET 10 SDK is needed (https://dot.net); install it and rerun" >&2; exit 1; }
}

build_engine() {
  dotnet publish src/LguestPS.Engine -c Release -r linux-x64 -o out/engine -nologo -v quiet
}

build_guest() { make -s -C tests/guest; }

case "${1:-}" in
  deps) deps ;;
  build) deps; build_guest; build_engine ;;
  demo)
    deps; build_guest; build_engine
    echo "== booting the test guest: lguest 64 tests/guest/build/guest.bzImage (it reboots when done; --on-reboot=exit ends there)"
    exec out/engine/lguest --on-reboot=exit 64 tests/guest/build/guest.bzImage
    ;;
  test)
    deps
    # The real-Linux tests boot a minimal kernel built from Debian's source: build it (or find it cached)
    # first, so the build does not compete with the guests the tests boot.
    echo "== guest kernel fixture (cached after the first build, ~3-5 min on 2 cores)"
    tests/fixtures/minimal-kernel/build.sh >/dev/null
    dotnet test LguestPS.sln -nologo "${@:2}"
    ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
esac
