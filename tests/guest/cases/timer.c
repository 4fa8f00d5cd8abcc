/*
 * timer: an interrupt's whole journey on a PC without ACPI. The 8254 PIT
 * ticks at 1 kHz on ISA IRQ 0; the MP table says which IOAPIC pin that is
 * (SeaBIOS: pin 2, the "timer override"; our engine: pin 0); the IOAPIC
 * sends it to our local APIC as vector VEC_PIT; we EOI it. Ten ticks pass.
 */
#include "irq.h"
#include "lib.h"
#include "mptable.h"
#include "test.h"

#define WANT_TICKS 10

static void run_timer(void)
{
	unsigned pin;
	u16 flags;
	const char *why = mp_isa_route(0, &pin, &flags);
	if (why)
		return fail("%s", why);
	ioapic_set_base(mp_get()->ioapic_addr);
	u64 stray = unexpected_irqs;

	why = ticker_start(1000, pin, flags);
	if (why)
		return fail("%s", why);
	why = ticker_wait(NULL, WANT_TICKS);
	u64 ticks = pit_ticks, wd = watchdog_ticks;
	ticker_stop(pin);
	if (why)
		return fail("%s (ISA IRQ 0 -> IOAPIC pin %u -> vector 0x%x; %lu ticks, %lu watchdog ticks)", why, pin,
			    VEC_PIT, ticks, wd);
	ok("%lu ticks at 1 kHz via IOAPIC pin %u, vector 0x%x%s", ticks, pin, VEC_PIT,
	   unexpected_irqs != stray ? ", with unexpected interrupts" : "");
}
GUEST_TEST(70, timer, run_timer, 0);
