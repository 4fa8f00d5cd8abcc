/*
 * Split virtqueues from the driver's side (virtio-v1.2 2.7).
 *
 * Free descriptors are threaded through their own `next` fields, so a
 * direct chain of n is simply the first n free ones, already linked. With
 * VIRTIO_F_INDIRECT_DESC a chain of several buffers takes one ring slot
 * that points at a table of its own (2.7.5.3); each ring slot owns one such
 * table, so no allocation happens per request.
 *
 * Notifications both ways follow 2.7.10: with VIRTIO_F_EVENT_IDX we ring
 * only when the device's avail_event says it is waiting for what we just
 * published, and ask for an interrupt by writing used_event; without it,
 * the NO_NOTIFY flag decides and interrupts stay on.
 */
#include "arch.h"
#include "irq.h"
#include "lib.h"
#include "virtio.h"

int vq_post(struct vq *q, const struct vbuf *b, unsigned n, unsigned flags)
{
	if (!n)
		return -1;
	bool ind = q->indirect && n > 1 && n <= VQ_IND_MAX && !(flags & VQ_POST_DIRECT);
	unsigned need = ind ? 1 : n;
	if (q->nfree < need)
		return -1;
	u16 head = q->free_head;
	if (ind) {
		struct vring_desc *t = q->ind + (u64)head * VQ_IND_MAX;
		for (unsigned i = 0; i < n; i++) {
			t[i].addr = b[i].addr;
			t[i].len = b[i].len;
			t[i].flags = (u16)((b[i].write ? VRING_DESC_F_WRITE : 0) | (i + 1 < n ? VRING_DESC_F_NEXT : 0));
			t[i].next = (u16)(i + 1);
		}
		struct vring_desc *d = &q->desc[head];
		q->free_head = d->next;
		d->addr = (u64)t;
		d->len = n * (u32)sizeof(*t);
		d->flags = VRING_DESC_F_INDIRECT;
	} else {
		u16 i = head;
		for (unsigned k = 0; k < n; k++) {
			struct vring_desc *d = &q->desc[i];
			d->addr = b[k].addr;
			d->len = b[k].len;
			d->flags = (u16)((b[k].write ? VRING_DESC_F_WRITE : 0) | (k + 1 < n ? VRING_DESC_F_NEXT : 0));
			i = d->next;	/* the free list is the chain */
		}
		q->free_head = i;
	}
	q->nfree = (u16)(q->nfree - need);
	q->ndesc[head] = (u16)need;
	q->avail->ring[q->avail_idx & q->mask] = head;
	q->avail_idx++;
	return head;
}

void vq_notify(struct vq *q)
{
	vr_write16(&q->notify, 0, q->index);
	q->kicks++;
}

void vq_kick(struct vq *q)
{
	u16 old = q->kicked_idx, now = q->avail_idx;
	barrier();	/* ring entries before the index (x86 keeps stores in order) */
	*(volatile u16 *)&q->avail->idx = now;
	vmb();		/* the index before we read the device's wishes */
	q->kicked_idx = now;
	bool need;
	if (q->event_idx) {
		u16 ev = *q->avail_event;
		need = (u16)(now - ev - 1) < (u16)(now - old);
	} else {
		need = !(*(volatile u16 *)&q->used->flags & VRING_USED_F_NO_NOTIFY);
	}
	if (need)
		vq_notify(q);
}

bool vq_has_used(const struct vq *q)
{
	return *(volatile u16 *)&q->used->idx != q->last_used;
}

bool vq_pop(struct vq *q, u32 *id, u32 *len)
{
	if (!vq_has_used(q))
		return false;
	barrier();	/* the index before the element it covers */
	volatile struct vring_used_elem *e = &q->used->ring[q->last_used & q->mask];
	u32 i = e->id;
	*id = i;
	*len = e->len;
	q->last_used++;
	if (i < q->size && q->ndesc[i]) {
		u16 tail = (u16)i;
		for (unsigned k = 1; k < q->ndesc[i]; k++)
			tail = q->desc[tail].next;
		q->desc[tail].next = q->free_head;
		q->free_head = (u16)i;
		q->nfree = (u16)(q->nfree + q->ndesc[i]);
		q->ndesc[i] = 0;
	}
	return true;
}

void vq_arm(struct vq *q)
{
	if (q->event_idx)
		*q->used_event = q->last_used;
	else
		*(volatile u16 *)&q->avail->flags = 0;
	vmb();
}

struct waiting {
	const struct vq *q;
	u64 seen;
};

static bool irq_and_used(const void *arg)
{
	const struct waiting *w = arg;
	return w->q->irqs != w->seen && vq_has_used(w->q);
}

static char wait_why[120];

const char *vq_wait(struct vq *q, u64 seen, u64 ticks)
{
	struct waiting w = { q, seen };
	const char *why = ticker_wait_until(irq_and_used, &w, ticks);
	if (why)
		return why;
	if (irq_and_used(&w))
		return NULL;
	bool irq = q->irqs != seen, used = vq_has_used(q);
	snformat(wait_why, sizeof(wait_why), "%s after %lu ticks (queue %u, used idx %u, irqs %lu)",
		 used ? "completed, but no interrupt" : irq ? "interrupt, but nothing in the used ring"
							      : "no completion and no interrupt",
		 ticks, q->index, *(volatile u16 *)&q->used->idx, q->irqs);
	return wait_why;
}

const char *vq_roundtrip(struct vq *q, const struct vbuf *b, unsigned n, unsigned flags, u32 *len, u64 ticks)
{
	vq_arm(q);
	u64 seen = q->irqs;
	int head = vq_post(q, b, n, flags);
	if (head < 0)
		return "virtqueue full";
	vq_kick(q);
	const char *why = vq_wait(q, seen, ticks);
	if (why)
		return why;
	u32 id;
	vq_pop(q, &id, len);
	if (id != (u32)head) {
		snformat(wait_why, sizeof(wait_why), "used id %u, expected head %d", id, head);
		return wait_why;
	}
	return NULL;
}
