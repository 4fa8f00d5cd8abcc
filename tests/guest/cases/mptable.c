/*
 * mptable: the MP configuration table (Intel MultiProcessor Specification
 * 1.4) that tells an OS without ACPI where its CPUs and IOAPIC are and how
 * ISA interrupts reach the IOAPIC. lib/mptable.c finds and parses it; here
 * we hold it to the spec, and to the hardware it describes: the IOAPIC must
 * answer at the address given, with the ID given (MP spec 4.3.3: the entry's
 * ID is "the ID of this I/O APIC"; 32-bit Linux even writes the table's ID
 * into the register, so a table that disagrees with the chip is wrong about
 * something), with enough pins; the BSP must be us.
 */
#include "irq.h"
#include "lib.h"
#include "mptable.h"
#include "test.h"

static void run_mptable(void)
{
	const struct mp_info *mp = mp_get();
	if (!mp->found)
		return fail("%s (searched the EBDA, 639 KiB, the first KiB and 0xF0000-0xFFFFF)", mp->error);
	if (mp->error)
		return fail("%s (floating pointer at 0x%lx)", mp->error, mp->fps_addr);
	if (mp->fps_rev != 1 && mp->fps_rev != 4)
		return fail("floating pointer spec revision %u, expected 1 (1.1) or 4 (1.4)", mp->fps_rev);
	if (mp->cfg_rev != 1 && mp->cfg_rev != 4)
		return fail("configuration table spec revision %u, expected 1 or 4", mp->cfg_rev);
	if (!mp->ext_ok)
		return fail("extended table checksum wrong");
	if (mp->ncpu < 1 || mp->nbsp != 1)
		return fail("%u enabled processors, %u flagged BSP; expected >= 1 and exactly 1", mp->ncpu, mp->nbsp);
	if (mp->bsp_apic_id != lapic_id())
		return fail("BSP local APIC id %u in the table, but we are %u", mp->bsp_apic_id, lapic_id());
	if (!mp->isa)
		return fail("no \"ISA   \" bus entry");
	if (mp->nioapic < 1)
		return fail("no IOAPIC entry");
	if (!(mp->ioapic_flags & 1))
		return fail("IOAPIC id %u is not flagged enabled", mp->ioapic_id);
	if (mp->ioapic_addr != IOAPIC_DEFAULT_BASE)
		return fail("IOAPIC at 0x%x, expected 0x%lx", mp->ioapic_addr, IOAPIC_DEFAULT_BASE);
	for (unsigned irq = 0; irq <= 4; irq += 4) {
		if (mp->irq_pin[irq] == MP_NO_ROUTE)
			return fail("no I/O interrupt entry for ISA IRQ %u", irq);
		if (mp->irq_dst[irq] != mp->ioapic_id && mp->irq_dst[irq] != 0xFF)
			return fail("ISA IRQ %u routed to IOAPIC id %u, the table's IOAPIC is %u", irq,
				    mp->irq_dst[irq], mp->ioapic_id);
	}

	/* The hardware must agree with its description: IOAPIC ID register
	 * (bits 27:24 of register 0) and version register (register 1: version
	 * in bits 7:0, last redirection entry in bits 23:16). */
	ioapic_set_base(mp->ioapic_addr);
	u32 id = (ioapic_read(0) >> 24) & 0xF, ver = ioapic_read(1);
	unsigned pins = ((ver >> 16) & 0xFF) + 1;
	if (id != mp->ioapic_id)
		return fail("IOAPIC ID register reads %u, the table says %u", id, mp->ioapic_id);
	if (pins < 16 || mp->irq_pin[0] >= pins || mp->irq_pin[4] >= pins)
		return fail("IOAPIC has %u pins (version register 0x%x); routes need pins %u and %u", pins, ver,
			    mp->irq_pin[0], mp->irq_pin[4]);

	ok("MP 1.%u at 0x%lx, %u cpu%s, ISA%s, IOAPIC id %u at 0x%x with %u pins, IRQ0->pin %u, IRQ4->pin %u",
	   mp->fps_rev, mp->fps_addr, mp->ncpu, mp->ncpu == 1 ? "" : "s", mp->pci ? "+PCI" : " (no PCI bus)",
	   mp->ioapic_id, mp->ioapic_addr, pins, mp->irq_pin[0], mp->irq_pin[4]);
}
GUEST_TEST(60, mptable, run_mptable, 0);
