/*
 * serial (interactive): input through the UART's receive interrupt. The
 * 16550 raises IRQ 4 when IER bit 0 (received data available) is set and
 * MCR's OUT2 gates its interrupt line onto the bus, as every PC UART does;
 * the MP table gives the IOAPIC pin. We print "READY serial", collect one
 * line in the handler, and echo it back as "ECHO <line>". The PIT at 100 Hz
 * bounds the wait: 1000 ticks, 10 s.
 */
#include "arch.h"
#include "irq.h"
#include "lib.h"
#include "mptable.h"
#include "test.h"

#define UART_IER 1
#define UART_MCR 4
#define UART_LSR 5
#define MCR_DTR_RTS_OUT2 0x0B
#define LSR_DR 0x01
#define WAIT_TICKS 1000	/* at 100 Hz */

static char line[200];
static volatile int nline, line_done;

static void on_com1(struct frame *f)
{
	(void)f;
	/* Drain the FIFO: the line (edge-triggered at the IOAPIC) rises again
	 * for the next byte only once this one is out. */
	for (int guard = 0; guard < 64 && (inb(COM1 + UART_LSR) & LSR_DR); guard++) {
		char c = (char)inb(COM1);
		if (line_done)
			continue;
		if (c == '\n' || c == '\r') {
			line_done = nline > 0;	/* an empty line (CR of a CR LF) waits on */
			continue;
		}
		if (nline < (int)sizeof(line))
			line[nline++] = c;
	}
	lapic_eoi();
}

static void run_serial(void)
{
	unsigned tpin, upin;
	u16 tflags, uflags;
	const char *why = mp_isa_route(0, &tpin, &tflags);
	if (!why)
		why = mp_isa_route(4, &upin, &uflags);
	if (why)
		return fail("%s", why);
	ioapic_set_base(mp_get()->ioapic_addr);

	why = ticker_start(100, tpin, tflags);
	if (why)
		return fail("%s", why);
	nline = line_done = 0;
	irq_set_handler(VEC_COM1, on_com1);
	/* Whatever arrived before READY is not the line we ask for. */
	for (int i = 0; i < 64 && (inb(COM1 + UART_LSR) & LSR_DR); i++)
		inb(COM1);
	outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
	outb(COM1 + UART_IER, 0x01);
	ioapic_route(upin, VEC_COM1, uflags);

	printk("READY serial\n");
	why = ticker_wait(&line_done, WAIT_TICKS);

	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_MCR, 0x03);
	ioapic_mask(upin);
	ticker_stop(tpin);
	if (why)
		return fail("%s (ISA IRQ 0 -> IOAPIC pin %u)", why, tpin);
	if (!line_done)
		return fail("no input (%d ticks of 10 ms, %d bytes received)", WAIT_TICKS, nline);
	printk("ECHO %.*s\n", nline, line);
	ok("%d bytes by interrupt via IOAPIC pin %u", nline, upin);
}
GUEST_TEST(80, serial, run_serial, TEST_INTERACTIVE);
