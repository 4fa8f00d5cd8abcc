#!/usr/bin/env python3
"""Runs the test guest's virtio tests under QEMU (the reference) or under our
engine, and does the host's half of each check (README.md, "Virtio tests"):

    virtio-check.py [--engine PATH] [--kernel bz|elf] [--only NAME,...] [--bench MiB] [--guest ARGS]

Scenarios: scan, blk, rng, console, bad, bad-all, default, crash-triple,
crash-mmio-exec, and bench (only with --bench: seqread, seqwrite, randread
over a file of that size, timed between the BENCH lines). Disk images are
scratch files in a temporary directory. Exit status 0 when every scenario
passed. Needs qemu-system-x86_64 with KVM for the QEMU runs.
"""
import argparse
import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(HERE, "tools"))
from sum64 import sum64  # noqa: E402

K = 0x9E3779B97F4A7C15
M64 = (1 << 64) - 1


def pattern(seed):
    return struct.pack("<512Q", *[(seed * K + i) & M64 for i in range(512)])


class Vm:
    """One boot: QEMU or the engine, serial (and for the engine, hvc0) on
    stdout; QEMU's virtio console on a unix socket."""

    def __init__(self, args, disks=(), rng=False, console=False, timeout=60):
        self.lines, self.hvc, self.err = [], [], b""
        self.sock = None
        kernel = os.path.join(HERE, "build", "guest." + ("elf" if args_ns.kernel == "elf" else "bzImage"))
        line = " ".join(list(args) + (args_ns.guest.split() if args_ns.guest else []))
        line += " guest.cmdsum=%016x" % sum64(line.encode())
        if args_ns.engine:
            cmd = [args_ns.engine, "--on-reboot=exit"]
            cmd += ["--block=%s%s" % (f, ",ro" if ro else "") for f, ro in disks]
            cmd += ["--rng"] if rng else []
            cmd += ["64", kernel, *line.split(" ")]
        else:
            cmd = ["qemu-system-x86_64", "-enable-kvm", "-cpu", "host,-arch-capabilities", "-m", "64",
                   "-display", "none", "-nodefaults", "-serial", "stdio", "-no-reboot"]
            if console:
                self.path = tempfile.mktemp(prefix="hvc", dir=tmp)
                cmd += ["-device", "virtio-serial-pci,disable-legacy=on", "-chardev",
                        "socket,id=c0,path=%s,server=on,wait=on" % self.path, "-device", "virtconsole,chardev=c0"]
            for i, (f, ro) in enumerate(disks):
                cmd += ["-drive", "id=d%d,file=%s,format=raw,if=none%s" % (i, f, ",readonly=on" if ro else ""),
                        "-device", "virtio-blk-pci,drive=d%d,disable-legacy=on" % i]
            if rng:
                cmd += ["-device", "virtio-rng-pci,disable-legacy=on"]
            cmd += ["-kernel", kernel, "-append", line]
        self.t0 = time.monotonic()
        self.deadline = self.t0 + timeout
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if console and not args_ns.engine:
            for _ in range(100):
                try:
                    s = socket.socket(socket.AF_UNIX)
                    s.connect(self.path)
                    self.sock = s
                    break
                except OSError:
                    time.sleep(0.05)
        self.bufs = {}
        self.stamps = {}

    def _feed(self, key, data, sink):
        buf = self.bufs.get(key, b"") + data
        *done, buf = buf.split(b"\n")
        self.bufs[key] = buf
        for raw in done:
            text = raw.decode(errors="replace").rstrip("\r")
            self.stamps.setdefault(text, time.monotonic())
            sink.append(text)

    def pump(self, until=None):
        """Reads output until `until(self)` is true or the process ends."""
        fds = {self.p.stdout.fileno(): "out", self.p.stderr.fileno(): "err"}
        if self.sock:
            fds[self.sock.fileno()] = "hvc"
        while fds and not (until and until(self)):
            left = self.deadline - time.monotonic()
            if left <= 0:
                self.p.kill()
                break
            ready, _, _ = select.select(list(fds), [], [], min(left, 0.5))
            for fd in ready:
                data = os.read(fd, 65536)
                kind = fds[fd]
                if not data:
                    del fds[fd]
                    continue
                if kind == "err":
                    self.err += data
                else:
                    # Our engine prints hvc0 and ttyS0 both on stdout.
                    self._feed(kind, data, self.hvc if kind == "hvc" else self.lines)
        return self

    def send(self, text):
        if self.sock:
            self.sock.sendall(text.encode())
        else:
            self.p.stdin.write(text.encode())
            self.p.stdin.flush()

    def finish(self):
        self.pump()
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.rc = self.p.returncode
        return self

    def all_lines(self):
        return self.lines + self.hvc

    def verdicts(self):
        r = {}
        for l in self.lines:
            if l.startswith("TEST ") and ": " in l:
                name, rest = l[5:].split(": ", 1)
                r[name] = rest
        return r


def expect_ok(vm, *names):
    v = vm.verdicts()
    bad = [n for n in names if not v.get(n, "").startswith("ok")]
    if bad or not any(l.startswith("TESTS DONE") for l in vm.lines):
        return "tests %s: %s" % (",".join(bad) or "-", " | ".join(vm.lines[-6:]))
    return None


def scratch(name, mib, fill=True):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(os.urandom(mib << 20) if fill else b"")
        if not fill:
            f.truncate(mib << 20)
    return path


def sc_scan():
    d0, d1 = scratch("s0.img", 1), scratch("s1.img", 1)
    want = "console,block,block,rng"
    vm = Vm(["tests=virtio-scan", "guest.virtio=" + want], [(d0, False), (d1, True)], rng=True,
            console=True).finish()
    return expect_ok(vm, "virtio-scan")


def sc_blk():
    d0, d1 = scratch("b0.img", 2), scratch("b1.img", 1)
    before0, before1 = open(d0, "rb").read(), open(d1, "rb").read()
    vm = Vm(["tests=virtio-blk", "guest.blkseed=5"], [(d0, False), (d1, True)]).finish()
    why = expect_ok(vm, "virtio-blk")
    if why:
        return why
    for n, data in ((0, before0), (1, before1)):
        want = "BLK%d sum64 %016x" % (n, sum64(data[:4096]))
        if want not in vm.lines:
            return "no line '%s'" % want
    after0, after1 = open(d0, "rb").read(), open(d1, "rb").read()
    if after0[4096:8192] != pattern(5):
        return "disk 0: sectors 8..15 do not hold the pattern of seed 5"
    if after0[:4096] != before0[:4096] or after0[8192:] != before0[8192:]:
        return "disk 0: bytes outside sectors 8..15 changed"
    if after1 != before1:
        return "disk 1 (read-only) changed"
    return None


def sc_rng():
    return expect_ok(Vm(["tests=virtio-rng"], rng=True).finish(), "virtio-rng")


def sc_console():
    vm = Vm(["tests=virtio-console"], console=True)
    vm.pump(lambda v: "READY virtio-console" in v.all_lines())
    vm.send("hello from the host\n")
    vm.finish()
    why = expect_ok(vm, "virtio-console")
    if why:
        return why
    out = vm.all_lines()
    for want in ("HVC hello from the test guest", "HVC ECHO hello from the host"):
        if want not in out:
            return "no line '%s' on the console" % want
    if "HVC emerg!" not in out:
        print("    (no 'HVC emerg!': the device offered no EMERG_WRITE)")
    return None


def sc_bad():
    vm = Vm(["tests=virtio-bad,virtio-rng"], rng=True).finish()
    return expect_ok(vm, "virtio-bad", "virtio-rng")


def sc_bad_all():
    # QEMU 7.2's rng does not flag addr, wrap, nested, and it masks unoffered features.
    cases = "all" if args_ns.engine else "next,loop,avail,order,indlen,indnext,inflight,doorbell,widths"
    vm = Vm(["tests=virtio-bad,virtio-rng", "guest.badcases=" + cases], rng=True).finish()
    return expect_ok(vm, "virtio-bad", "virtio-rng")


def sc_default():
    d0 = scratch("f0.img", 1)
    vm = Vm([], [(d0, False)], rng=True).finish()
    v = vm.verdicts()
    for name in ("virtio-scan", "virtio-blk", "virtio-rng"):
        if name not in v:
            return "%s did not run by default" % name
    bad = [n for n, r in v.items() if not r.startswith("ok")]
    return "failed: %s" % bad if bad else None


def sc_crash_triple():
    vm = Vm(["tests=crash-triple"], timeout=20).finish()
    if "CRASH triple" not in vm.lines or vm.verdicts():
        return "output: %s" % vm.lines[-3:]
    print("    exit status %s; stderr: %s" % (vm.rc, vm.err.decode(errors="replace").strip()[:200]))
    return None


def sc_crash_mmio():
    vm = Vm(["tests=crash-mmio-exec"], timeout=20)
    # QEMU stops the VM on an emulation failure and waits: kill it then.
    vm.pump(lambda v: b"internal error" in v.err or b"emulat" in v.err)
    if not args_ns.engine:
        vm.p.kill()
    vm.finish()
    if not any(l.startswith("CRASH mmio-exec") for l in vm.lines) or vm.verdicts():
        return "output: %s" % vm.lines[-3:]
    print("    exit status %s; stderr: %s" % (vm.rc, vm.err.decode(errors="replace").strip().splitlines()[:1]))
    return None


def sc_bench():
    img = scratch("bench.img", args_ns.bench)
    for mode in ("seqread", "seqwrite", "randread"):
        vm = Vm(["tests=blkbench", "guest.bench=" + mode, "guest.benchmb=%d" % args_ns.bench],
                [(img, False)], timeout=300).finish()
        why = expect_ok(vm, "blkbench")
        if why:
            return why
        start = vm.stamps.get("BENCH %s start" % mode)
        done = [l for l in vm.lines if l.startswith("BENCH %s done" % mode)][0]
        secs = vm.stamps[done] - start
        nbytes = int(done.split("bytes=")[1].split()[0])
        nreq = int(done.split("requests=")[1].split()[0])
        print("    %-8s %8.3f s  %9.1f MB/s  %9.0f IOPS" % (mode, secs, nbytes / secs / 1e6, nreq / secs))
    return None


SCENARIOS = {
    "scan": sc_scan, "blk": sc_blk, "rng": sc_rng, "console": sc_console, "bad": sc_bad, "bad-all": sc_bad_all,
    "default": sc_default, "crash-triple": sc_crash_triple, "crash-mmio-exec": sc_crash_mmio,
    "bench": sc_bench,
}

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", help="path of our lguest binary (default: run QEMU)")
    ap.add_argument("--kernel", choices=("bz", "elf"), default="bz")
    ap.add_argument("--only", help="comma-separated scenario names")
    ap.add_argument("--guest", help="more guest arguments for every run, e.g. 'guest.vqsize=4 guest.vrefuse=event'")
    ap.add_argument("--bench", type=int, default=0, help="MiB for the bench scenario (0: skip it)")
    args_ns = ap.parse_args()
    names = args_ns.only.split(",") if args_ns.only else [n for n in SCENARIOS if n != "bench" or args_ns.bench]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="virtio-check") as tmp:
        for name in names:
            why = SCENARIOS[name]()
            print("%-16s %s" % (name, "ok" if not why else "FAIL " + why))
            failed += bool(why)
    sys.exit(1 if failed else 0)
