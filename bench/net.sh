#!/usr/bin/env bash
# Network benchmark (issue 5): UDP packets/s and MB/s guest->host (tx) and host->guest (rx), lguest against
# QEMU's virtio-net-pci on a tap (vhost off), same test-guest image, inside a private network namespace
# with link-local addresses (tests/guest/tools/net-check.py does the host's half). N runs each, medians.
#   bench/net.sh [runs] [datagrams]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-3}; n=${2:-20000}
bench_setup
command -v python3 >/dev/null || { echo "bench/net.sh: python3 is needed" >&2; exit 1; }
python3 - "$runs" "$n" <<'PY'
import re, statistics, subprocess, sys
runs, n = int(sys.argv[1]), int(sys.argv[2])
res = {}
line = re.compile(r"net-(tx|rx)\s+([\d.]+) s\s+([\d.]+) pps\s+([\d.]+) MB/s")
for i in range(runs):
    for who, extra in (("lguest", ["--engine", "out/engine/lguest"]), ("qemu", [])):
        out = subprocess.run(["python3", "tests/guest/tools/net-check.py", "--only", "bench", "--bench", str(n)] + extra,
                             capture_output=True, text=True, timeout=1800)
        rows = [m.groups() for m in line.finditer(out.stdout)]
        if len(rows) != 4:
            sys.exit(f"{who}: net-check.py did not report 4 bench runs (exit {out.returncode}):\n{out.stdout}\n{out.stderr}")
        for (mode, _, pps, mbs), size in zip(rows, (1472, 1472, 64, 64)):
            res.setdefault((mode, size, who), []).append((float(pps), float(mbs)))
print(f"network benchmark: {n} UDP datagrams per run, {runs} runs each, medians")
print(f"{'':24} {'lguest':>16} {'qemu':>16} {'lguest/qemu':>12}")
for mode in ("tx", "rx"):
    for size in (1472, 64):
        a = [statistics.median(x[k] for x in res[(mode, size, "lguest")]) for k in (0, 1)]
        b = [statistics.median(x[k] for x in res[(mode, size, "qemu")]) for k in (0, 1)]
        label = f"{'guest->host' if mode == 'tx' else 'host->guest'} {size} B"
        print(f"{label:24} {a[0]:9.0f} pps {a[1]:6.1f} MB/s  {b[0]:9.0f} pps {b[1]:6.1f} MB/s  {a[0] / b[0]:8.2f}")
PY
