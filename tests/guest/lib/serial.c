/*
 * The 8250/16550 UART at COM1, the console every PC VMM provides and the
 * one our engine's tests read. Output is polled: wait for the transmitter
 * to be empty, then write. With a working FIFO, "empty" means 16 free
 * slots, so we write 16 bytes per poll: every port access is a VM exit,
 * and on this project's emulator-only KVM those dominate the run time.
 */
#include "arch.h"
#include "lib.h"

#define UART_RBR 0	/* receive buffer (read) */
#define UART_THR 0	/* transmit holding (write) */
#define UART_IER 1
#define UART_IIR 2	/* read */
#define UART_FCR 2	/* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE 0x20	/* holding register (or FIFO) empty */
#define LSR_TEMT 0x40	/* transmitter completely idle */

static unsigned burst = 1;

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80);	/* DLAB: the next two are the divisor */
	outb(COM1 + 0, 0x01);		/* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + UART_LCR, 0x03);	/* 8N1 */
	outb(COM1 + UART_FCR, 0x07);	/* FIFOs on and cleared */
	outb(COM1 + UART_MCR, 0x03);	/* DTR | RTS */
	/* IIR bits 7:6 read 11 only if the FIFO really is there (a plain
	 * 8250 has none, and then one byte per poll is all that is safe). */
	burst = ((inb(COM1 + UART_IIR) & 0xC0) == 0xC0) ? 16 : 1;
}

static void wait_lsr(u8 bit)
{
	/* Bounded: a missing UART reads 0xFF (all ready) and a wedged one
	 * must not hang the run; after the bound we write anyway. */
	for (unsigned i = 0; i < 100000; i++)
		if (inb(COM1 + UART_LSR) & bit)
			return;
}

void serial_write(const char *s, size_t n)
{
	bool cr_done = false;
	while (n) {
		wait_lsr(LSR_THRE);
		for (unsigned room = burst; room && n; room--) {
			/* A terminal wants CR LF, as a Linux console sends. */
			if (*s == '\n' && !cr_done) {
				outb(COM1 + UART_THR, '\r');
				cr_done = true;
				continue;
			}
			outb(COM1 + UART_THR, (u8)*s++);
			cr_done = false;
			n--;
		}
	}
}

void serial_flush(void)
{
	wait_lsr(LSR_TEMT);
}
