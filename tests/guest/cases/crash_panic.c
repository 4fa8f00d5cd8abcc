/*
 * crash-panic (only by name): report a kernel panic the way Linux's
 * pvpanic-pci driver does (QEMU's docs/specs/pvpanic.rst): find the PCI
 * function 1b36:0011 on bus 0, read the byte at BAR0 (the events the
 * device knows; bit 0, PANICKED, must be among them), then write bit 0.
 * Prints "CRASH pvpanic <slot> 0x<bar> events 0x<known>" first; the VMM is
 * expected to stop the machine there. A TEST line after it means it lived
 * on for a second.
 */
#include "arch.h"
#include "irq.h"
#include "lib.h"
#include "pci.h"
#include "test.h"

#define PVPANIC_VENDOR	0x1B36
#define PVPANIC_DEVICE	0x0011
#define PVPANIC_PANICKED 0x01

static void run_crash_panic(void)
{
	unsigned slot = 32;
	for (unsigned d = 0; d < 32 && slot == 32; d++)
		if (pci_read32(0, d, 0, PCI_VENDOR_ID) == (PVPANIC_DEVICE << 16 | PVPANIC_VENDOR))
			slot = d;
	if (slot == 32)
		return fail("no pvpanic function (1b36:0011) on bus 0");
	u32 bar = pci_read32(0, slot, 0, PCI_BAR0);
	if (bar & 1)
		return fail("BAR0 0x%x is an I/O BAR; this test drives a memory BAR", bar);
	u64 base = bar & ~0xFul;
	if (!base)
		return fail("BAR0 is not assigned");
	pci_write16(0, slot, 0, PCI_COMMAND, pci_read16(0, slot, 0, PCI_COMMAND) | 2);
	u8 known = *(volatile u8 *)base;
	if (!(known & PVPANIC_PANICKED))
		return fail("the device does not know PANICKED (reads 0x%x): Linux would never write it", known);
	const char *why = clock_start(100);
	if (why)
		return fail("%s", why);
	printk("CRASH pvpanic 00:%02x.0 0x%lx events 0x%x\n", slot, base, known);
	serial_flush();
	*(volatile u8 *)base = PVPANIC_PANICKED;
	ticker_wait(NULL, 100);
	fail("still running a second after reporting a panic");
}
GUEST_TEST_AS(95, crash_panic, "crash-panic", run_crash_panic, TEST_EXPLICIT);
