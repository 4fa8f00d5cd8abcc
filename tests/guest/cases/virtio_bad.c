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
 * request must work.
 *
 * guest.badcases=<case>,... (or "all") picks other rule breaks, each after
 * its own reset and start: next, loop (the default pair), avail (the avail
 * index jumps by more than the queue size), addr (a buffer beyond any RAM),
 * wrap (a buffer whose end wraps past 2^64), order (a device-readable
 * buffer after a device-writable one), and with indirect descriptors
 * nested (an indirect table holding an indirect descriptor), indlen (a
 * table length not a multiple of 16), indnext (a `next` outside the table);
 * and features: FEATURES_OK with a feature bit the device never offered
 * must not stick (3.1.1). Three more are things a device must merely
 * survive (then reset and start again): inflight (a reset right after
 * making requests available: 64 rng requests or 16 block reads), doorbell
 * (queue indexes 0xFFFF and num_queues written to doorbells), widths (a
 * 64-bit read of queue_desc, a byte of num_queues, a dword across
 * device_status, reads just past the common and device windows, a byte
 * write into queue_select). The run goes on afterwards, which is the other half of
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

/* Publishes `count` more avail entries (head 0) and rings the doorbell. */
static void publish(struct vq *q, u16 count)
{
	for (u16 k = 0; k < count && k < q->size; k++)
		q->avail->ring[(q->avail_idx + k) & q->mask] = 0;
	q->avail_idx = (u16)(q->avail_idx + count);
	barrier();
	*(volatile u16 *)&q->avail->idx = q->avail_idx;
	vmb();
	vq_notify(q);
}

struct bad_case {
	const char *name, *what;
	bool needs_indirect;
};

static const struct bad_case cases[] = {
	{ "next", "next out of range", false },
	{ "loop", "chain loop 0 -> 1 -> 0", false },
	{ "avail", "avail index moved by queue size + 1", false },
	{ "addr", "buffer at 0xffffffff00000000", false },
	{ "wrap", "buffer wrapping past 2^64", false },
	{ "order", "readable buffer after a writable one", false },
	{ "nested", "indirect table inside an indirect table", true },
	{ "indlen", "indirect table of 20 bytes", true },
	{ "indnext", "next outside the indirect table", true },
	{ "features", "a feature the device did not offer", false },
	/* Not rule breaks the device must flag, but things it must survive. */
	{ "inflight", "a reset with requests in flight", false },
	{ "doorbell", "doorbell writes naming no queue", false },
	{ "widths", "odd-width and out-of-window register accesses", false },
};
#define CASE_FEATURES 9
#define CASE_SURVIVE 10

/* The survival cases: afterwards the device must still reset and start. */
static const char *survive_case(unsigned i, struct vdev *d, struct vq *q, u8 *buf, bool wr)
{
	u16 nq = d->nvq;
	switch (i) {
	case CASE_SURVIVE: {
		if (d->type == VIRTIO_ID_BLOCK) {
			/* Reads of sector 0: header, 512 bytes, status, 16 at most. */
			struct { u32 type, res; u64 sector; u8 status; } __attribute__((aligned(32))) *r;
			u8 *data = heap_alloc_raw(512, 512);
			r = heap_alloc(16 * sizeof(*r), 64);
			if (!r || !data)
				return "out of heap";
			for (unsigned k = 0; k < 16; k++) {
				struct vbuf b[3] = { { (u64)&r[k], 16, false }, { (u64)data, 512, true },
						     { (u64)&r[k].status, 1, true } };
				if (vq_post(q, b, 3, 0) < 0)
					break;
			}
		} else if (wr) {
			for (unsigned k = 0; k < 64; k++) {
				struct vbuf b = { (u64)buf + 16 * (k % 8), 16, true };
				if (vq_post(q, &b, 1, 0) < 0)
					break;
			}
		} else {
			return NULL;	/* e.g. a console would print it */
		}
		vq_kick(q);
		return virtio_reset(d);	/* at once, while the device works */
	}
	case CASE_SURVIVE + 1:
		vr_write16(&q->notify, 0, 0xFFFF);
		vr_write16(&d->notify, 0, nq);
		break;
	case CASE_SURVIVE + 2: {
		volatile u64 sink = 0;
		const struct vregion *c = &d->common;
		if (!c->io) {
			sink += *(volatile u64 *)(c->base + VPCI_QUEUE_DESC);	/* 4.1.3.1 wants two 32-bit reads */
			sink += *(volatile u8 *)(c->base + VPCI_NUM_QUEUES + 1);
			sink += *(volatile u32 *)(c->base + VPCI_DEVICE_STATUS);	/* spans four fields */
			sink += *(volatile u32 *)(c->base + c->len);		/* past the window */
			*(volatile u8 *)(c->base + VPCI_QUEUE_SELECT + 1) = 0;
		}
		if (d->devcfg.present && !d->devcfg.io)
			sink += *(volatile u32 *)(d->devcfg.base + d->devcfg.len);
		(void)sink;
		break;
	}
	}
	u64 t0 = pit_ticks;
	while (pit_ticks - t0 < 5) {	/* let the device react, 50 ms */
		sti_hlt();
		cli();
	}
	u8 st = virtio_status(d);
	if (st & VIRTIO_STATUS_FAILED) {
		snformat(why, sizeof(why), "device_status 0x%x (FAILED is the driver's to set)", st);
		return why;
	}
	return virtio_reset(d);
}

/* 3.1.1 step 6 from the device's side: FEATURES_OK with a bit it never
 * offered must not stick. Ring-layout bits first (RING_PACKED, 34), as a
 * device that took one of those would read our rings wrongly. */
static const char *features_case(struct vdev *d, char *note, size_t n)
{
	const struct vregion *c = &d->common;
	const char *w = virtio_reset(d);
	if (w)
		return w;
	vr_write8(c, VPCI_DEVICE_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vr_write32(c, VPCI_DEVICE_FEATURE_SELECT, 0);
	u64 offered = vr_read32(c, VPCI_DEVICE_FEATURE);
	vr_write32(c, VPCI_DEVICE_FEATURE_SELECT, 1);
	offered |= (u64)vr_read32(c, VPCI_DEVICE_FEATURE) << 32;
	static const u8 prefer[] = { 34, 33, 35, 36, 37, 38, 39, 40, 41, 24, 27, 31 };
	unsigned bit = 64;
	for (unsigned i = 0; i < sizeof(prefer) && bit == 64; i++)
		if (!(offered & FEAT(prefer[i])))
			bit = prefer[i];
	if (bit == 64)
		return "the device offers every bit we would try";
	u64 take = (offered & FEAT(VIRTIO_F_VERSION_1)) | FEAT(bit);
	vr_write32(c, VPCI_DRIVER_FEATURE_SELECT, 0);
	vr_write32(c, VPCI_DRIVER_FEATURE, (u32)take);
	vr_write32(c, VPCI_DRIVER_FEATURE_SELECT, 1);
	vr_write32(c, VPCI_DRIVER_FEATURE, (u32)(take >> 32));
	vr_write8(c, VPCI_DEVICE_STATUS,
		  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	u8 st = virtio_status(d);
	if (st & VIRTIO_STATUS_FEATURES_OK) {
		snformat(why, sizeof(why), "FEATURES_OK kept (status 0x%x) with bit %u, which was not offered (0x%lx)",
			 st, bit, offered);
		return why;
	}
	snformat(note, n, "features (bit %u refused)", bit);
	return virtio_reset(d);
}

/* Lays out case c on queue q (buffers in buf, which has 256 bytes). */
static void inject(const struct bad_case *c, struct vq *q, u8 *buf, bool wr)
{
	u16 w = wr ? VRING_DESC_F_WRITE : 0, nx = VRING_DESC_F_NEXT;
	struct vring_desc *t = (struct vring_desc *)(buf + 128);	/* an indirect table */
	u64 b = (u64)buf;
	switch (c - cases) {
	case 0:
		q->desc[0] = (struct vring_desc){ b, 16, (u16)(nx | w), q->size };
		break;
	case 1:
		q->desc[0] = (struct vring_desc){ b, 16, (u16)(nx | w), 1 };
		q->desc[1] = (struct vring_desc){ b + 16, 16, (u16)(nx | w), 0 };
		break;
	case 2:
		q->desc[0] = (struct vring_desc){ b, 16, w, 0 };
		publish(q, (u16)(q->size + 1));
		return;
	case 3:
		q->desc[0] = (struct vring_desc){ 0xFFFFFFFF00000000ul, 16, w, 0 };
		break;
	case 4:
		q->desc[0] = (struct vring_desc){ 0xFFFFFFFFFFFFFFF0ul, 32, w, 0 };
		break;
	case 5:
		/* rng: writable then readable; others: readable, writable, readable. */
		if (wr) {
			q->desc[0] = (struct vring_desc){ b, 16, (u16)(nx | VRING_DESC_F_WRITE), 1 };
			q->desc[1] = (struct vring_desc){ b + 16, 16, 0, 0 };
		} else {
			q->desc[0] = (struct vring_desc){ b, 16, nx, 1 };
			q->desc[1] = (struct vring_desc){ b + 16, 16, (u16)(nx | VRING_DESC_F_WRITE), 2 };
			q->desc[2] = (struct vring_desc){ b + 32, 16, 0, 0 };
		}
		break;
	case 6:
		t[0] = (struct vring_desc){ (u64)(t + 2), 32, VRING_DESC_F_INDIRECT, 0 };
		t[2] = (struct vring_desc){ b, 16, (u16)(nx | w), 1 };
		t[3] = (struct vring_desc){ b + 16, 16, w, 0 };
		q->desc[0] = (struct vring_desc){ (u64)t, 16, VRING_DESC_F_INDIRECT, 0 };
		break;
	case 7:
		t[0] = (struct vring_desc){ b, 16, w, 0 };
		q->desc[0] = (struct vring_desc){ (u64)t, 20, VRING_DESC_F_INDIRECT, 0 };
		break;
	case 8:
		t[0] = (struct vring_desc){ b, 16, (u16)(nx | w), 5 };
		t[1] = (struct vring_desc){ b + 16, 16, w, 0 };
		q->desc[0] = (struct vring_desc){ (u64)t, 32, VRING_DESC_F_INDIRECT, 0 };
		break;
	}
	publish(q, 1);
}

static bool selected(const char *list, size_t n, const char *name)
{
	size_t len = strlen(name);
	if (n == 3 && !strncmp(list, "all", 3))
		return true;
	for (const char *p = list, *end = list + n; p < end;) {
		const char *e = p;
		while (e < end && *e != ',')
			e++;
		if ((size_t)(e - p) == len && !strncmp(p, name, len))
			return true;
		p = e + 1;
	}
	return false;
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
	size_t llen;
	const char *list = cmdline_param("guest.badcases", &llen);
	if (!list) {
		list = "next,loop";
		llen = 9;
	}
	for (const char *p = list, *end = list + llen; p < end;) {
		const char *e = p;
		while (e < end && *e != ',')
			e++;
		bool known = e == p;
		for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
			known |= (size_t)(e - p) == strlen(cases[i].name) && !strncmp(p, cases[i].name, (size_t)(e - p));
		if (!known && !(e - p == 3 && !strncmp(p, "all", 3)))
			return fail("guest.badcases: unknown case \"%.*s\"", (int)(e - p), p);
		p = e + 1;
	}
	const char *w = clock_start(100);
	if (w)
		return fail("%s", w);
	u8 *buf = heap_alloc(256, 64);
	if (!buf)
		return fail("out of heap");

	char done[200] = "", other[160] = "";
	size_t used = 0, oused = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct bad_case *c = &cases[i];
		if (!selected(list, llen, c->name))
			continue;
		if (i == CASE_FEATURES) {
			char note[40];
			if ((w = features_case(d, note, sizeof(note))))
				return fail("%s", w);
			if (oused < sizeof(other))
				oused += (size_t)snformat(other + oused, sizeof(other) - oused, "; %s", note);
			continue;
		}
		if ((w = virtio_start(d, 0, qi + 1)))
			return fail("start before case %s: %s", c->name, w);
		struct vq *q = &d->vq[qi];
		u64 ticks;
		if (c->needs_indirect && !q->indirect) {
			used += (size_t)snformat(done + used, sizeof(done) - used, "%s%s skipped (no indirect)",
						 used ? ", " : "", c->name);
			continue;
		}
		if (i >= CASE_SURVIVE) {
			if ((w = survive_case(i, d, q, buf, wr)))
				return fail("%s: %s", c->what, w);
			if (oused < sizeof(other))
				oused += (size_t)snformat(other + oused, sizeof(other) - oused, "; %s survived", c->name);
			continue;
		}
		u64 cfg0 = d->cfg_irqs;
		inject(c, q, buf, wr);
		if ((w = expect_broken(d, c->what, cfg0, &ticks)))
			return fail("%s", w);
		if ((w = virtio_reset(d)))
			return fail("reset after case %s: %s", c->name, w);
		if (used < sizeof(done))
			used += (size_t)snformat(done + used, sizeof(done) - used, "%s%s (%lu ms)", used ? ", " : "",
						 c->name, (ticks + 1) * 10);
	}

	/* And back to work. */
	if ((w = virtio_start(d, 0, qi + 1)))
		return fail("restart after the bad requests: %s", w);
	const char *after = "restarted";
	if (wr) {
		struct vbuf b = { (u64)buf, 16, true };
		u32 len;
		if ((w = vq_roundtrip(&d->vq[qi], &b, 1, 0, &len, NEEDS_RESET_TICKS)))
			return fail("a good request after the reset: %s", w);
		after = "a good request works after the reset";
	}
	ok("%s at 00:%02x.%u, queue %u: %s%s%s; %s", name ? name : "device", d->slot, d->fn, qi,
	   used ? "DEVICE_NEEDS_RESET and a config interrupt after " : "", done, used ? other : other + 2, after);
}
GUEST_TEST_AS(90, virtio_bad, "virtio-bad", run_virtio_bad, TEST_EXPLICIT);
