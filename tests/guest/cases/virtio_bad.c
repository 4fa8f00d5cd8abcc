/*
 * virtio-bad: a driver that breaks the rules, on purpose, and a device that
 * must survive it. On the rng device (else the last virtio device found) we
 * make one queue available with
 *   1. a descriptor whose `next` is out of range (2.7.5.2: next must name a
 *      descriptor of the table), then, after a reset and a fresh start,
 *   2. a chain that loops, a -> b -> a (2.7.5.2: a chain is finite),
 * and after each expect device_status to gain DEVICE_NEEDS_RESET (2.1.2)
 * within 2 s, followed by the configuration change interrupt 2.1.2 requires
 * when DRIVER_OK is set. Then a reset, a fresh start and (rng) one good
 * request must work. The run goes on afterwards, which is the other half of
 * the point: the VMM stopped one device, not the machine.
 *
 * The queue is the one a kick makes the device read: transmitq (1) for
 * console and net, queue 0 otherwise.
 */
#include "heap.h"
#include "irq.h"
#include "lib.h"
#include "test.h"
#include "virtio.h"

#define NEEDS_RESET_TICKS 200	/* 2 s at 100 Hz */
#define CFG_IRQ_TICKS 50	/* after the bit: 0.5 s for the interrupt */

static char why[200];

static bool needs_reset(const void *arg)
{
	struct vdev *d = (struct vdev *)arg;
	return virtio_status(d) & VIRTIO_STATUS_NEEDS_RESET;
}

static bool cfg_irq_since(const void *arg)
{
	const u64 *seen = arg;
	const struct vdev *d = (const void *)seen[1];
	return d->cfg_irqs != seen[0];
}

/* Publishes head 0 and rings the doorbell whatever the device asked. */
static void make_available(struct vq *q)
{
	q->avail->ring[q->avail_idx & q->mask] = 0;
	q->avail_idx++;
	barrier();
	*(volatile u16 *)&q->avail->idx = q->avail_idx;
	vmb();
	vq_notify(q);
}

/* Waits for NEEDS_RESET and the config interrupt; *ticks gets how long. */
static const char *expect_broken(struct vdev *d, const char *what, u64 cfg0, u64 *ticks)
{
	u64 t0 = pit_ticks;
	const char *w = ticker_wait_until(needs_reset, d, NEEDS_RESET_TICKS);
	if (w)
		return w;
	u8 st = virtio_status(d);
	if (!(st & VIRTIO_STATUS_NEEDS_RESET)) {
		snformat(why, sizeof(why), "%s: device_status 0x%x, no DEVICE_NEEDS_RESET within 2 s", what, st);
		return why;
	}
	*ticks = pit_ticks - t0;
	u64 arg[2] = { cfg0, (u64)d };
	ticker_wait_until(cfg_irq_since, arg, CFG_IRQ_TICKS);
	if (d->cfg_irqs == cfg0) {
		snformat(why, sizeof(why),
			 "%s: DEVICE_NEEDS_RESET (status 0x%x), but no configuration change interrupt "
			 "(virtio 1.2 2.1.2: the device MUST send one)",
			 what, st);
		return why;
	}
	return NULL;
}

static void run_virtio_bad(void)
{
	struct vdev *devs, *d = virtio_find(VIRTIO_ID_RNG, 0);
	unsigned n = virtio_scan(&devs);
	if (!d && n)
		d = &devs[n - 1];
	if (!d)
		return fail("no virtio device on bus 0");
	unsigned qi = (d->type == VIRTIO_ID_CONSOLE || d->type == VIRTIO_ID_NET) ? 1 : 0;
	bool wr = d->type == VIRTIO_ID_RNG;
	const char *name = virtio_type_name(d->type);
	const char *w = clock_start(100);
	if (w)
		return fail("%s", w);
	u8 *buf = heap_alloc(64, 64);
	if (!buf)
		return fail("out of heap");

	/* 1: next out of range. */
	if ((w = virtio_start(d, 0, qi + 1)))
		return fail("start: %s", w);
	struct vq *q = &d->vq[qi];
	u64 cfg0 = d->cfg_irqs, t1, t2;
	q->desc[0] = (struct vring_desc){ (u64)buf, 16, (u16)(VRING_DESC_F_NEXT | (wr ? VRING_DESC_F_WRITE : 0)),
					  q->size };
	make_available(q);
	if ((w = expect_broken(d, "next out of range", cfg0, &t1)))
		return fail("%s", w);

	/* 2: a loop, after a reset. */
	if ((w = virtio_reset(d)))
		return fail("reset after the first error: %s", w);
	if ((w = virtio_start(d, 0, qi + 1)))
		return fail("restart after the first error: %s", w);
	q = &d->vq[qi];
	cfg0 = d->cfg_irqs;
	u16 fl = (u16)(VRING_DESC_F_NEXT | (wr ? VRING_DESC_F_WRITE : 0));
	q->desc[0] = (struct vring_desc){ (u64)buf, 16, fl, 1 };
	q->desc[1] = (struct vring_desc){ (u64)buf + 16, 16, fl, 0 };
	make_available(q);
	if ((w = expect_broken(d, "chain loop 0 -> 1 -> 0", cfg0, &t2)))
		return fail("%s", w);

	/* And back to work. */
	if ((w = virtio_reset(d)))
		return fail("reset after the loop: %s", w);
	if ((w = virtio_start(d, 0, qi + 1)))
		return fail("restart after the loop: %s", w);
	const char *after = "restarted";
	if (wr) {
		struct vbuf b = { (u64)buf, 16, true };
		u32 len;
		if ((w = vq_roundtrip(&d->vq[qi], &b, 1, 0, &len, NEEDS_RESET_TICKS)))
			return fail("a good request after the reset: %s", w);
		after = "a good request works after the reset";
	}
	ok("%s at 00:%02x.%u, queue %u: bad next -> NEEDS_RESET within %lu ms, loop -> within %lu ms, "
	   "config interrupt both times; %s",
	   name ? name : "device", d->slot, d->fn, qi, (t1 + 1) * 10, (t2 + 1) * 10, after);
}
GUEST_TEST_AS(90, virtio_bad, "virtio-bad", run_virtio_bad, TEST_EXPLICIT);
