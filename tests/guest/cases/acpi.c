/*
 * acpi: the ACPI tables, held to the spec and to the machine they describe.
 * lib/acpi.c finds them as Linux does and checks every checksum and length;
 * here: boot_params (or PVH's start info) and the scan agree on the RSDP;
 * no table sits in RAM the e820 map gives away; the FADT, MADT and DSDT
 * exist; the MADT has one enabled local APIC per CPU the MP table lists
 * (the same count), distinct ids, ours among them, and an IOAPIC whose ID
 * register (4 bits) reads what the table says; a hardware-reduced FADT has
 * its sleep registers (else no OS can power off); \_S5 is there.
 */
#include "acpi.h"
#include "boot.h"
#include "irq.h"
#include "lib.h"
#include "mptable.h"
#include "test.h"

static bool in_ram(u64 addr, u64 len)
{
	const struct e820_entry *e = bp_e820();
	for (unsigned i = 0; i < bp_e820_count(); i++)
		if (e[i].type == E820_RAM && ranges_overlap(addr, len, e[i].addr, e[i].size))
			return true;
	return false;
}

static void run_acpi(void)
{
	const struct acpi_info *a = acpi_get();
	if (!a->found)
		return fail("%s (searched the EBDA and 0xE0000-0xFFFFF; boot_params says 0x%lx)", a->error, a->bp_rsdp);
	if (a->error)
		return fail("%s (RSDP at 0x%lx)", a->error, a->rsdp_addr);
	if (a->bp_rsdp && a->bp_rsdp != a->rsdp_addr)
		return fail("boot_params names an RSDP at 0x%lx, the scan finds 0x%lx", a->bp_rsdp, a->rsdp_addr);
	if (in_ram(a->rsdp_addr, 36))
		return fail("the RSDP at 0x%lx is in usable RAM", a->rsdp_addr);
	for (unsigned i = 0; i < a->ntables; i++)
		if (in_ram(a->tables[i].addr, a->tables[i].len))
			return fail("%s at 0x%lx (+%u) is in usable RAM", a->tables[i].sig, a->tables[i].addr, a->tables[i].len);

	u32 flen;
	const u8 *fadt = acpi_table("FACP", &flen), *madt = acpi_table("APIC", NULL);
	if (!fadt || !madt || !acpi_table("DSDT", NULL))
		return fail("missing table: FACP %s, APIC %s, DSDT %s", fadt ? "ok" : "absent", madt ? "ok" : "absent",
			    acpi_table("DSDT", NULL) ? "ok" : "absent");

	struct madt_info mi;
	acpi_madt(&mi);
	if (mi.error)
		return fail("MADT: %s", mi.error);
	if (!mi.bsp_seen)
		return fail("MADT: no enabled local APIC has our id %u", lapic_id());
	const struct mp_info *mp = mp_get();
	if (mp->found && !mp->error && mp->ncpu != mi.ncpu)
		return fail("MADT lists %u enabled CPUs, the MP table %u", mi.ncpu, mp->ncpu);
	if (mi.nioapic < 1)
		return fail("MADT: no IOAPIC");
	if (mi.ioapic_addr != IOAPIC_DEFAULT_BASE || mi.ioapic_gsi_base != 0)
		return fail("MADT: IOAPIC at 0x%x with GSI base %u, expected 0x%lx and 0", mi.ioapic_addr,
			    mi.ioapic_gsi_base, IOAPIC_DEFAULT_BASE);
	ioapic_set_base(mi.ioapic_addr);
	u32 reg = (ioapic_read(0) >> 24) & 0xF;
	if (reg != mi.ioapic_id)
		return fail("MADT: IOAPIC id %u, but its ID register reads %u", mi.ioapic_id, reg);

	u32 flags = *(const u32_ua *)(fadt + FADT_FLAGS);
	char power[96] = "full hardware";
	if (flags & FADT_HW_REDUCED) {
		if (flen < FADT_SLEEP_STATUS + 12)
			return fail("hardware-reduced FADT of %u bytes has no sleep registers", flen);
		const struct acpi_gas *sc = (const void *)(fadt + FADT_SLEEP_CONTROL),
				      *ss = (const void *)(fadt + FADT_SLEEP_STATUS);
		if (!sc->addr || !ss->addr)
			return fail("hardware-reduced FADT without SLEEP_CONTROL/SLEEP_STATUS: no ACPI power-off");
		snformat(power, sizeof(power), "hardware-reduced: sleep %s0x%lx/0x%lx", sc->space == ACPI_SPACE_IO ? "port " : "",
			 sc->addr, ss->addr);
	}
	if (flags & FADT_RESET_REG_SUP) {
		const struct acpi_gas *rr = (const void *)(fadt + FADT_RESET_REG);
		size_t n = strlen(power);
		snformat(power + n, sizeof(power) - n, ", reset 0x%lx=%u", rr->addr, fadt[FADT_RESET_VALUE]);
	}
	int s5 = acpi_s5_sleep_type();
	if (s5 < 0)
		return fail("no \\_S5 package in the DSDT: no OS would know how to power off");

	char sigs[ACPI_MAX_TABLES * 5 + 1] = "";
	for (unsigned i = 1, n = 0; i < a->ntables; i++)
		n += (unsigned)snformat(sigs + n, sizeof(sigs) - n, "%s%s", i > 1 ? " " : "", a->tables[i].sig);
	ok("RSDP rev %u at 0x%lx (%s%s), %s: %s; %u cpu%s, IOAPIC id %u; %s; \\_S5 = %d", a->rsdp_rev, a->rsdp_addr,
	   a->where, a->bp_rsdp ? ", boot_params agrees" : "", a->xsdt ? "XSDT" : "RSDT", sigs, mi.ncpu,
	   mi.ncpu == 1 ? "" : "s", mi.ioapic_id, power, s5);
}
GUEST_TEST(62, acpi, run_acpi, 0);
