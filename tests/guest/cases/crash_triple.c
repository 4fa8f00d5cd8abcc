/*
 * crash-triple (only by name): the engine's exit-code test for a triple
 * fault. Prints "CRASH triple", loads an empty IDT and executes ud2: the
 * #UD cannot be delivered, nor the #DF after it, and the CPU shuts down.
 * Nothing follows; a "TEST crash-triple" line means the machine lived on,
 * which is a failure.
 */
#include "arch.h"
#include "lib.h"
#include "test.h"

static void run_crash_triple(void)
{
	printk("CRASH triple\n");
	serial_flush();
	cli();
	struct desc_ptr none = { 0, 0 };
	lidt(&none);
	__asm__ volatile("ud2");
	fail("still running after ud2 with an empty IDT");
}
GUEST_TEST_AS(94, crash_triple, "crash-triple", run_crash_triple, TEST_EXPLICIT);
