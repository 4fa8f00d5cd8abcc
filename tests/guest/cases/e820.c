/*
 * e820: the memory map in the zero page (boot.rst, e820_entries and
 * e820_table; ACPI's address range types, 1 = usable RAM). Always: a sane
 * map, entries that do not overlap, types we know. With guest.mem=<MiB>,
 * what our engine promises: usable RAM is exactly [0, mem) without the
 * legacy hole [0x9FC00, 0x100000), and above 3 GiB RAM resumes at 4 GiB
 * (src/LguestPS.Engine/Memory/Layout.cs). A BIOS (QEMU's SeaBIOS) keeps some
 * RAM for itself, so there the exact check is not expected to pass.
 */
#include "boot.h"
#include "lib.h"
#include "test.h"

#define LEGACY_HOLE	0x9FC00ul
#define HIGH_MEM	0x100000ul
#define LOW_LIMIT	(3072ul << 20)
#define FOUR_GIB	0x100000000ul

struct range {
	u64 start, end;
};

static bool known_type(u32 t)
{
	return (t >= E820_RAM && t <= E820_UNUSABLE) || t == E820_PMEM || t == 12;
}

static int fmt_ranges(char *buf, size_t n, const struct range *r, unsigned count)
{
	int len = 0;
	for (unsigned i = 0; i < count && (size_t)len < n; i++)
		len += snformat(buf + len, n - (size_t)len, "%s[0x%lx,0x%lx)", i ? " " : "", r[i].start, r[i].end);
	return len;
}

static void run_e820(void)
{
	const struct e820_entry *e = bp_e820();
	unsigned n = bp_e820_count();
	if (n < 1 || n > E820_MAX_ZEROPAGE)
		return fail("e820_entries %u, expected 1..%u", n, E820_MAX_ZEROPAGE);

	/* Sort indices by address (insertion sort: n is small, and the
	 * emulator charges per instruction, not per algorithm class). */
	u8 idx[E820_MAX_ZEROPAGE];
	for (unsigned i = 0; i < n; i++) {
		if (!e[i].size)
			return fail("entry %u at 0x%lx has size 0", i, e[i].addr);
		if (e[i].addr + e[i].size < e[i].addr)
			return fail("entry %u [0x%lx +0x%lx] wraps around", i, e[i].addr, e[i].size);
		if (!known_type(e[i].type))
			return fail("entry %u [0x%lx +0x%lx] has unknown type %u", i, e[i].addr, e[i].size, e[i].type);
		unsigned j = i;
		while (j && e[idx[j - 1]].addr > e[i].addr) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = (u8)i;
	}

	/* Neighbours in address order must not overlap; RAM ranges are
	 * merged where they touch. */
	struct range ram[E820_MAX_ZEROPAGE];
	unsigned nram = 0;
	u64 ram_bytes = 0;
	for (unsigned k = 0; k < n; k++) {
		const struct e820_entry *c = &e[idx[k]];
		if (k) {
			const struct e820_entry *p = &e[idx[k - 1]];
			if (p->addr + p->size > c->addr)
				return fail("entries overlap: [0x%lx,0x%lx) type %u and [0x%lx,0x%lx) type %u", p->addr,
					    p->addr + p->size, p->type, c->addr, c->addr + c->size, c->type);
		}
		if (c->type != E820_RAM)
			continue;
		ram_bytes += c->size;
		if (nram && ram[nram - 1].end == c->addr)
			ram[nram - 1].end += c->size;
		else
			ram[nram++] = (struct range){ c->addr, c->addr + c->size };
	}
	if (!nram)
		return fail("no usable RAM in %u entries", n);

	size_t vlen;
	const char *v = cmdline_param("guest.mem", &vlen);
	if (!v)
		return ok("%u entries, %lu KiB usable; no guest.mem=: sanity only", n, ram_bytes >> 10);
	u64 mib;
	if (!parse_u64(v, vlen, &mib) || mib < 1 || mib > (1ul << 30))
		return fail("guest.mem=%.*s is not a size in MiB", (int)vlen, v);

	u64 mem = mib << 20, low = MIN(mem, LOW_LIMIT);
	struct range want[3];
	unsigned nwant = 0;
	want[nwant++] = (struct range){ 0, MIN(mem, LEGACY_HOLE) };
	if (low > HIGH_MEM)
		want[nwant++] = (struct range){ HIGH_MEM, low };
	if (mem > LOW_LIMIT)
		want[nwant++] = (struct range){ FOUR_GIB, FOUR_GIB + mem - LOW_LIMIT };

	bool same = nram == nwant;
	for (unsigned i = 0; same && i < nram; i++)
		same = ram[i].start == want[i].start && ram[i].end == want[i].end;
	if (!same) {
		char got[200], exp[120];
		fmt_ranges(got, sizeof(got), ram, nram);
		fmt_ranges(exp, sizeof(exp), want, nwant);
		return fail("usable RAM %s, expected %s for guest.mem=%lu", got, exp, mib);
	}
	ok("%u entries, usable RAM matches guest.mem=%lu", n, mib);
}
GUEST_TEST(30, e820, run_e820, 0);
