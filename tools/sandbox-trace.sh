#!/usr/bin/env bash
# The system calls the engine makes once --sandbox is in place, from real runs: where the allowlist in
# src/LguestPS.Engine/Cli/SandboxPolicy.cs comes from. Needs /dev/kvm, strace and root (the network run);
# without KVM run it in tools/nested-kvm/run.sh. strace fakes the seccomp(2) call's success
# (inject=seccomp:retval=0), so no filter is installed and everything after that call is recorded.
#
#   tools/sandbox-trace.sh [dir]   prints one line per system call: name, then the thread names that made it
set -euo pipefail
cd "$(dirname "$0")/.."
eng=$PWD/out/engine/lguest bz=$PWD/tests/guest/build/guest.bzImage
out=${1:-/tmp/lguest-sandbox-trace}
rm -rf "$out" && mkdir -p "$out"
truncate -s 8M "$out/rw.img" && truncate -s 1M "$out/ro.img"

# strace -f writes every thread's calls into one file, in time order, each line led by the thread id.
traced() { local name=$1; shift; strace -f -qq -e inject=seccomp:retval=0 -o "$out/$name.trace" "$eng" --sandbox "$@"; }

# Runs lguest in the background with its stderr (JSON) in a file; waits for $2 lines matching $3; sends $4.
signalled() {
    local name=$1 count=$2 pattern=$3 sig=$4; shift 4
    traced "$name" --log-format=json "$@" </dev/null >"$out/$name.out" 2>"$out/$name.err" &
    local strace_pid=$! engine="" i
    for i in $(seq 600); do
        [ "$(grep -c "$pattern" "$out/$name.err" "$out/$name.out" 2>/dev/null | awk -F: '{s+=$2} END {print s+0}')" -ge "$count" ] && break
        sleep 0.2
    done
    engine=$(pgrep -P "$strace_pid" | head -1)
    kill "-$sig" "$engine"
    wait "$strace_pid" || true
}

echo "== every device and check, 2 vCPUs, verbose, to the end" >&2
traced all --verbose --on-reboot=exit --cpus=2 --rng --block="$out/rw.img" --block="$out/ro.img,ro" 64 "$bz" \
    tests=all guest.blkseed=3 </dev/null >"$out/all.out" 2>&1 || true
echo "== reboots under the restart policy, then SIGTERM" >&2
signalled reboot 3 '"reboot"' TERM --rng --block="$out/rw.img" 64 "$bz" tests=paging,virtio-blk,virtio-rng
echo "== SIGINT, SIGHUP, SIGQUIT, SIGUSR2 while the serial test waits for input" >&2
for sig in INT HUP QUIT USR2; do signalled "sig$sig" 1 'READY serial' "$sig" 64 "$bz" tests=serial; done
echo "== console input, then three ^C" >&2
{ sleep 5; printf 'hello\r'; sleep 2; printf '\003\003\003'; sleep 5; } |
    strace -f -qq -e inject=seccomp:retval=0 -o "$out/console.trace" "$eng" --sandbox 64 "$bz" tests=serial,virtio-console >"$out/console.out" 2>&1 || true
echo "== a guest that triple-faults, restarted, then stopped" >&2
signalled triple 2 '"reboot"' TERM 64 "$bz" tests=crash-triple
echo "== the network, in a namespace of its own" >&2
unshare --net -- bash -c "$(declare -f traced); eng=$eng out=$out; traced net --on-reboot=exit --tunnet=169.254.77.1 64 $bz \
    tests=virtio-net guest.ip=169.254.77.2 guest.hostip=169.254.77.1 </dev/null >$out/net.out 2>&1" || true

# Every call after the (faked) seccomp, by name, with the names of the threads that made it.
awk '
    FNR == 1 { on = 0; delete tname }
    /prctl\(PR_SET_NAME, "/ { match($0, /"[^"]*"/); tname[$1] = substr($0, RSTART + 1, RLENGTH - 2) }
    /seccomp\(SECCOMP_SET_MODE_FILTER/ { on = 1; next }
    on {
        line = $0; sub(/^[0-9]+ +/, "", line)
        if (line ~ /^<\.\.\. [a-z0-9_]+ resumed>/) { sub(/^<\.\.\. /, "", line); sub(/ resumed>.*/, "", line); name = line }
        else if (match(line, /^[a-z0-9_]+\(/)) name = substr(line, 1, RLENGTH - 1)
        else next
        who = ($1 in tname) ? tname[$1] : "main/runtime"
        sub(/[0-9]+$/, "", who)
        if (!((name, who) in seen)) { seen[name, who] = 1; calls[name] = calls[name] " " who }
    }
    END { for (c in calls) print c calls[c] }
' "$out"/*.trace | sort
