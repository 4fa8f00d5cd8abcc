/*
 * virtio-rng (virtio-v1.2 5.4): one queue, the driver offers write-only
 * buffers and the device fills them with entropy. Three requests: 64 bytes
 * in one descriptor; 64 bytes as a chain of four 16-byte descriptors in the
 * ring; and, if VIRTIO_F_INDIRECT_DESC was negotiated, the same four
 * through an indirect table. Each must complete by interrupt with a used
 * length in 1..64 and not all of the bytes zero. Last, MSI-X masking (PCI
 * 3.0, 6.8.2.9): with the queue's table entry masked, a request completes
 * without an interrupt and leaves the entry's pending bit set; unmasking it
 * delivers the interrupt.
 */
#include "heap.h"
#include "irq.h"
#include "lib.h"
#include "test.h"
#include "virtio.h"

#define WAIT_TICKS 200	/* 2 s at 100 Hz */

static const char *nonzero(const u64 *buf, u32 len)
{
	u64 any = 0;
	for (u32 i = 0; i < 8; i++)
		any |= buf[i];
	(void)len;
	return any ? NULL : "all 64 bytes are zero";
}

/* One request of `pieces` descriptors covering 64 bytes. */
static const char *ask(struct vq *q, u64 *buf, unsigned pieces, unsigned flags, u32 *len)
{
	struct vbuf b[4];
	memset(buf, 0, 64);
	for (unsigned i = 0; i < pieces; i++)
		b[i] = (struct vbuf){ (u64)buf + 64 / pieces * i, 64 / pieces, true };
	const char *why = vq_roundtrip(q, b, pieces, flags, len, WAIT_TICKS);
	if (why)
		return why;
	if (*len == 0 || *len > 64)
		return "used length out of 1..64";
	return nonzero(buf, *len);
}

static bool has_used(const void *arg)
{
	const struct vq *q = arg;
	return vq_has_used(q);
}

static bool irq_moved(const void *arg)
{
	const u64 *a = arg;
	return ((const struct vq *)a[0])->irqs != a[1];
}

static char mwhy[120];

static const char *masked(struct vdev *d, struct vq *q, u64 *buf)
{
	unsigned e = q->msix_entry;
	virtio_msix_mask(d, e, true);
	vq_arm(q);
	u64 seen = q->irqs;
	struct vbuf b = { (u64)buf, 64, true };
	if (vq_post(q, &b, 1, 0) < 0)
		return "virtqueue full";
	vq_kick(q);
	ticker_wait_until(has_used, q, WAIT_TICKS);
	if (!vq_has_used(q))
		return "no completion within 2 s";
	u64 arg[2] = { (u64)q, seen };
	ticker_wait_until(irq_moved, arg, 5);	/* anything in flight lands */
	if (q->irqs != seen)
		return "an interrupt arrived while its MSI-X entry was masked";
	bool pending = virtio_msix_pending(d, e);
	virtio_msix_mask(d, e, false);
	ticker_wait_until(irq_moved, arg, WAIT_TICKS);
	if (q->irqs == seen) {
		snformat(mwhy, sizeof(mwhy), "no interrupt after unmasking entry %u (pending bit was %u)", e, pending);
		return mwhy;
	}
	if (!pending)
		return "the interrupt came on unmasking, but the pending bit was clear while masked";
	u32 id, len;
	vq_pop(q, &id, &len);
	return NULL;
}

static void run_virtio_rng(void)
{
	struct vdev *d = virtio_find(VIRTIO_ID_RNG, 0);
	if (!d)
		return fail("no virtio rng device on bus 0");
	const char *why = clock_start(100);
	if (why)
		return fail("%s", why);
	if ((why = virtio_start(d, 0, 1)))
		return fail("00:%02x.%u: %s", d->slot, d->fn, why);
	struct vq *q = &d->vq[0];
	u64 *buf = heap_alloc(64, 64);
	u32 l1, l4, li = 0;
	if ((why = ask(q, buf, 1, 0, &l1)))
		return fail("64 bytes in one descriptor: %s", why);
	if ((why = ask(q, buf, 4, VQ_POST_DIRECT, &l4)))
		return fail("64 bytes as a chain of 4: %s", why);
	if (q->indirect && (why = ask(q, buf, 4, 0, &li)))
		return fail("64 bytes as 4 indirect descriptors: %s", why);
	if ((why = masked(d, q, buf)))
		return fail("MSI-X masking: %s", why);
	char ind[40] = "no indirect descriptors offered";
	if (q->indirect)
		snformat(ind, sizeof(ind), "indirect x4: %u", li);
	ok("one descriptor: %u bytes, chain of 4: %u, %s; masked MSI-X entry pends; %lu interrupts, %lu kicks, queue size %u%s", l1, l4, ind,
	   q->irqs, q->kicks, q->size, q->event_idx ? ", event idx" : "");
}
GUEST_TEST_AS(88, virtio_rng, "virtio-rng", run_virtio_rng, TEST_NEEDS(VIRTIO_ID_RNG));
