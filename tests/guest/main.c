/*
 * The guest's main line: take stock, set up the CPU, announce ourselves,
 * run the tests the command line asks for, report, reboot.
 *
 * Output contract (README.md): a banner, one "TEST <name>: ok|FAIL ..." line
 * per test, "TESTS DONE passed=<n> failed=<m>", then a reset through the
 * i8042, then (if the machine ignores that) a triple fault.
 */
#include "arch.h"
#include "boot.h"
#include "heap.h"
#include "irq.h"
#include "lib.h"
#include "test.h"
#include "virtio.h"

extern const struct guest_test __tests_start[], __tests_end[];

static const struct guest_test *current;
static bool reported;
static unsigned passed, failed;

static void report(bool good, const char *fmt, va_list ap)
{
	char why[400];
	if (reported) {
		/* A second verdict is a bug in the test; make it visible. */
		printk("TEST %s: FAIL reported twice\n", current ? current->name : "?");
		failed++;
		return;
	}
	reported = true;
	vsnformat(why, sizeof(why), fmt, ap);
	const char *name = current ? current->name : "?";
	if (good) {
		passed++;
		if (why[0])
			printk("TEST %s: ok (%s)\n", name, why);
		else
			printk("TEST %s: ok\n", name);
	} else {
		failed++;
		printk("TEST %s: FAIL %s\n", name, why);
	}
}

void ok(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(true, fmt, ap);
	va_end(ap);
}

void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(false, fmt, ap);
	va_end(ap);
}

static __noreturn void reboot(void)
{
	serial_flush();
	cli();
	/* i8042 command 0xFE pulses the CPU reset line: how a PC reboots and
	 * what our engine's and QEMU's i8042 turn into a reset. */
	outb(0x64, 0xFE);
	for (int i = 0; i < 1000; i++)
		cpu_relax();
	/* Still here: no IDT, then an invalid opcode. #UD cannot be
	 * delivered, nor the #DF after it: a triple fault resets any PC. */
	struct desc_ptr none = { 0, 0 };
	lidt(&none);
	for (;;)
		__asm__ volatile("ud2");
}

static __noreturn void finish(void)
{
	printk("TESTS DONE passed=%u failed=%u\n", passed, failed);
	reboot();
}

void exception_fatal(struct frame *f) __noreturn;
void exception_fatal(struct frame *f)
{
	static bool dying;
	if (dying)
		reboot();	/* faulted while reporting a fault */
	dying = true;
	u64 cr2 = READ_CR(2);
	if (current && !reported) {
		failed++;
		printk("TEST %s: FAIL exception %lu err=0x%lx rip=0x%lx cr2=0x%lx\n", current->name, f->vec, f->err,
		       f->rip, cr2);
	} else {
		failed++;
		printk("FATAL exception %lu err=0x%lx rip=0x%lx cr2=0x%lx\n", f->vec, f->err, f->rip, cr2);
	}
	finish();
}

static void run(const struct guest_test *t)
{
	u64 mark = heap_mark();
	current = t;
	reported = false;
	t->run();
	if (!reported)
		fail("test reported nothing");
	current = NULL;
	cli();
	/* Nothing a test set up may outlive it: devices stop DMA into the
	 * heap we take back, and the clock stops ticking. */
	virtio_quiesce();
	clock_stop();
	heap_release(mark);
}

/* Whether the default run (or tests=all) includes t. */
static bool wanted(const struct guest_test *t, bool all)
{
	if (t->flags & TEST_EXPLICIT)
		return false;
	if ((t->flags & TEST_INTERACTIVE) && !all)
		return false;
	unsigned type = TEST_NEEDED_TYPE(t->flags);
	return !type || virtio_find((u16)type, 0);
}

static void run_selected(void)
{
	size_t len;
	const char *sel = cmdline_param("tests", &len);
	bool all = sel && len == 3 && !strncmp(sel, "all", 3);
	if (!sel || all) {
		for (const struct guest_test *t = __tests_start; t < __tests_end; t++)
			if (wanted(t, all))
				run(t);
		return;
	}
	/* tests=a,b,c: in the order given. */
	const char *p = sel, *end = sel + len;
	while (p < end) {
		const char *q = p;
		while (q < end && *q != ',')
			q++;
		if (q > p) {
			const struct guest_test *t;
			for (t = __tests_start; t < __tests_end; t++)
				if (strlen(t->name) == (size_t)(q - p) && !strncmp(t->name, p, (size_t)(q - p)))
					break;
			if (t < __tests_end) {
				run(t);
			} else {
				failed++;
				printk("TEST %.*s: FAIL unknown test\n", (int)(q - p), p);
			}
		}
		p = q + 1;
	}
}

void kmain(u64 info, int kind, u64 load);
void kmain(u64 info, int kind, u64 load)
{
	boot_capture(info, kind, load);
	serial_init();
	paging_setup();
	cpu_tables_init();
	boot_adopt();
	printk("lguest test guest: loaded at 0x%lx, entry %s\n", boot.load, kind_name(boot.kind));
	run_selected();
	finish();
}
