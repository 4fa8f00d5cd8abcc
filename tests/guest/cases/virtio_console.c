/*
 * virtio-console (interactive; virtio-v1.2 5.3), port 0 only: we never
 * accept VIRTIO_CONSOLE_F_MULTIPORT, so receiveq 0 and transmitq 1 are the
 * whole device. In order, all through the console device:
 *   transmitq: "HVC hello from the test guest\n"
 *   emerg_wr (if VIRTIO_CONSOLE_F_EMERG_WRITE): "HVC emerg!\n", one byte per
 *     register write
 *   transmitq: "READY virtio-console\n"
 *   receiveq:  one line (LF or CR ends it; empty lines are skipped; at most
 *     200 bytes kept), within 10 s
 *   transmitq: "HVC ECHO <line>\n"
 * then the verdict on the serial port. READY goes out on the console, not
 * the UART, on purpose: our engine sends stdin to whichever console the
 * guest wrote to last, so a READY on ttyS0 would pull the reply there.
 */
#include "heap.h"
#include "irq.h"
#include "lib.h"
#include "test.h"
#include "virtio.h"

#define VIRTIO_CONSOLE_F_EMERG_WRITE 2
#define VCON_CFG_EMERG_WR 8
#define RXQ 0
#define TXQ 1
#define NRX 4
#define RX_BYTES 128
#define TX_TICKS 200		/* 2 s at 100 Hz */
#define LINE_TICKS 1000		/* 10 s */

static char why[160];

static const char *say(const char *fmt, const char *what)
{
	snformat(why, sizeof(why), fmt, what);
	return why;
}

static bool counter_moved(const void *arg)
{
	const u64 *a = arg;
	return *(volatile u64 *)a[0] != a[1];
}

static const char *hvc_write(struct vq *tx, char *buf, const char *s, size_t n)
{
	memcpy(buf, s, n);
	struct vbuf b = { (u64)buf, (u32)n, false };
	u32 len;
	return vq_roundtrip(tx, &b, 1, 0, &len, TX_TICKS);
}

static void run_virtio_console(void)
{
	struct vdev *d = virtio_find(VIRTIO_ID_CONSOLE, 0);
	if (!d)
		return fail("no virtio console device on bus 0");
	const char *w = clock_start(100);
	if (w)
		return fail("%s", w);
	if ((w = virtio_start(d, FEAT(VIRTIO_CONSOLE_F_EMERG_WRITE), 2)))
		return fail("00:%02x.%u: %s", d->slot, d->fn, w);
	struct vq *rx = &d->vq[RXQ], *tx = &d->vq[TXQ];
	u8 *rxmem = heap_alloc_raw(NRX * RX_BYTES, 64);
	char *txbuf = heap_alloc_raw(256, 64);
	u8 *by_head[VQ_SIZE_MAX];
	if (!rxmem || !txbuf)
		return fail("out of heap");

	/* Receive buffers first, so input that comes early has a home (and
	 * its interrupt may come while we wait for a transmission). */
	u64 rx_irqs0 = rx->irqs;
	for (unsigned i = 0; i < NRX && i < rx->size; i++) {
		struct vbuf b = { (u64)(rxmem + i * RX_BYTES), RX_BYTES, true };
		by_head[vq_post(rx, &b, 1, 0)] = rxmem + i * RX_BYTES;
	}
	vq_arm(rx);
	vq_kick(rx);

	static const char hello[] = "HVC hello from the test guest\n";
	if ((w = hvc_write(tx, txbuf, hello, sizeof(hello) - 1)))
		return fail("transmitq, hello: %s", w);
	bool emerg = d->features & FEAT(VIRTIO_CONSOLE_F_EMERG_WRITE);
	if (emerg) {
		for (const char *p = "HVC emerg!\n"; *p; p++)
			virtio_cfg_write32(d, VCON_CFG_EMERG_WR, (u8)*p);
	}
	static const char ready[] = "READY virtio-console\n";
	if ((w = hvc_write(tx, txbuf, ready, sizeof(ready) - 1)))
		return fail("transmitq, READY: %s", w);

	char line[200];
	unsigned nline = 0, chunks = 0;
	bool done = false;
	u64 until = pit_ticks + LINE_TICKS;
	while (!done) {
		vq_arm(rx);
		u64 seen = rx->irqs;
		if (!vq_has_used(rx)) {
			if (pit_ticks >= until)
				return fail("no input on receiveq within 10 s (%u bytes, %u buffers so far)", nline, chunks);
			w = vq_wait(rx, seen, until - pit_ticks);
			if (w && vq_has_used(rx))
				return fail("receiveq: %s", w);
			continue;
		}
		u32 id, len;
		bool reposted = false;
		while (!done && vq_pop(rx, &id, &len)) {
			chunks++;
			if (id >= rx->size || !by_head[id])
				return fail("receiveq: used id %u was never posted", id);
			if (len > RX_BYTES)
				return fail("receiveq: used length %u > buffer %u", len, RX_BYTES);
			u8 *buf = by_head[id];
			for (u32 k = 0; k < len && !done; k++) {
				char c = (char)buf[k];
				if (c == '\n' || c == '\r')
					done = nline > 0;
				else if (nline < sizeof(line))
					line[nline++] = c;
			}
			struct vbuf b = { (u64)buf, RX_BYTES, true };
			by_head[vq_post(rx, &b, 1, 0)] = buf;
			reposted = true;
		}
		if (reposted)
			vq_kick(rx);
	}
	/* The line may have been in the used ring before its interrupt got
	 * to us (we only take interrupts while halted): give it 1 s. */
	u64 arg[2] = { (u64)&rx->irqs, rx_irqs0 };
	ticker_wait_until(counter_moved, arg, 100);
	if (rx->irqs == rx_irqs0)
		return fail("the line arrived without a receiveq interrupt");

	static const char echo[] = "HVC ECHO ";
	memcpy(txbuf, echo, sizeof(echo) - 1);
	memcpy(txbuf + sizeof(echo) - 1, line, nline);
	txbuf[sizeof(echo) - 1 + nline] = '\n';
	struct vbuf b = { (u64)txbuf, (u32)(sizeof(echo) + nline), false };
	u32 len;
	if ((w = vq_roundtrip(tx, &b, 1, 0, &len, TX_TICKS)))
		return fail("%s", say("transmitq, echo: %s", w));
	ok("%u bytes in %u receive buffer%s by interrupt; %s", nline, chunks, chunks == 1 ? "" : "s",
	   emerg ? "emergency write used" : "no EMERG_WRITE offered");
}
GUEST_TEST_AS(84, virtio_console, "virtio-console", run_virtio_console,
	      TEST_INTERACTIVE | TEST_NEEDS(VIRTIO_ID_CONSOLE));
