/*
 * ctrl-alt-del (only by name): the keyboard side of a graceful stop for an
 * OS without ACPI. We take the PS/2 keyboard's ISA IRQ 1 through the IOAPIC
 * pin the MP table names, as Linux's i8042 driver does (which is what tells
 * the engine that someone listens), print "READY ctrl-alt-del" and wait up
 * to a minute for the engine to type the chord (its control channel's
 * ctrl-alt-del). The controller translates, as a BIOS leaves it, so the
 * bytes are scan code set 1, one interrupt each. Then the run ends as every
 * run does, with a reset, and that reset must end the VM rather than
 * restart it: the chord asked the guest to shut down.
 */
#include "arch.h"
#include "irq.h"
#include "lib.h"
#include "mptable.h"
#include "test.h"

#define VEC_KBD		0x38
#define WAIT_TICKS	6000	/* a minute at 100 Hz */

static const u8 chord[] = { 0x1D, 0x38, 0xE0, 0x53, 0xE0, 0xD3, 0xB8, 0x9D }; /* set 1: press, release */
static volatile u8 got[16];
static volatile unsigned ngot, irqs;

static void on_kbd(struct frame *f)
{
	(void)f;
	irqs++;
	while (inb(0x64) & 1) {		/* output buffer full */
		u8 b = inb(0x60);
		if (ngot < sizeof(got))
			got[ngot] = b;
		ngot++;
	}
	lapic_eoi();
}

static bool all_typed(const void *arg)
{
	(void)arg;
	return ngot >= sizeof(chord);
}

static void run_ctrl_alt_del(void)
{
	unsigned pin;
	u16 flags;
	const char *why = mp_isa_route(1, &pin, &flags);
	if (!why)
		why = clock_start(100);	/* also sets the IOAPIC's base */
	if (why)
		return fail("%s", why);
	while (inb(0x64) & 1)		/* nothing stale in the buffer */
		(void)inb(0x60);
	irq_set_handler(VEC_KBD, on_kbd);
	ioapic_route(pin, VEC_KBD, flags);
	printk("READY ctrl-alt-del\n");
	serial_flush();
	why = ticker_wait_until(all_typed, NULL, WAIT_TICKS);
	ioapic_mask(pin);
	if (why)
		return fail("%s", why);
	if (ngot != sizeof(chord))
		return fail("%u bytes typed, expected %u", ngot, (unsigned)sizeof(chord));
	for (unsigned i = 0; i < sizeof(chord); i++)
		if (got[i] != chord[i])
			return fail("byte %u is 0x%02x, expected 0x%02x (scan code set 1)", i, got[i], chord[i]);
	ok("Ctrl+Alt+Del in scan code set 1 on IOAPIC pin %u, %u bytes in %u interrupts", pin, ngot, irqs);
}
GUEST_TEST_AS(97, ctrl_alt_del, "ctrl-alt-del", run_ctrl_alt_del, TEST_EXPLICIT);
