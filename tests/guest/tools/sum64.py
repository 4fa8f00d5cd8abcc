#!/usr/bin/env python3
"""sum64, the test guest's checksum (README.md), on the host side.

    sum64.py FILE              sum64 of a file, e.g. for guest.initrd=<sum>:<size>
    sum64.py --cmdline ARGS    print ARGS plus " guest.cmdsum=<sum>", the full
                               command line the cmdline test verifies
    sum64.py --selftest        check the reference vectors in README.md

Definition: h = len; for each 8-byte little-endian word w (the last one
zero-padded): h = (rotl64(h, 7) ^ w) * 0x9E3779B97F4A7C15 mod 2**64.
"""
import struct
import sys

MASK = (1 << 64) - 1
MUL = 0x9E3779B97F4A7C15


def sum64(data: bytes) -> int:
    h = len(data)
    if len(data) % 8:
        data = data + b"\0" * (8 - len(data) % 8)
    for (w,) in struct.iter_unpack("<Q", data):
        h = ((((h << 7) | (h >> 57)) & MASK) ^ w) * MUL & MASK
    return h


VECTORS = [
    (b'', 0x0000000000000000),
    (b'a', 0x0EC1FC08E0770E75),
    (b'12345678', 0x3B3608BF0F9D2E05),
    (b'tests=cmdline', 0xD01513FF4D6766A8),
    (b'123456789', 0x325ED1365A442DFA),
]


def main(argv):
    if len(argv) == 2 and argv[1] == "--selftest":
        bad = [(d, h, sum64(d)) for d, h in VECTORS if sum64(d) != h]
        for d, h, got in bad:
            print(f"sum64({d!r}) = {got:016x}, expected {h:016x}")
        return 1 if bad else 0
    if len(argv) >= 2 and argv[1] == "--cmdline":
        line = " ".join(argv[2:])
        print(f"{line} guest.cmdsum={sum64(line.encode()):016x}" if line else f"guest.cmdsum={sum64(b''):016x}")
        return 0
    if len(argv) == 2:
        with open(argv[1], "rb") as f:
            data = f.read()
        print(f"{sum64(data):016x}:{len(data)}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
