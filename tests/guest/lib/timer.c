/*
 * Time, for tests that must wait. The 8254 PIT (channel 0, mode 2, rate
 * generator; its input clock is 1.193182 MHz on every PC) ticks through the
 * IOAPIC pin the MP table gives for ISA IRQ 0. We halt between interrupts,
 * which costs no instructions at all while waiting.
 *
 * hlt only returns on an interrupt, so a PIT that never fires would hang us.
 * The local APIC timer is the watchdog: it runs periodically whatever the
 * PIT does, and its ticks bound every wait. We do not know its frequency
 * (KVM's is 1 GHz / divider, real boards vary), so it only decides "the PIT
 * is silent", never "how long".
 */
#include "arch.h"
#include "irq.h"
#include "lib.h"
#include "mptable.h"

#define LAPIC_LVT_TIMER		0x320
#define LAPIC_TIMER_INIT	0x380
#define LAPIC_TIMER_CUR		0x390
#define LAPIC_TIMER_DIV		0x3E0
#define LVT_MASKED		(1u << 16)
#define LVT_PERIODIC		(1u << 17)
#define WATCHDOG_COUNT		0x140000	/* ~21 ms at KVM's 1 GHz / 16 */
#define SILENT_LIMIT		50		/* watchdog ticks without a PIT tick */
#define PIT_HZ			1193182

volatile u64 pit_ticks, watchdog_ticks;
static u64 ticks_at_last_wd, silent;

static void on_pit(struct frame *f)
{
	(void)f;
	pit_ticks++;
	lapic_eoi();
}

static void on_watchdog(struct frame *f)
{
	(void)f;
	watchdog_ticks++;
	lapic_eoi();
}

const char *ticker_start(unsigned hz, unsigned pin, u16 mp_flags)
{
	const char *why = lapic_init();
	if (why)
		return why;
	pic_mask_all();
	irq_set_handler(VEC_PIT, on_pit);
	irq_set_handler(VEC_WATCHDOG, on_watchdog);

	lapic_write(LAPIC_TIMER_DIV, 0x3);	/* divide by 16 */
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_WATCHDOG);
	lapic_write(LAPIC_TIMER_INIT, WATCHDOG_COUNT);
	/* Before trusting the watchdog with our life, see it count. */
	u32 c0 = lapic_read(LAPIC_TIMER_CUR);
	for (int i = 0; i < 100; i++)
		cpu_relax();
	if (lapic_read(LAPIC_TIMER_CUR) == c0) {
		lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
		return "LAPIC timer does not count (no watchdog, not waiting)";
	}

	pit_ticks = watchdog_ticks = ticks_at_last_wd = silent = 0;
	ioapic_route(pin, VEC_PIT, mp_flags);
	u32 div = (PIT_HZ + hz / 2) / hz;
	outb(0x43, 0x34);	/* channel 0, lobyte/hibyte, mode 2, binary */
	outb(0x40, (u8)div);
	outb(0x40, (u8)(div >> 8));
	return NULL;
}

void ticker_stop(unsigned pin)
{
	cli();
	/* Mode 0 with the longest count: one last edge in 55 ms, then quiet. */
	outb(0x43, 0x30);
	outb(0x40, 0);
	outb(0x40, 0);
	ioapic_mask(pin);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0);
}

const char *ticker_wait_until(bool (*done)(const void *arg), const void *arg, u64 ticks)
{
	u64 until = pit_ticks + ticks;
	while (!done(arg) && pit_ticks < until) {
		u64 wd = watchdog_ticks;
		sti_hlt();
		cli();
		if (watchdog_ticks != wd) {
			silent = (pit_ticks == ticks_at_last_wd) ? silent + 1 : 0;
			ticks_at_last_wd = pit_ticks;
			if (silent >= SILENT_LIMIT)
				return "no timer interrupt";
		}
	}
	return NULL;
}

static bool flag_set(const void *arg)
{
	const volatile int *flag = arg;
	return flag && *flag;
}

const char *ticker_wait(volatile int *flag, u64 ticks)
{
	return ticker_wait_until(flag_set, (const void *)flag, ticks);
}

/* The clock the device tests share: PIT channel 0 on the pin the MP table
 * gives for ISA IRQ 0, with the watchdog behind it. */
static unsigned clock_pin = MP_NO_ROUTE;

const char *clock_start(unsigned hz)
{
	unsigned pin;
	u16 flags;
	const char *why = mp_isa_route(0, &pin, &flags);
	if (why)
		return why;
	ioapic_set_base(mp_get()->ioapic_addr);
	why = ticker_start(hz, pin, flags);
	if (!why)
		clock_pin = pin;
	return why;
}

void clock_stop(void)
{
	if (clock_pin != MP_NO_ROUTE)
		ticker_stop(clock_pin);
	clock_pin = MP_NO_ROUTE;
}
