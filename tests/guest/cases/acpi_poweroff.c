/*
 * acpi-poweroff (only by name): turn the machine off the way an ACPI OS
 * does (ACPI 6.5, 7.4.2 and 16.1.7): SLP_TYP from \_S5 with SLP_EN, into
 * the FADT's SLEEP_CONTROL register on a hardware-reduced platform (bits
 * 4:2 and 5, 4.8.3.7) or into PM1a_CNT on a full one (bits 12:10 and 13).
 * Prints "POWEROFF <how>" first; nothing follows if it worked. A TEST line
 * after it means the machine lived on for a second, which is a failure.
 */
#include "acpi.h"
#include "arch.h"
#include "irq.h"
#include "lib.h"
#include "test.h"

static void run_acpi_poweroff(void)
{
	u32 flen;
	const char *why;
	const u8 *fadt = acpi_fadt(&flen, &why);
	int s5 = acpi_s5_sleep_type();
	if (!fadt || s5 < 0)
		return fail("no usable ACPI tables (%s) or no \\_S5: nothing says how to power off", why ? why : "ok");
	if ((why = clock_start(100)))
		return fail("%s", why);

	u32 flags = *(const u32_ua *)(fadt + FADT_FLAGS);
	if (flags & FADT_HW_REDUCED) {
		const struct acpi_gas *sc = (const void *)(fadt + FADT_SLEEP_CONTROL);
		u8 v = (u8)(((s5 & 7) << 2) | (1 << 5));
		printk("POWEROFF sleep control 0x%lx <- 0x%x\n", sc->addr, v);
		serial_flush();
		if (sc->space == ACPI_SPACE_IO)
			outb((u16)sc->addr, v);
		else
			*(volatile u8 *)sc->addr = v;
	} else {
		u16 port = (u16)*(const u32_ua *)(fadt + FADT_PM1A_CNT_BLK);
		u16 v = (u16)(((s5 & 7) << 10) | (1 << 13));
		printk("POWEROFF PM1a_CNT 0x%x <- 0x%x\n", port, v);
		serial_flush();
		outw(port, (u16)(inw(port) & ~0x3C00u) | v);
	}
	ticker_wait(NULL, 100);
	fail("still running a second after the S5 write");
}
GUEST_TEST_AS(92, acpi_poweroff, "acpi-poweroff", run_acpi_poweroff, TEST_EXPLICIT);
