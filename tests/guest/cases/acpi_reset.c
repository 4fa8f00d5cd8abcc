/*
 * acpi-reset (only by name): reset the machine through the FADT's
 * RESET_REG (ACPI 6.5, 4.8.3.6), as Linux's reboot=acpi (its first try by
 * default) does: RESET_VALUE into the register, with RESET_REG_SUP set.
 * Prints "RESET <register> <- <value>" first; a TEST line after it (one
 * second later) means the machine lived on.
 */
#include "acpi.h"
#include "arch.h"
#include "irq.h"
#include "lib.h"
#include "test.h"

static void run_acpi_reset(void)
{
	u32 flen;
	const char *why;
	const u8 *fadt = acpi_fadt(&flen, &why);
	if (!fadt)
		return fail("no usable ACPI tables: %s", why);
	if (flen < FADT_RESET_VALUE + 1 || !(*(const u32_ua *)(fadt + FADT_FLAGS) & FADT_RESET_REG_SUP))
		return fail("the FADT offers no reset register (RESET_REG_SUP clear)");
	const struct acpi_gas *rr = (const void *)(fadt + FADT_RESET_REG);
	if (rr->space != ACPI_SPACE_IO)
		return fail("RESET_REG is in address space %u; this test writes I/O ports", rr->space);
	if ((why = clock_start(100)))
		return fail("%s", why);
	u8 v = fadt[FADT_RESET_VALUE];
	printk("RESET port 0x%lx <- 0x%x\n", rr->addr, v);
	serial_flush();
	outb((u16)rr->addr, v);
	ticker_wait(NULL, 100);
	fail("still running a second after the reset write");
}
GUEST_TEST_AS(93, acpi_reset, "acpi-reset", run_acpi_reset, TEST_EXPLICIT);
