#!/bin/sh
# Boot the test guest under QEMU with KVM, the way the benchmarks and a
# human check it:
#   tools/run-qemu.sh bz|elf [-m MiB] [-initrd FILE] [--] [guest args...]
# The guest's arguments get guest.cmdsum= appended (and guest.initrd= when
# -initrd is given). $QEMU_EXTRA (split on blanks) is added to QEMU's
# arguments, e.g. QEMU_EXTRA="-device virtio-rng-pci,disable-legacy=on". Output is the guest's serial console; the run ends when
# the guest resets (-no-reboot) or after $TIMEOUT seconds (default 60).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:?bz or elf}; shift
mem=64; initrd=
while [ $# -gt 0 ]; do
	case $1 in
	-m) mem=$2; shift 2 ;;
	-initrd) initrd=$2; shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done
case $kind in
bz) kernel=$here/build/guest.bzImage ;;
elf) kernel=$here/build/guest.elf ;;
*) echo "run-qemu.sh: bz or elf, not $kind" >&2; exit 2 ;;
esac
args="$*"
if [ -n "$initrd" ]; then
	args="$args guest.initrd=$(python3 "$here/tools/sum64.py" "$initrd")"
fi
args=$(python3 "$here/tools/sum64.py" --cmdline $args)
exec timeout "${TIMEOUT:-60}" qemu-system-x86_64 -enable-kvm -cpu host,-arch-capabilities -m "$mem" \
	-nographic -no-reboot -net none ${QEMU_EXTRA:-} -kernel "$kernel" ${initrd:+-initrd "$initrd"} -append "$args"
