/*
 * Finding and reading the MP table. MP spec 1.4, section 4: the floating
 * pointer structure ("_MP_", 16 bytes, 16-byte aligned, bytes summing to
 * zero) lives in the first KiB of the EBDA, or in the last KiB of base
 * memory, or in the BIOS ROM at 0xF0000-0xFFFFF. It points at the
 * configuration table ("PCMP"), whose variable-length entries describe
 * processors, buses, IOAPICs and how each bus interrupt reaches an IOAPIC
 * pin (section 4.3, entry types 0-4).
 *
 * Only the parse is here; tests/mptable.c judges the result, and the timer
 * and serial tests use the IRQ routes.
 */
#include "arch.h"
#include "lib.h"
#include "mptable.h"

static struct mp_info mp;
static bool probed;

/* One candidate range; remembers a bad checksum so we can say so. */
static const u8 *scan(u64 start, u64 len, const char **bad)
{
	for (u64 a = ALIGN_UP(start, 16); a + 16 <= start + len; a += 16) {
		const u8 *p = phys(a);
		if (*(const u32_ua *)p != 0x5F504D5F)	/* "_MP_" */
			continue;
		if (p[8] == 0 || bytesum(p, 16u * p[8]) != 0) {
			*bad = "floating pointer checksum wrong";
			continue;
		}
		return p;
	}
	return NULL;
}

static const u8 *find_fps(const char **bad)
{
	/* The BIOS data area tells where the EBDA and base memory end; with
	 * no BIOS both words may be zero, and we fall back on the classic
	 * 639 KiB. */
	u64 ebda = (u64)*(const u16_ua *)phys(0x40E) << 4;
	u64 basekb = *(const u16_ua *)phys(0x413);
	const u8 *p = NULL;
	if (ebda >= 0x400 && ebda < 0xA0000)
		p = scan(ebda, 1024, bad);
	if (!p && basekb >= 1 && basekb <= 640)
		p = scan((basekb - 1) * 1024, 1024, bad);
	if (!p)
		p = scan(639 * 1024, 1024, bad);
	if (!p)
		p = scan(0, 1024, bad);
	if (!p)
		p = scan(0xF0000, 0x10000, bad);
	return p;
}

static void parse(void)
{
	const char *bad = NULL;
	for (int i = 0; i < 16; i++)
		mp.irq_pin[i] = mp.irq_dst[i] = MP_NO_ROUTE;
	mp.isa_bus_id = -1;
	int pci_bus_id = -1;

	const u8 *fps = find_fps(&bad);
	if (!fps) {
		mp.error = bad ? bad : "no MP floating pointer";
		return;
	}
	mp.found = true;
	mp.fps_addr = (u64)fps;
	mp.fps_rev = fps[9];
	if (fps[11] != 0) {
		mp.error = "default configuration only (feature byte 1 set), no table";
		return;
	}
	u32 cfg = *(const u32_ua *)(fps + 4);
	if (cfg == 0 || cfg >= 0xFFFFFFFFu - 0x10000) {
		mp.error = "no configuration table pointer";
		return;
	}
	const u8 *t = (const u8 *)(u64)cfg;
	mp.cfg_addr = cfg;
	if (*(const u32_ua *)t != 0x504D4350) {	/* "PCMP" */
		mp.error = "configuration table signature not PCMP";
		return;
	}
	u16 len = *(const u16_ua *)(t + 4);
	mp.cfg_rev = t[6];
	if (len < 44 || bytesum(t, len) != 0) {
		mp.error = len < 44 ? "configuration table too short" : "configuration table checksum wrong";
		return;
	}
	mp.entries = *(const u16_ua *)(t + 34);
	mp.lapic_addr = *(const u32_ua *)(t + 36);
	u16 ext_len = *(const u16_ua *)(t + 40);
	mp.ext_ok = ext_len == 0 || (u8)(bytesum(t + len, ext_len) + t[42]) == 0;

	/* Bus entries come before the interrupt entries that name them
	 * (section 4.1), so one pass is enough. */
	const u8 *e = t + 44, *end = t + len;
	for (unsigned i = 0; i < mp.entries; i++) {
		if (e >= end) {
			mp.error = "entry count runs past the table length";
			return;
		}
		switch (e[0]) {
		case 0:		/* processor */
			if (e[3] & 1) {
				mp.ncpu++;
				if (e[3] & 2) {
					mp.nbsp++;
					mp.bsp_apic_id = e[1];
				}
			}
			e += 20;
			break;
		case 1:		/* bus */
			if (!memcmp(e + 2, "ISA   ", 6)) {
				mp.isa = true;
				mp.isa_bus_id = e[1];
			} else if (!memcmp(e + 2, "PCI   ", 6)) {
				mp.pci = true;
				pci_bus_id = e[1];
			}
			e += 8;
			break;
		case 2:		/* IOAPIC */
			if (mp.nioapic++ == 0) {
				mp.ioapic_id = e[1];
				mp.ioapic_flags = e[3];
				mp.ioapic_addr = *(const u32_ua *)(e + 4);
			}
			e += 8;
			break;
		case 3:		/* I/O interrupt assignment */
			if (e[1] == 0 && mp.isa_bus_id >= 0 && e[4] == mp.isa_bus_id && e[5] < 16) {
				mp.irq_pin[e[5]] = e[7];
				mp.irq_dst[e[5]] = e[6];
				mp.irq_flags[e[5]] = *(const u16_ua *)(e + 2);
			}
			e += 8;
			break;
		case 4:		/* local interrupt assignment */
			e += 8;
			break;
		default:
			mp.error = "unknown entry type";
			return;
		}
	}
	(void)pci_bus_id;
	if (e > end)
		mp.error = "last entry runs past the table length";
}

const struct mp_info *mp_get(void)
{
	if (!probed) {
		probed = true;
		parse();
	}
	return &mp;
}

const char *mp_isa_route(unsigned irq, unsigned *pin, u16 *flags)
{
	static char why[96];
	const struct mp_info *m = mp_get();
	if (!m->found || m->error) {
		snformat(why, sizeof(why), "no usable MP table (%s): cannot route ISA IRQ %u", m->error, irq);
		return why;
	}
	if (irq >= 16 || m->irq_pin[irq] == MP_NO_ROUTE) {
		snformat(why, sizeof(why), "the MP table has no route for ISA IRQ %u", irq);
		return why;
	}
	*pin = m->irq_pin[irq];
	*flags = m->irq_flags[irq];
	return NULL;
}
