/*
 * smp: the application processors start, the way an OS without firmware
 * help starts them (Intel SDM vol. 3, 10.4.4; the MP spec's appendix B):
 * INIT to every CPU but us, then a STARTUP IPI (twice, as the spec's
 * sequence has it) whose vector names the page where boot/ap.S's blob
 * waits. Each AP counts itself in and halts. The count must reach the
 * enabled processors of the MADT (of the MP table without ACPI) less us
 * within ten seconds (a bound for slow hosts: KVM starts one in
 * microseconds), and no CPU may count twice (a second STARTUP to a CPU
 * already running is ignored). With one CPU there is nothing to start,
 * and the test says so. (SeaBIOS under QEMU's TCG lists fewer CPUs in its
 * MP table than in its MADT: the MADT is what a modern OS reads.)
 */
#include "acpi.h"
#include "boot.h"
#include "irq.h"
#include "lib.h"
#include "mptable.h"
#include "test.h"

#define AP_PAGE		0x60000ul	/* a free page of usable base memory, below 1 MiB */
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_BUSY	(1u << 12)
#define ICR_INIT	(5u << 8)
#define ICR_STARTUP	(6u << 8)

extern const u8 ap_tramp_start[], ap_tramp_end[];

static void ipi(u32 lo)
{
	lapic_write(LAPIC_ICR_HI, 0);
	lapic_write(LAPIC_ICR_LO, lo);
	while (lapic_read(LAPIC_ICR_LO) & ICR_BUSY)
		cpu_relax();
}

struct count_arg {
	volatile u16 *count;
	unsigned want;
};

static bool all_in(const void *arg)
{
	const struct count_arg *a = arg;
	return *a->count >= a->want;
}

static void run_smp(void)
{
	struct madt_info madt;
	acpi_madt(&madt);
	const struct mp_info *mp = mp_get();
	unsigned ncpu = !madt.error ? madt.ncpu : mp->found && !mp->error ? mp->ncpu : 0;
	const char *from = !madt.error ? "MADT" : "MP table";
	if (!ncpu)
		return fail("neither a MADT (%s) nor an MP table to count the CPUs by", madt.error);
	if (ncpu < 2)
		return ok("1 cpu (%s): no application processor to start", from);
	size_t len = (size_t)(ap_tramp_end - ap_tramp_start);
	if (!e820_is_usable(AP_PAGE, AP_PAGE + 4096))
		return fail("page 0x%lx is not usable RAM for the AP start-up code", AP_PAGE);
	const char *why = lapic_init();
	if (!why)
		why = clock_start(100);
	if (why)
		return fail("%s", why);

	u8 *page = (u8 *)AP_PAGE;
	memcpy(page, ap_tramp_start, len);
	struct count_arg arg = { (volatile u16 *)(page + len - 2), ncpu - 1 };
	*arg.count = 0;
	u64 t0 = pit_ticks;
	ipi(ICR_ALL_BUT_SELF | ICR_LEVEL_ASSERT | ICR_INIT);
	ticker_wait(NULL, 1);	/* the spec's 10 ms */
	for (int i = 0; i < 2; i++)
		ipi(ICR_ALL_BUT_SELF | ICR_STARTUP | (u32)(AP_PAGE >> 12));
	why = ticker_wait_until(all_in, &arg, 1000);
	u64 ms = (pit_ticks - t0) * 10;
	if (why)
		return fail("%s", why);
	if (*arg.count != arg.want)
		return fail("%u of %u application processors counted in within 10 s", *arg.count, arg.want);
	/* Give a CPU that would count twice (a STARTUP taken while running) the time to do it. */
	ticker_wait(NULL, 2);
	if (*arg.count != arg.want)
		return fail("%u counts for %u application processors: one started twice", *arg.count, arg.want);
	ok("%u application processor%s (%s) started by INIT and STARTUP in %lu ms", arg.want, arg.want == 1 ? "" : "s",
	   from, ms);
}
GUEST_TEST(64, smp, run_smp, 0);
