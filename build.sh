#!/usr/bin/env bash
# LguestPS from a fresh Debian/Ubuntu machine: set-up, the demo and the tests.
#
#   ./build.sh demo    build everything, then boot the project's test guest through the cmdlets in pwsh
#   ./build.sh test    build everything and run every test: dotnet test, then the Pester specs (what CI runs)
#   ./build.sh build   build the module folder out/LguestPS (module, help, Native AOT engine) and the test guest
#   ./build.sh deps    install what the others need: the Debian packages in build/packages.txt (root or sudo),
#                      pwsh 7.6.10 (a dotnet global tool) and Pester 5.7.1 (NuGet cache), these two without sudo
#
# pwsh users can run build.ps1 (Build, Docs, Test, Package) once deps is done.
set -euo pipefail
cd "$(dirname "$0")"

pwsh_version=7.6.10
# Where `dotnet tool install --global` puts pwsh: first on PATH, so the pinned pwsh is the one these steps run.
export PATH="${DOTNET_CLI_HOME:-$HOME}/.dotnet/tools:$PATH"

# Runs a set-up command silently; on failure shows what it said, and stops.
quietly() {
  local out
  out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; echo "build.sh: '$*' failed (output above)" >&2; exit 1; }
}

deps() {
  build/apt-install.sh
  command -v dotnet >/dev/null 2>&1 ||
    { echo "build.sh: the .NET 10 SDK is needed (https://dot.net); install it and rerun" >&2; exit 1; }
  # update installs when the tool is missing and moves any other version to this one;
  # always name the version (without it NuGet offers 7.7.0, which fails).
  quietly dotnet tool update --global PowerShell --version "$pwsh_version" --allow-downgrade
  quietly dotnet restore build/pester -nologo
}

build() { pwsh -NoProfile -File build.ps1; }

# The README's first command, typed into pwsh.
demo_command='New-LguestVm -MemoryMB 64 -Kernel tests/guest/build/guest.bzImage -OnReboot Exit | Add-LguestRng | Start-LguestVm -Wait'

case "${1:-}" in
  deps) deps ;;
  build) deps; build ;;
  demo)
    deps; build
    echo "== pwsh> Import-Module ./out/LguestPS/LguestPS.psd1"
    echo "== pwsh> $demo_command"
    exec pwsh -NoProfile -Command "Import-Module ./out/LguestPS/LguestPS.psd1; $demo_command"
    ;;
  test)
    deps
    # The real-Linux tests boot a minimal kernel built from Debian's source: build it (or find it cached)
    # first, so the build does not compete with the guests the tests boot.
    echo "== guest kernel fixture (cached after the first build, ~3-5 min on 2 cores)"
    tests/fixtures/minimal-kernel/build.sh >/dev/null
    failed=0
    # A test that hangs is killed after 10 minutes and named in the output, instead of eating CI's time.
    dotnet test LguestPS.sln -nologo --blame-hang-timeout 10m --blame-hang-dump-type none "${@:2}" || failed=1
    echo "== Pester specs (tests/pester) in pwsh"
    pwsh -NoProfile -File tests/pester/Invoke-Specs.ps1 || failed=1
    exit "$failed"
    ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
esac
