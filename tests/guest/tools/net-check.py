#!/usr/bin/env python3
"""Runs the test guest's network tests under QEMU (the reference) or under our
engine, and does the host's half of each check (README.md, "Network tests"):

    net-check.py [--engine PATH] [--kernel bz|elf] [--only NAME,...] [--mib N]
                 [--bench N] [--guest ARGS]

Scenarios: net (ARP and ping from the guest), echo (the host pings the guest,
then streams --mib MiB of UDP to port 7 and checks every byte comes back in
order), bridge (net through a bridge), default (a run without tests=: net
comes up, sends nothing), and bench (only with --bench N: netbench tx and rx
with N datagrams each, timed between the BENCH lines, at 1472 and 64 bytes).

Everything happens inside a network namespace this script creates (named
lgtest-<random>) and deletes on the way out, with link-local addresses only
(169.254.0.0/16): PLATFORM.md's rules for network tests. Needs root, and
qemu-system-x86_64 with KVM for the QEMU runs. Exit status 0 when every
scenario passed.
"""
import argparse
import ctypes
import os
import random
import select
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(HERE, "tools"))
from sum64 import sum64  # noqa: E402

HOST_IP, GUEST_IP = "169.254.10.1", "169.254.10.2"
GUEST_MAC = "52:54:00:a9:fe:0a"
CLONE_NEWNET = 0x40000000


def sh(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


class Netns:
    """A network namespace of our own; this process moves into it."""

    def __init__(self):
        self.name = "lgtest-%08x" % random.getrandbits(32)
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)
        sh("ip", "netns", "add", self.name)
        fd = os.open("/run/netns/" + self.name, os.O_RDONLY)
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + self.name)
        os.close(fd)
        sh("ip", "link", "set", "lo", "up")

    def close(self):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.setns(self.home, CLONE_NEWNET)
        subprocess.run(["ip", "netns", "del", self.name])


def link_setup(bridge):
    """The host side QEMU needs (our engine makes its own tap): tap0 with
    HOST_IP, or tap0 in bridge br0 which has HOST_IP."""
    for dev in ("tap0", "br0"):
        subprocess.run(["ip", "link", "del", dev], stderr=subprocess.DEVNULL)
    if bridge:
        sh("ip", "link", "add", "br0", "type", "bridge")
        sh("ip", "addr", "add", HOST_IP + "/16", "dev", "br0")
        sh("ip", "link", "set", "br0", "up")
    if not args_ns.engine:
        sh("ip", "tuntap", "add", "dev", "tap0", "mode", "tap")
        if bridge:
            sh("ip", "link", "set", "tap0", "master", "br0")
        else:
            sh("ip", "addr", "add", HOST_IP + "/16", "dev", "tap0")
        sh("ip", "link", "set", "tap0", "up")


class Vm:
    """One boot; serial on stdout, read by a thread that stamps each line."""

    def __init__(self, args, bridge=False, timeout=120):
        link_setup(bridge)
        kernel = os.path.join(HERE, "build", "guest." + ("elf" if args_ns.kernel == "elf" else "bzImage"))
        line = " ".join(list(args) + (args_ns.guest.split() if args_ns.guest else []))
        line += " guest.cmdsum=%016x" % sum64(line.encode())
        if args_ns.engine:
            net = "bridge:br0" if bridge else HOST_IP
            cmd = [args_ns.engine, "--on-reboot=exit", "--tunnet=%s:%s" % (net, GUEST_MAC), "64", kernel,
                   *line.split(" ")]
        else:
            cmd = ["qemu-system-x86_64", "-enable-kvm", "-cpu", "host,-arch-capabilities", "-m", "64",
                   "-display", "none", "-nodefaults", "-serial", "stdio", "-no-reboot",
                   "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no,vhost=off",
                   "-device", "virtio-net-pci,netdev=n0,disable-legacy=on,mac=" + GUEST_MAC,
                   "-kernel", kernel, "-append", line]
        self.lines, self.stamps, self.err = [], {}, b""
        self.cv = threading.Condition()
        self.deadline = time.monotonic() + timeout
        self.p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.threads = [threading.Thread(target=self._out, daemon=True),
                        threading.Thread(target=self._err, daemon=True)]
        for t in self.threads:
            t.start()

    def _out(self):
        buf = b""
        while True:
            data = os.read(self.p.stdout.fileno(), 65536)
            if not data:
                break
            now = time.monotonic()
            *done, buf = (buf + data).split(b"\n")
            with self.cv:
                for raw in done:
                    text = raw.decode(errors="replace").rstrip("\r")
                    self.stamps.setdefault(text, now)
                    self.lines.append(text)
                    if args_ns.verbose:
                        print("    | " + text, flush=True)
                self.cv.notify_all()
        with self.cv:
            self.cv.notify_all()

    def _err(self):
        while True:
            data = os.read(self.p.stderr.fileno(), 65536)
            if not data:
                break
            self.err += data

    def wait_line(self, prefix, timeout=30):
        """The first line starting with prefix, or None (timeout, or exit)."""
        end = min(time.monotonic() + timeout, self.deadline)
        with self.cv:
            while True:
                for l in self.lines:
                    if l.startswith(prefix):
                        return l
                left = end - time.monotonic()
                if left <= 0 or (self.p.poll() is not None and not self.threads[0].is_alive()):
                    return None
                self.cv.wait(min(left, 0.2))

    def finish(self):
        try:
            self.p.wait(max(1, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        for t in self.threads:
            t.join(5)
        self.rc = self.p.returncode
        return self

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
        return self.finish()

    def verdicts(self):
        return {l[5:].split(": ", 1)[0]: l.split(": ", 1)[1] for l in self.lines
                if l.startswith("TEST ") and ": " in l}

    def tail(self):
        err = self.err.decode(errors="replace").strip().splitlines()
        return " | ".join(self.lines[-4:] + (["stderr: " + e for e in err[-3:]]))


def expect_ok(vm, *names):
    v = vm.verdicts()
    bad = [n for n in names if not v.get(n, "").startswith("ok")]
    if bad or not any(l.startswith("TESTS DONE") for l in vm.lines):
        return "tests %s: %s" % (",".join(bad) or "-", vm.tail())
    return None


def common_args(test):
    return ["tests=" + test, "guest.ip=" + GUEST_IP, "guest.hostip=" + HOST_IP]


def sc_net(bridge=False):
    vm = Vm(common_args("virtio-net"), bridge=bridge).finish()
    why = expect_ok(vm, "virtio-net")
    if why:
        return why
    if "NET mac " + GUEST_MAC not in vm.lines:
        return "no line 'NET mac %s' (the MAC in config space): %s" % (GUEST_MAC, vm.tail())
    print("    " + vm.verdicts()["virtio-net"])
    return None


def sc_bridge():
    return sc_net(bridge=True)


def sc_default():
    vm = Vm([]).finish()
    v = vm.verdicts()
    if "virtio-net" not in v:
        return "virtio-net did not run by default: %s" % vm.tail()
    bad = [n for n, r in v.items() if not r.startswith("ok")]
    return "failed: %s" % bad if bad else None


def icmp_csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ping(count, size=56, timeout=5.0):
    """ICMP echo to the guest from a raw socket; returns replies checked."""
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident, good = random.getrandbits(16), 0
    for seq in range(1, count + 1):
        payload = os.urandom(size)
        hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
        pkt = struct.pack("!BBHHH", 8, 0, icmp_csum(hdr + payload), ident, seq) + payload
        s.sendto(pkt, (GUEST_IP, 0))
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r, _, _ = select.select([s], [], [], end - time.monotonic())
            if not r:
                break
            data, addr = s.recvfrom(65536)
            ihl = (data[0] & 15) * 4
            t, code, _, rid, rseq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
            if addr[0] == GUEST_IP and t == 0 and rid == ident and rseq == seq:
                if icmp_csum(data[ihl:]) != 0 or data[ihl + 8:] != payload:
                    raise RuntimeError("ping seq %d: reply with a bad checksum or payload" % seq)
                good += 1
                break
    s.close()
    return good


def sc_echo():
    mib, size, window, pings = args_ns.mib, 1472, 32, 3
    stream = os.urandom(mib << 20)
    # Mostly full datagrams; every eighth of a random size, so that odd
    # lengths and every checksum tail get their turn.
    rnd, chunks, at = random.Random(7), [], 0
    while at < len(stream):
        n = size if len(chunks) % 8 else rnd.randint(1, size)
        chunks.append(stream[at:at + n])
        at += n
    # virtio-net first (the guest pings us), then the echo server in the same
    # boot; "done" ends it (guest.echopkts= would too).
    vm = Vm(common_args("virtio-net,net-echo") + ["guest.echosecs=120"], timeout=180)
    try:
        if not vm.wait_line("READY net-echo", 60):
            return "no READY net-echo: " + vm.tail()
        got = ping(pings)
        if got != pings:
            return "%d of %d pings answered: %s" % (got, pings, vm.tail())
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        s.bind((HOST_IP, 0))
        s.settimeout(10)
        t0 = time.monotonic()
        for w in range(0, len(chunks), window):
            part = chunks[w:w + window]
            for c in part:
                s.sendto(c, (GUEST_IP, 7))
            for i, c in enumerate(part):
                try:
                    data, addr = s.recvfrom(65536)
                except socket.timeout:
                    return "datagram %d of %d: no echo within 10 s" % (w + i, len(chunks))
                if addr != (GUEST_IP, 7) or data != c:
                    return "datagram %d of %d: echo from %s differs (%d bytes, sent %d)" % (
                        w + i, len(chunks), addr, len(data), len(c))
        secs = time.monotonic() - t0
        s.sendto(b"done", (GUEST_IP, 7))
        s.close()
        done = vm.wait_line("NET echo done", 30)
        want = "NET echo done udp=%d bytes=%d icmp=%d arp=" % (len(chunks), len(stream), pings)
        if not done or not done.startswith(want):
            return "expected '%s<n>', got %r: %s" % (want, done, vm.tail())
        vm.finish()
    finally:
        vm.kill()
    why = expect_ok(vm, "virtio-net", "net-echo")
    if why:
        return why
    print("    %d MiB in %d datagrams echoed byte-exact in %.2f s (%.2f MB/s), window %d; %s" % (
        mib, len(chunks), secs, len(stream) / secs / 1e6, window, vm.verdicts()["net-echo"]))
    return None


def tap_name():
    """The tap in our namespace: QEMU's tap0, or the one the engine made."""
    import json
    links = json.loads(subprocess.run(["ip", "-j", "-d", "link", "show"], check=True,
                                      capture_output=True).stdout)
    taps = [l["ifname"] for l in links if l.get("linkinfo", {}).get("info_kind") == "tun"]
    return taps[0] if taps else None


def sc_jumbo():
    """A 3000-byte datagram through a tap with a 9000-byte MTU: more than one
    2048-byte receive buffer. With MRG_RXBUF the device spreads it over two
    (num_buffers 2) and the guest drops and counts it; without, the device
    drops it. Either way nothing comes back, and the echo goes on working."""
    vm = Vm(common_args("net-echo") + ["guest.echosecs=60"], timeout=90)
    try:
        if not vm.wait_line("READY net-echo", 60):
            return "no READY net-echo: " + vm.tail()
        tap = tap_name()
        if not tap:
            return "no tap device in the namespace"
        sh("ip", "link", "set", "dev", tap, "mtu", "9000")
        if ping(1) != 1:
            return "ping failed: " + vm.tail()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((HOST_IP, 0))
        s.settimeout(1)
        s.sendto(os.urandom(3000), (GUEST_IP, 7))
        try:
            data = s.recv(65536)
            return "a %d-byte echo of the 3000-byte datagram came back" % len(data)
        except socket.timeout:
            pass
        s.settimeout(10)
        small = os.urandom(1000)
        s.sendto(small, (GUEST_IP, 7))
        if s.recv(65536) != small:
            return "the echo after the jumbo frame differs"
        s.sendto(b"done", (GUEST_IP, 7))
        s.close()
        vm.wait_line("TESTS DONE", 30)
        vm.finish()
    finally:
        vm.kill()
    why = expect_ok(vm, "net-echo")
    if why:
        return why
    verdict = vm.verdicts()["net-echo"]
    mrg = "guest.vrefuse=mrgrxbuf" not in (args_ns.guest or "")
    want = "1 dropped" if mrg else "0 dropped"
    if want not in verdict:
        return "expected '%s' (%s): %s" % (want, "the guest drops a 2-buffer packet" if mrg else
                                           "the device drops what does not fit", verdict)
    print("    " + verdict)
    return None


def sc_early():
    """Datagrams sent while the device is not yet started (guest.echodelay=):
    they wait in the tap or the VMM and must reach the guest as the features
    it negotiates then promise: fully checksummed, with no offload flags, as
    it took neither GUEST_CSUM nor GUEST_TSO. A static neighbour entry lets
    the host send before the guest can answer ARP."""
    vm = Vm(common_args("net-echo") + ["guest.echodelay=3", "guest.echosecs=30", "guest.echopkts=5"], timeout=60)
    try:
        if not vm.wait_line("NET echo delay", 30):
            return "no 'NET echo delay' line: " + vm.tail()
        tap = tap_name()
        sh("ip", "neigh", "replace", GUEST_IP, "lladdr", GUEST_MAC, "dev", tap, "nud", "permanent")
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((HOST_IP, 0))
        sent = [os.urandom(100 + 200 * i) for i in range(5)]
        for d in sent:
            s.sendto(d, (GUEST_IP, 7))
        s.settimeout(15)
        back = []
        try:
            while len(back) < len(sent):
                back.append(s.recv(65536))
        except socket.timeout:
            pass
        s.close()
        vm.wait_line("TESTS DONE", 30)
        vm.finish()
    finally:
        vm.kill()
    why = expect_ok(vm, "net-echo")
    if why:
        return why
    if back != sent:
        return "%d of %d echoes came back intact" % (sum(1 for a, b in zip(back, sent) if a == b), len(sent))
    return None


def bench_tx(n, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 33, 1 << 25)  # SO_RCVBUFFORCE: root may exceed rmem_max
    s.bind(("0.0.0.0", 9))  # our namespace only; the tap may not exist yet
    s.setblocking(False)
    vm = Vm(common_args("netbench") + ["guest.netbench=tx", "guest.netpkts=%d" % n, "guest.netsize=%d" % size],
            timeout=600)
    got = nbytes = 0
    try:
        while not vm.wait_line("BENCH net-tx done", 0.05):
            if vm.p.poll() is not None:
                break
            while True:
                try:
                    nbytes += len(s.recv(65536))
                    got += 1
                except BlockingIOError:
                    break
        time.sleep(0.2)
        while True:
            try:
                nbytes += len(s.recv(65536))
                got += 1
            except BlockingIOError:
                break
        vm.finish()
    finally:
        vm.kill()
        s.close()
    return report(vm, "tx", "host received %d datagrams" % got)


def bench_rx(n, size, window=256, ack=32):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    vm = Vm(common_args("netbench") + ["guest.netbench=rx", "guest.netpkts=%d" % n, "guest.netack=%d" % ack],
            timeout=600)
    payload = os.urandom(size)
    try:
        if not vm.wait_line("BENCH net-rx start", 60):
            return "no BENCH net-rx start: " + vm.tail()
        # Resolve the guest first: until ARP completes, the kernel keeps only
        # a few packets per neighbour (unres_qlen_bytes) and drops the rest.
        if ping(1) != 1:
            return "the guest does not answer ping in rx mode: " + vm.tail()
        sent = acked = 0
        while sent < n:
            while sent < n and sent - acked < window:
                s.sendto(payload, (GUEST_IP, 9))
                sent += 1
            r, _, _ = select.select([s], [], [], 10)
            if not r:
                return "no ack for 10 s (%d sent, %d acknowledged): %s" % (sent, acked, vm.tail())
            while True:
                try:
                    data = s.recv(64, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                if len(data) == 8:
                    acked = max(acked, struct.unpack("<Q", data)[0])
        if not vm.wait_line("BENCH net-rx done", 5):
            s.sendto(b"", (GUEST_IP, 9))  # some were lost: an empty datagram ends the run
            vm.wait_line("BENCH net-rx done", 10)
        vm.finish()
    finally:
        vm.kill()
        s.close()
    return report(vm, "rx", "window %d, ack every %d" % (window, ack))


def report(vm, mode, extra):
    why = expect_ok(vm, "netbench")
    if why:
        return why
    start = vm.stamps["BENCH net-%s start" % mode]
    done = [l for l in vm.lines if l.startswith("BENCH net-%s done" % mode)][0]
    secs = vm.stamps[done] - start
    pk = int(done.split("packets=")[1].split()[0])
    nb = int(done.split("bytes=")[1].split()[0])
    print("    net-%s %7.3f s %9.0f pps %8.2f MB/s  (%s; %s)" % (mode, secs, pk / secs, nb / secs / 1e6, extra,
                                                             vm.verdicts()["netbench"]))
    return None


def sc_bench():
    for size in (1472, 64):
        for f in (bench_tx, bench_rx):
            why = f(args_ns.bench, size)
            if why:
                return why
    return None


SCENARIOS = {"net": sc_net, "echo": sc_echo, "bridge": sc_bridge, "jumbo": sc_jumbo, "early": sc_early,
             "default": sc_default,
             "bench": sc_bench}

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", help="path of our lguest binary (default: run QEMU)")
    ap.add_argument("--kernel", choices=("bz", "elf"), default="bz")
    ap.add_argument("--only", help="comma-separated scenario names")
    ap.add_argument("--guest", help="more guest arguments for every run, e.g. 'guest.vrefuse=mrgrxbuf'")
    ap.add_argument("--mib", type=int, default=4, help="MiB for the echo stream (default 4)")
    ap.add_argument("-v", "--verbose", action="store_true", help="show the guest's serial output")
    ap.add_argument("--bench", type=int, default=0, help="datagrams per bench run (0: skip the bench)")
    args_ns = ap.parse_args()
    if args_ns.engine:
        args_ns.engine = os.path.abspath(args_ns.engine)
    names = args_ns.only.split(",") if args_ns.only else [n for n in SCENARIOS if n != "bench" or args_ns.bench]
    failed = 0
    ns = Netns()
    try:
        for name in names:
            try:
                why = SCENARIOS[name]()
            except Exception as e:  # a scenario's crash is its failure, not ours
                why = "%s: %s" % (type(e).__name__, e)
            print("%-10s %s" % (name, "ok" if not why else "FAIL " + why), flush=True)
            failed += bool(why)
    finally:
        ns.close()
    sys.exit(1 if failed else 0)
