#!/usr/bin/env bash
# Hardening checks (issue 13, phase 2) against a real KVM, with the engine run directly (no dotnet): closed stdio, SIGHUP/SIGQUIT on a pty, kill -9 of the parent, raw bytes, --sandbox, --chroot capabilities; then tools/sandbox-trace.sh.
# Usage: tools/nested-kvm/run.sh . 'bash tools/hardening-check.sh .'
cd "$1"; eng=$PWD/out/engine/lguest bz=$PWD/tests/guest/build/guest.bzImage
W=$(mktemp -d); pass=0 fail=0
ok() { echo "PASS $*"; pass=$((pass+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }
waitfor() { local f=$1 pat=$2 i; for i in $(seq 1500); do grep -q -- "$pat" "$f" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
echo "== $(date +%T) item 1: closed stdio"
for c in "0" "1" "2" "0 1" "0 2" "1 2" "0 1 2"; do
  redir=""; for fd in $c; do redir="$redir $fd<&-"; done
  rc=$(bash -c "exec \"$eng\" --log-format=json --on-reboot=exit 64 $bz tests=paging,timer $redir" </dev/null >$W/out 2>$W/err; echo $?)
  [ "$rc" = 0 ] && ok "closed {$c} rc=0" || bad "closed {$c} rc=$rc $(tail -2 $W/err)"
  # SIGTERM after a reboot
  bash -c "exec \"$eng\" --log-format=json 64 $bz tests=paging $redir" </dev/null >$W/o2 2>$W/e2 & p=$!
  sleep 4; ls -l /proc/$p/fd/0 /proc/$p/fd/1 /proc/$p/fd/2 2>/dev/null | awk '{print $9,$10,$11}' | tr '\n' ' '; echo
  kill -TERM $p; wait $p; rc=$?
  [ "$rc" = 143 ] && ok "closed {$c} SIGTERM rc=143 $(tail -c 120 $W/e2)" || bad "closed {$c} SIGTERM rc=$rc $(tail -c 300 $W/e2)"
done
echo "== $(date +%T) item 2: SIGHUP/SIGQUIT on a pty"
for s in HUP:129:sighup QUIT:131:sigquit; do
  sig=${s%%:*}; rest=${s#*:}; code=${rest%%:*}; name=${rest#*:}
  rm -f $W/pid $W/pty
  (sleep 120 | script -qec "bash -c 'echo \$\$ > $W/pid; exec \"\$0\" \"\$@\"' $eng --log-format=json 64 $bz tests=serial; echo EXIT=\$?; stty -a" /dev/null > $W/pty 2>&1) &
  sp=$!
  if waitfor $W/pty "READY serial"; then kill -$sig $(cat $W/pid); else bad "$sig: no READY"; fi
  for i in $(seq 300); do grep -q "EXIT=" $W/pty && break; sleep 0.1; done
  sleep 1
  if grep -q "EXIT=$code" $W/pty && grep -q "\"reason\":\"$name\"" $W/pty && grep -qE '(^|[[:space:]])icanon' $W/pty && grep -qE '(^|[[:space:]])isig' $W/pty; then ok "$sig: EXIT=$code, exit event $name, terminal restored"; else bad "$sig: $(tr -d '\r' < $W/pty | tail -c 600)"; fi
  kill $sp 2>/dev/null; pkill -P $sp 2>/dev/null
done
for s in USR2 ALRM PWR; do
  "$eng" --log-format=json 64 $bz tests=serial </dev/null >$W/o 2>$W/e & p=$!
  waitfor $W/o "READY serial"; kill -$s $p; wait $p; rc=$?
  [ "$rc" = 143 ] && grep -q "stopped by SIG$s (as by SIGTERM)" $W/e && ok "SIG$s -> 143 sigterm path" || bad "SIG$s rc=$rc $(tail -c 200 $W/e)"
done
echo "== $(date +%T) item 6: kill -9 the parent"
truncate -s 8M $W/disk.img
bash -c "\"$eng\" --parent-pid=\$\$ --log-format=json --block=$W/disk.img 64 $bz tests=serial 2>$W/plog >$W/pout & echo \$! > $W/epid; wait" </dev/null & bp=$!
waitfor $W/pout "READY serial"; e=$(cat $W/epid)
pg=$(awk '{print $5}' /proc/$e/stat)
flock -n $W/disk.img true && bad "disk not locked while running" || ok "disk locked while the engine runs"
[ "$pg" = "$e" ] && ok "engine leads its own process group" || bad "pgrp $pg != $e"
kill -9 $bp; for i in $(seq 300); do [ -d /proc/$e ] && ! grep -q '^State:.*Z' /proc/$e/status 2>/dev/null || break; sleep 0.1; done
[ -d /proc/$e ] && ! grep -q '^State:.*Z' /proc/$e/status && bad "engine $e outlived its parent" || ok "engine ended with its parent"
tail -1 $W/plog | grep -q '"reason":"sigterm".*has ended' && ok "exit event: $(tail -1 $W/plog)" || bad "log: $(tail -2 $W/plog)"
flock -n $W/disk.img true && ok "disk lock released" || bad "disk still locked"
echo "== $(date +%T) item 7: raw bytes"
k="$W/"$'k\xff'; cp $bz "$k"
sum=$(python3 -c 'import struct,sys
d=b"tests=cmdline x=\xff\xfe"; M=0x9E3779B97F4A7C15; h=len(d)
for i in range(0,len(d),8):
    c=d[i:i+8].ljust(8,b"\0"); v=struct.unpack("<Q",c)[0]; h=((((h<<7)|(h>>57))&(2**64-1))^v)*M%(2**64)
print("%016x"%h)')
"$eng" --on-reboot=exit 64 "$k" tests=cmdline $'x=\xff\xfe' guest.cmdsum=$sum </dev/null >$W/o 2>$W/e; rc=$?
[ "$rc" = 0 ] && grep -q "TEST cmdline: ok" $W/o && ok "non-UTF-8 kernel name and argument: $(grep 'TEST cmdline' $W/o)" || bad "raw bytes rc=$rc $(grep TEST $W/o) $(cat $W/e)"
echo "== $(date +%T) item 8: sandbox"
truncate -s 8M $W/rw.img; truncate -s 1M $W/ro.img
(sleep 8; printf 'on the uart\n'; sleep 6; printf 'on hvc0\n'; sleep 30) | "$eng" --sandbox --on-reboot=exit --cpus=2 --rng --block=$W/rw.img --block=$W/ro.img,ro 64 $bz \
  tests=paging,bootparams,e820,mptable,timer,virtio-scan,virtio-blk,virtio-rng,serial,virtio-console guest.blkseed=9 >$W/o 2>$W/e; rc=$?
[ "$rc" = 0 ] && ! grep -q "TEST .*FAIL" $W/o && ok "sandboxed guest checks: $(grep -c 'TEST .*: ok' $W/o) ok" || bad "sandboxed run rc=$rc $(grep TEST $W/o | tr '\n' ' ') $(cat $W/e)"
"$eng" --sandbox --log-format=json --rng 64 $bz tests=paging,virtio-rng </dev/null >$W/o 2>$W/e & p=$!
waitfor $W/e '"reboot"' && waitfor $W/e '"count":2'
grep -E "^(Seccomp|NoNewPrivs):" /proc/$p/status | tr '\n' ' '; echo
st=$(awk '/^Seccomp:/{print $2}' /proc/$p/status)
kill -TERM $p; wait $p; rc=$?
[ "$st" = 2 ] && [ "$rc" = 143 ] && ok "Seccomp 2 after two reboots; SIGTERM 143" || bad "seccomp=$st rc=$rc $(tail -c 400 $W/e)"
printf '#include <pthread.h>\n#include <sys/syscall.h>\n#include <unistd.h>\nstatic void *k(void *a){(void)a;for(;;){syscall(SYS_syslog,10,0,0);usleep(2000);}return 0;}\n__attribute__((constructor)) static void s(void){pthread_t t;pthread_create(&t,0,k,0);}\n' > $W/f.c
gcc -shared -fPIC -pthread -o $W/f.so $W/f.c
LD_PRELOAD=$W/f.so "$eng" --sandbox --log-format=json 64 $bz tests=paging </dev/null >$W/o 2>$W/e; rc=$?
[ "$rc" = 10 ] && tail -1 $W/e | grep -q sandbox-violation && ok "forbidden call: rc 10, $(tail -1 $W/e)" || bad "forbidden call rc=$rc $(tail -c 300 $W/e)"
mkdir -p $W/jail
"$eng" --on-reboot=exit --chroot=$W/jail --rng 64 $bz tests=serial </dev/null >$W/o 2>$W/e & p=$!
waitfor $W/o "READY serial"; caps=$(grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/$p/status | awk '{print $2}' | sort -u | tr '\n' ' ')
kill -TERM $p; wait $p
[ "$caps" = "0000000000000000 " ] && ok "chroot without user: no capabilities" || bad "caps: $caps $(cat $W/e)"
echo "== $(date +%T) item 10"
"$eng" 64 /nonexistent 2>$W/e; [ "$(wc -l < $W/e)" = 1 ] && ok "one error line" || bad "$(cat $W/e)"
echo "== $(date +%T) summary: $pass passed, $fail failed"
echo "== $(date +%T) trace"
timeout 240 tools/sandbox-trace.sh /tmp/lguest-sandbox-trace 2>&1 | tail -90
echo "== $(date +%T) end"
