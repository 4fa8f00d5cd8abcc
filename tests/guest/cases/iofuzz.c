/*
 * iofuzz (only by name): the guest as a fuzzer of the VMM's device models.
 * A seeded stream of random port and MMIO accesses over every range the
 * engine emulates itself (COM1, the i8042 and port 0x92, the CMOS clock,
 * PCI configuration mechanism #1 on every slot, BAR0 of every virtio
 * function, a little past its end too), a million of them by default, each a
 * VM exit and a few instructions: a 64-bit LCG step picks range, offset,
 * width, direction and value. Interrupts stay off throughout.
 *
 * Afterwards the guest puts back what firmware and our own set-up had left
 * (every function's command register, BARs and MSI-X control, the UART's
 * settings) and checks the devices still answer: the UART's scratch
 * register, the CMOS clock, every function's IDs. The tests named after it
 * on the same command line (virtio-scan, virtio-blk, timer, ...) then run
 * against the same engine; and the reset at the end goes through the i8042.
 *
 * What it never does, because it would end or wreck this guest rather than
 * test the engine: the i8042's pulse-output commands (0xF0-0xFF to port
 * 0x64; 0xFE resets) and its write-output-port command (0xD1: bit 0 of the
 * next byte is the reset line on a PC) and A20 off (0xDD; port 0x92 bit 1:
 * memory would wrap at 1 MiB on a PC), port 0x92's fast-reset bit; the UART's transmit
 * register (a million random bytes on the console is noise, not a test);
 * DRIVER_OK in a virtio device_status (an active device DMAs into guest RAM
 * wherever random queue addresses point); MSI-X message data other than a
 * fixed-delivery vector from 0xE0 up (an NMI, INIT or exception vector
 * delivered later would look like a guest fault, or reset the vCPU).
 *
 *   guest.fuzzseed=<decimal>    LCG seed (default 1)
 *   guest.fuzzcount=<decimal>   accesses (default 1000000)
 *   guest.fuzzranges=<decimal>  a bit mask of the ranges to use (default all): 1 serial, 2 i8042,
 *                               4 CMOS, 8 PCI configuration, 16 virtio BARs
 */
#include "arch.h"
#include "lib.h"
#include "pci.h"
#include "test.h"

#define COM1 0x3F8
#define LCG_MUL 6364136223846793005ul
#define LCG_ADD 1442695040888963407ul
#define MAX_FN 32
#define BAR_SPAN 0x8000		/* our virtio BAR0 */
#define COMMON_STATUS 0x14
#define MSIX_TABLE 0x4000
#define STATUS_DRIVER_OK 4

struct fn_state {
	u8 slot;
	bool virtio;
	u64 bar;		/* BAR0 (64-bit) as found, 0 if none */
	u32 saved[10];		/* command/status, BAR0..BAR5, subsystem, ROM: 0x04, 0x10-0x27, ... */
	u8 msix_cap;
	u16 msix_ctl;
	u32 rest[48];		/* 0x40-0xFF of a function that is not ours (a chipset's bridges) */
};

static struct fn_state fns[MAX_FN];
static unsigned nfn;

static u64 param(const char *key, u64 dflt, bool *bad)
{
	size_t n;
	const char *v = cmdline_param(key, &n);
	u64 x = dflt;
	if (v && !parse_u64(v, n, &x))
		*bad = true;
	return x;
}

static const u8 saved_regs[10] = { 0x04, 0x10, 0x14, 0x18, 0x1C, 0x20, 0x24, 0x30, 0x3C, 0x0C };

static void save_functions(void)
{
	nfn = 0;
	for (unsigned slot = 0; slot < 32 && nfn < MAX_FN; slot++) {
		u32 id = pci_read32(0, slot, 0, PCI_VENDOR_ID);
		if ((id & 0xFFFF) == 0xFFFF)
			continue;
		struct fn_state *f = &fns[nfn++];
		f->slot = (u8)slot;
		f->virtio = (id & 0xFFFF) == 0x1AF4;
		for (unsigned i = 0; i < 10; i++)
			f->saved[i] = pci_read32(0, slot, 0, saved_regs[i]);
		u32 lo = f->saved[1], hi = f->saved[2];
		f->bar = (lo & 1) ? 0 : (lo & ~0xFul) | ((lo & 6) == 4 ? (u64)hi << 32 : 0);
		if (!f->virtio)
			for (unsigned r = 0; r < 48; r++)
				f->rest[r] = pci_read32(0, slot, 0, 0x40 + 4 * r);
		f->msix_cap = 0;
		if (pci_read16(0, slot, 0, PCI_STATUS) & PCI_STATUS_CAP_LIST)
			for (u8 p = pci_read8(0, slot, 0, PCI_CAP_PTR) & 0xFC, hops = 0; p && hops < 48; hops++) {
				if (pci_read8(0, slot, 0, p) == 0x11) {
					f->msix_cap = p;
					f->msix_ctl = pci_read16(0, slot, 0, p + 2);
				}
				p = pci_read8(0, slot, 0, p + 1) & 0xFC;
			}
	}
}

static void restore_functions(void)
{
	for (unsigned i = 0; i < nfn; i++) {
		struct fn_state *f = &fns[i];
		pci_write16(0, f->slot, 0, PCI_COMMAND, 0);	/* decode off while the BARs move back */
		for (unsigned r = 1; r < 10; r++)
			pci_write32(0, f->slot, 0, saved_regs[r], f->saved[r]);
		if (f->msix_cap)
			pci_write16(0, f->slot, 0, f->msix_cap + 2, f->msix_ctl);
		/* A chipset's registers (QEMU's 440FX keeps the BIOS area's mapping there): all of them, as found.
		 * Not a virtio function's: its capabilities include the PCI_CFG window, whose data register writes. */
		if (!f->virtio)
			for (unsigned r = 0; r < 48; r++)
				pci_write32(0, f->slot, 0, 0x40 + 4 * r, f->rest[r]);
		pci_write16(0, f->slot, 0, PCI_COMMAND, (u16)f->saved[0]);
		if (f->virtio && f->bar)
			*(volatile u8 *)(f->bar + COMMON_STATUS) = 0;	/* device reset */
	}
}

/* One access; returns the range it went to (for the tally). */
static unsigned ranges = 31;

static unsigned access(u64 x)
{
	unsigned range = (unsigned)(x >> 61);	/* 0..7 */
	if (!(ranges >> (range < 3 ? range : range < 5 ? 3 : 4) & 1))
		return 5;
	unsigned width = 1u << ((x >> 59) & 3); /* 1, 2, 4, 8 */
	bool wr = (x >> 58) & 1;
	u32 v = (u32)x;
	switch (range) {
	case 0: {	/* COM1: every register but the transmit holding one */
		u16 port = COM1 + (u16)((x >> 40) & 7);
		if (!wr)
			(void)inb(port);
		else if (port != COM1)
			outb(port, (u8)v);
		return 0;
	}
	case 1: {	/* i8042 and port 0x92, never a reset */
		static const u16 ports[4] = { 0x60, 0x64, 0x92, 0x61 };
		u16 port = ports[(x >> 40) & 3];
		if (!wr)
			(void)inb(port);
		else if (!(port == 0x64 && ((u8)v >= 0xF0 || (u8)v == 0xD1 || (u8)v == 0xDD)))
			outb(port, port == 0x92 ? (u8)((v & ~1u) | 2) : (u8)v);	/* A20 stays on, reset stays off */
		return 1;
	}
	case 2:		/* CMOS: index (NMI bit and all), then data */
		if (wr)
			outb(0x70 + (u16)((x >> 40) & 1), (u8)v);
		else
			(void)inb(0x70 + (u16)((x >> 40) & 1));
		return 2;
	case 3:
	case 4: {	/* PCI configuration: an address, then data of any width at any of the four ports */
		u32 slot = (x >> 40) & 31, reg = (x >> 32) & 0xFC;
		outl(0xCF8, 0x80000000u | slot << 11 | reg | (range == 4 ? (u32)((x >> 45) & 7) << 8 : 0));
		u16 port = 0xCFC + (u16)((x >> 46) & (width >= 4 ? 0 : 4 - width));
		if (reg == PCI_COMMAND && wr)
			v |= 2;		/* keep memory decoding, so that the BAR accesses still land somewhere */
		if (width >= 4)
			wr ? outl(port, v) : (void)inl(port);
		else if (width == 2)
			wr ? outw(port, (u16)v) : (void)inw(port);
		else
			wr ? outb(port, (u8)v) : (void)inb(port);
		return 3;
	}
	default: {	/* BAR0 of a virtio function, anywhere in it and a little past */
		if (!nfn)
			return 5;
		struct fn_state *f = &fns[(x >> 40) % nfn];
		if (!f->bar)
			return 5;
		u64 off = ((x >> 24) % (BAR_SPAN + 0x100)) & ~(u64)(width - 1);
		u64 a = f->bar + off;
		if (wr && off == COMMON_STATUS)
			v &= ~STATUS_DRIVER_OK;
		if (wr && off + width > MSIX_TABLE && off < MSIX_TABLE + 0x200 && (off & 15) < 12 && (off & 15) + width > 8) {
			if ((off & 15) != 8 || width < 4)
				return 4;	/* part of a message data field: left alone */
			v = 0xE0 | (v & 0x1F);	/* fixed delivery, a vector this guest ignores */
		}
		u64 w = ((u64)v << 32) | v;
		switch (width) {
		case 1: wr ? (void)(*(volatile u8 *)a = (u8)v) : (void)*(volatile u8 *)a; break;
		case 2: wr ? (void)(*(volatile u16 *)a = (u16)v) : (void)*(volatile u16 *)a; break;
		case 4: wr ? (void)(*(volatile u32 *)a = v) : (void)*(volatile u32 *)a; break;
		default: wr ? (void)(*(volatile u64 *)a = w) : (void)*(volatile u64 *)a; break;
		}
		return 4;
	}
	}
}

static void run_iofuzz(void)
{
	bool bad = false;
	u64 seed = param("guest.fuzzseed", 1, &bad), count = param("guest.fuzzcount", 1000000, &bad);
	ranges = (unsigned)param("guest.fuzzranges", 31, &bad);
	if (bad)
		return fail("guest.fuzzseed=, guest.fuzzcount= and guest.fuzzranges= take decimal numbers");
	save_functions();
	u64 tally[6] = { 0 };
	u64 x = seed * 0x9E3779B97F4A7C15ul + 1;
	cli();
	for (u64 i = 0; i < count; i++) {
		x = x * LCG_MUL + LCG_ADD;
		tally[access(x)]++;
	}
	restore_functions();
	serial_init();

	/* Still there: the UART's scratch register, the clock, every function's IDs. */
	outb(COM1 + 7, 0x5A);
	if (inb(COM1 + 7) != 0x5A)
		return fail("the UART's scratch register no longer keeps a byte");
	outb(0x70, 0x0A);
	if (inb(0x71) == 0xFF)
		return fail("the CMOS clock reads 0xFF");
	for (unsigned i = 0; i < nfn; i++) {
		u32 id = pci_read32(0, fns[i].slot, 0, PCI_VENDOR_ID);
		if ((id & 0xFFFF) == 0xFFFF)
			return fail("00:%02x.0 is gone after the fuzzing", fns[i].slot);
		if (pci_read32(0, fns[i].slot, 0, PCI_BAR0) != fns[i].saved[1])
			return fail("00:%02x.0's BAR0 did not take its old value back", fns[i].slot);
	}
	ok("%lu accesses, seed %lu: serial %lu, i8042 %lu, cmos %lu, pci %lu, bar %lu (%u functions), skipped %lu", count,
	   seed, tally[0], tally[1], tally[2], tally[3], tally[4], nfn, tally[5]);
}
GUEST_TEST(96, iofuzz, run_iofuzz, TEST_EXPLICIT);
