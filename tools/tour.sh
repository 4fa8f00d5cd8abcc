#!/usr/bin/env bash
# Regenerates docs/tour.md from the engine's tour stops (/*L:nnn comments), in the order
# tools/LguestPS.Tour/TourOrder.cs reads them. --renumber first renumbers the stops 0, 10, 20, ...
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run --project tools/LguestPS.Tour -v q -- "$(pwd)" "$@"
