/*
 * Finding the ACPI tables. Linux (x86 acpi_find_root_pointer and its
 * callers) takes boot_params.acpi_rsdp_addr when the loader filled it in,
 * and otherwise scans for "RSD PTR " on 16-byte boundaries in the first KiB
 * of the EBDA (segment in the word at 0x40E) and then in 0xE0000-0xFFFFF.
 * We scan the same places whatever the zero page says, so a loader that
 * names one RSDP but leaves another to be found is caught.
 *
 * RSDP (5.2.5.3): the first 20 bytes sum to zero, and for revision 2 all
 * `length` bytes too. Its XSDT (or, revision 0, RSDT) lists the other
 * tables; the FADT points at the DSDT. Every table's bytes sum to zero
 * (5.2.6). Only the parse is here; cases/acpi.c judges.
 */
#include "acpi.h"
#include "boot.h"
#include "irq.h"
#include "lib.h"

static struct acpi_info acpi;
static bool probed;

static bool rsdp_ok(const u8 *p)
{
	if (bytesum(p, 20))
		return false;
	if (p[15] < 2)
		return true;
	u32 len = *(const u32_ua *)(p + 20);
	return len >= 36 && len < 4096 && !bytesum(p, len);
}

static u64 scan(u64 start, u64 len)
{
	for (u64 a = start; a + 36 <= start + len; a += 16) {
		const u8 *p = phys(a);
		/* "RSD PTR " as two words: one compare each, not eight. */
		if (*(const u32_ua *)p == 0x20445352 && *(const u32_ua *)(p + 4) == 0x20525450 && rsdp_ok(p))
			return a;
	}
	return 0;
}

static bool add_table(u64 addr)
{
	if (acpi.ntables >= ACPI_MAX_TABLES) {
		acpi.error = "more tables than the guest keeps (16)";
		return false;
	}
	if (!addr || addr >= 0x100000000ul - 36) {
		acpi.error = "a table pointer outside the first 4 GiB (or null)";
		return false;
	}
	const u8 *t = phys(addr);
	u32 len = *(const u32_ua *)(t + 4);
	struct acpi_table *e = &acpi.tables[acpi.ntables];
	memcpy(e->sig, t, 4);
	e->sig[4] = 0;
	e->addr = addr;
	e->len = len;
	if (len < 36 || len > 0x100000 || addr + len > 0x100000000ul) {
		acpi.error = "a table length is out of range";
		return false;
	}
	if (bytesum(t, len)) {
		acpi.error = "a table checksum is wrong";
		return false;
	}
	acpi.ntables++;
	return true;
}

static void parse(void)
{
	acpi.bp_rsdp = boot.kind == KIND_PVH ? boot.hvm->rsdp_paddr : zp64(BP_acpi_rsdp_addr);
	u64 ebda = (u64)*(const u16_ua *)phys(0x40E) << 4;
	u64 found = 0;
	if (ebda >= 0x400 && ebda < 0xA0000 && (found = scan(ebda, 1024)))
		acpi.where = "EBDA";
	else if ((found = scan(0xE0000, 0x20000)))
		acpi.where = "BIOS area";
	if (!found && acpi.bp_rsdp && acpi.bp_rsdp < 0x100000000ul && rsdp_ok(phys(acpi.bp_rsdp))) {
		found = acpi.bp_rsdp;
		acpi.where = "boot_params only";
	}
	if (!found) {
		acpi.error = acpi.bp_rsdp ? "no valid RSDP, not even where boot_params points" : "no RSDP";
		return;
	}
	acpi.found = true;
	acpi.rsdp_addr = found;
	const u8 *r = phys(found);
	acpi.rsdp_rev = r[15];
	u64 xsdt = acpi.rsdp_rev >= 2 ? *(const u64_ua *)(r + 24) : 0;
	acpi.xsdt = xsdt != 0;
	acpi.root_addr = xsdt ? xsdt : *(const u32_ua *)(r + 16);
	if (!add_table(acpi.root_addr))
		return;
	const u8 *root = phys(acpi.root_addr);
	if (memcmp(root, acpi.xsdt ? "XSDT" : "RSDT", 4)) {
		acpi.error = "the root table's signature is neither XSDT nor RSDT as the RSDP says";
		return;
	}
	unsigned step = acpi.xsdt ? 8 : 4;
	u32 len = acpi.tables[0].len;
	for (u32 off = 36; off + step <= len; off += step) {
		u64 a = acpi.xsdt ? *(const u64_ua *)(root + off) : *(const u32_ua *)(root + off);
		if (!add_table(a))
			return;
	}
	u32 flen;
	const u8 *fadt = acpi_table("FACP", &flen);
	if (fadt) {
		u64 dsdt = flen >= FADT_X_DSDT + 8 && *(const u64_ua *)(fadt + FADT_X_DSDT)
				   ? *(const u64_ua *)(fadt + FADT_X_DSDT)
				   : *(const u32_ua *)(fadt + FADT_DSDT);
		if (add_table(dsdt) && memcmp(acpi.tables[acpi.ntables - 1].sig, "DSDT", 4))
			acpi.error = "the FADT's DSDT pointer leads to something else";
	}
}

const struct acpi_info *acpi_get(void)
{
	if (!probed) {
		probed = true;
		parse();
	}
	return &acpi;
}

const u8 *acpi_table(const char *sig, u32 *len)
{
	const struct acpi_info *a = acpi_get();
	for (unsigned i = 0; i < a->ntables; i++)
		if (!memcmp(a->tables[i].sig, sig, 4)) {
			if (len)
				*len = a->tables[i].len;
			return phys(a->tables[i].addr);
		}
	return NULL;
}

const u8 *acpi_fadt(u32 *len, const char **why)
{
	const struct acpi_info *a = acpi_get();
	const u8 *fadt = a->found && !a->error ? acpi_table("FACP", len) : NULL;
	*why = !a->found || a->error ? a->error : fadt ? NULL : "no FADT";
	return fadt;
}

/*
 * \_S5 in the DSDT: NameOp (0x08), the name "_S5_" (possibly after a root
 * prefix), PackageOp (0x12), PkgLength (1-4 bytes), NumElements, then the
 * first element: ZeroOp, OneOp or BytePrefix (0x0A) and a byte. That is
 * how every DSDT we know spells it; a DSDT that computes it is out of luck.
 */
int acpi_s5_sleep_type(void)
{
	u32 len;
	const u8 *d = acpi_table("DSDT", &len);
	if (!d)
		return -1;
	for (u32 i = 36; i + 12 <= len; i++) {
		if (d[i] != '_' || memcmp(d + i, "_S5_", 4) || d[i + 4] != 0x12)
			continue;
		if (!(d[i - 1] == 0x08 || (d[i - 1] == '\\' && d[i - 2] == 0x08)))
			continue;
		const u8 *p = d + i + 5;
		p += 1 + (*p >> 6);	/* PkgLength */
		p++;			/* NumElements */
		if (*p == 0x00 || *p == 0x01)
			return *p;
		if (*p == 0x0A)
			return p[1];
		return -1;
	}
	return -1;
}

/*
 * The MADT (5.2.12): 44 bytes of header and local APIC address, then
 * interrupt controller structures, each with its type and length in its
 * first two bytes. We count enabled local APICs (type 0, flags bit 0) and
 * keep the first IOAPIC (type 1).
 */
void acpi_madt(struct madt_info *out)
{
	memset(out, 0, sizeof(*out));
	u32 len;
	const u8 *m = acpi_table("APIC", &len);
	if (!m || len < 44) {
		out->error = m ? "MADT shorter than its header" : "no MADT";
		return;
	}
	u8 seen[32] = { 0 };	/* one bit per APIC id */
	u8 me = lapic_id();
	for (u32 off = 44; off < len;) {
		const u8 *e = m + off;
		if (off + 2 > len || e[1] < 2 || off + e[1] > len) {
			out->error = "an entry's length runs past the table";
			return;
		}
		if (e[0] == 0 && e[1] >= 8 && (*(const u32_ua *)(e + 4) & 1)) {
			if (seen[e[3] / 8] & (1 << (e[3] % 8))) {
				out->error = "two enabled local APICs share an id";
				return;
			}
			seen[e[3] / 8] |= (u8)(1 << (e[3] % 8));
			out->ncpu++;
			out->bsp_seen |= e[3] == me;
		} else if (e[0] == 1 && e[1] >= 12 && out->nioapic++ == 0) {
			out->ioapic_id = e[2];
			out->ioapic_addr = *(const u32_ua *)(e + 4);
			out->ioapic_gsi_base = *(const u32_ua *)(e + 8);
		}
		off += e[1];
	}
}
