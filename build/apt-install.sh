#!/usr/bin/env bash
# Installs Debian packages: the ones named on the command line, else every one
# in build/packages.txt. apt-get runs every time, even when everything is
# already there (then it changes nothing), so the install line itself is tested
# on every machine that runs it, not only on fresh ones.
#   build/apt-install.sh [package...]
# As root it runs apt-get directly, otherwise through sudo.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ $# -gt 0 ]; then
  packages=("$@")
else
  # One package per line; '#' starts a comment.
  mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$here/packages.txt")
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 ||
    { echo "apt-install.sh: installing ${packages[*]} needs root: run as root, or install sudo" >&2; exit 1; }
  as_root=(sudo)
fi
# env, not a VAR=value prefix: after sudo (or nothing) the assignment must still reach apt-get.
# The lock timeout lets two set-ups on one machine take turns instead of failing.
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
install() { "${apt[@]}" install -y --no-install-recommends "${packages[@]}" >>"$log" 2>&1; }
# A fresh machine may have no package lists yet, or stale ones: update once and retry.
if ! install && ! { "${apt[@]}" update >>"$log" 2>&1 && install; }; then
  cat "$log" >&2
  echo "apt-install.sh: apt-get install ${packages[*]} failed (output above)" >&2
  exit 1
fi
