/*
 * crash-mmio-exec (only by name): the engine's exit-code test for an
 * emulation failure. Prints "CRASH mmio-exec 0x<addr>" and jumps to an
 * address in the PCI MMIO hole where no device lives (guest.crashaddr=<hex>,
 * default 0xFD000000; our own page tables identity-map the whole first
 * 4 GiB). Fetching instructions from MMIO is something no KVM emulates, so
 * the VMM sees KVM_EXIT_INTERNAL_ERROR (emulation failure) and must end the
 * VM with its own exit code. If the fetch returns bytes after all, what
 * follows says so: "FAIL exception 6 ..." (all-ones bytes are an invalid
 * opcode) or "FAIL returned from ...".
 */
#include "arch.h"
#include "lib.h"
#include "test.h"

static void run_crash_mmio_exec(void)
{
	u64 addr = 0xFD000000ul;
	size_t n;
	const char *v = cmdline_param("guest.crashaddr", &n);
	if (v && !parse_hex64(v, n, &addr))
		return fail("guest.crashaddr=%.*s is not hex", (int)n, v);
	if (addr >= 0x100000000ul)
		return fail("guest.crashaddr=0x%lx is beyond our 4 GiB identity map", addr);
	printk("CRASH mmio-exec 0x%lx\n", addr);
	serial_flush();
	void (*fn)(void) = (void (*)(void))phys(addr);
	fn();
	fail("returned from a call to 0x%lx", addr);
}
GUEST_TEST_AS(95, crash_mmio_exec, "crash-mmio-exec", run_crash_mmio_exec, TEST_EXPLICIT);
