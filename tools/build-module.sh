#!/usr/bin/env bash
# Builds the LguestPS module folder (out/LguestPS: manifest, module, help,
# engine) and the test guest, plus out/host/lguestps, the script host for
# machines without pwsh. What build.ps1's Build and Docs steps do, for
# machines without pwsh. Incremental: a second run with nothing changed is quick.
#   tools/build-module.sh [Release|Debug]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
configuration="${1:-Release}"
# gcc and make for the test guest, on a fresh machine (quick when all is there).
if [ -x "$root/build.sh" ]; then "$root/build.sh" deps; fi
dotnet msbuild "$root/build/LguestPS.Layout.proj" -restore -t:Build -nologo -v:m \
    -p:LguestLayoutConfiguration="$configuration"
echo "module: $root/out/LguestPS   host: $root/out/host/lguestps"
