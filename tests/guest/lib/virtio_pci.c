/*
 * The virtio PCI transport from the driver's side (virtio-v1.2 4.1).
 *
 * A virtio function is found by its IDs (4.1.2: vendor 0x1AF4, device
 * 0x1040 + type, or a transitional 0x1000-0x103F with the type in the
 * subsystem ID), and its registers by vendor capabilities (4.1.4: common,
 * notify, ISR, device-specific, PCI-configuration access), each naming a
 * BAR and a window in it. We take the BARs as firmware or the VMM assigned
 * them, and assign any left at 0 ourselves, as a firmware would.
 *
 * Interrupts are MSI-X only (PCI 3.0, 6.8.2): entry 0 for configuration
 * changes, entry 1 + q for queue q, each entry a fixed-delivery message to
 * our local APIC with its own IDT vector, so a handler knows what fired
 * without reading the ISR register.
 */
#include "arch.h"
#include "boot.h"
#include "heap.h"
#include "irq.h"
#include "lib.h"
#include "pci.h"
#include "virtio.h"

#define PCI_VENDOR_VIRTIO	0x1AF4
#define PCI_SUBSYSTEM_ID	0x2E
#define PCI_CMD_IO		0x0001
#define PCI_CMD_MEM		0x0002
#define PCI_CMD_MASTER		0x0004
#define PCI_CMD_INTX_OFF	0x0400
#define PCI_CAP_VNDR		0x09
#define PCI_CAP_MSIX		0x11

/* 4.1.4 struct virtio_pci_cap: cfg_type values and field offsets. */
#define VPCI_CAP_COMMON		1
#define VPCI_CAP_NOTIFY		2
#define VPCI_CAP_ISR		3
#define VPCI_CAP_DEVICE		4
#define VPCI_CAP_PCI_CFG	5
#define VCAP_CFG_TYPE		3
#define VCAP_BAR		4
#define VCAP_OFFSET		8
#define VCAP_LENGTH		12
#define VCAP_NOTIFY_MULT	16
#define VPCI_COMMON_LEN_MIN	0x38	/* up to queue_device, what 1.0 defines */

/* MSI-X capability (PCI 3.0, 6.8.2.3) and table entries (6.8.2.6). */
#define MSIX_CTRL		2
#define MSIX_TABLE		4
#define MSIX_PBA		8
#define MSIX_CTRL_ENABLE	0x8000
#define MSIX_CTRL_FMASK		0x4000
#define MSIX_ENTRY_SIZE		16
#define MSIX_VECS_PER_DEV	4	/* config + VQ_MAX queues */

/* Where we put BARs nobody assigned (the range our engine uses too). */
#define BAR_MMIO_START		0xC0000000ul
#define BAR_MMIO_END		0xFE000000ul
#define BAR_IO_START		0xC000u
#define BAR_IO_END		0x10000u

/* Not zeroed at boot (each entry is cleared when a device fills it): the
 * emulator charges for every byte of .bss the entry code clears. */
static struct vdev devs[VIRTIO_MAX_DEVS] __attribute__((section(".noinit")));
static unsigned ndevs;
static bool scanned;
static u64 next_mmio = BAR_MMIO_START;
static u32 next_io = BAR_IO_START;

/* ---- register access: a region is memory-mapped or port I/O ---- */

u8 vr_read8(const struct vregion *r, unsigned off)
{
	return r->io ? inb((u16)(r->base + off)) : *(volatile u8 *)(r->base + off);
}
u16 vr_read16(const struct vregion *r, unsigned off)
{
	return r->io ? inw((u16)(r->base + off)) : *(volatile u16 *)(r->base + off);
}
u32 vr_read32(const struct vregion *r, unsigned off)
{
	return r->io ? inl((u16)(r->base + off)) : *(volatile u32 *)(r->base + off);
}
void vr_write8(const struct vregion *r, unsigned off, u8 v)
{
	if (r->io)
		outb((u16)(r->base + off), v);
	else
		*(volatile u8 *)(r->base + off) = v;
}
void vr_write16(const struct vregion *r, unsigned off, u16 v)
{
	if (r->io)
		outw((u16)(r->base + off), v);
	else
		*(volatile u16 *)(r->base + off) = v;
}
void vr_write32(const struct vregion *r, unsigned off, u32 v)
{
	if (r->io)
		outl((u16)(r->base + off), v);
	else
		*(volatile u32 *)(r->base + off) = v;
}

const char *virtio_type_name(u16 type)
{
	switch (type) {
	case 1: return "net";
	case 2: return "block";
	case 3: return "console";
	case 4: return "rng";
	case 5: return "balloon";
	case 8: return "scsi";
	case 9: return "9p";
	case 16: return "gpu";
	case 18: return "input";
	case 19: return "vsock";
	case 20: return "crypto";
	case 26: return "fs";
	}
	return NULL;
}

/* ---- BARs ---- */

struct bar {
	u64 base;
	bool io, ok;
};

/* Reads BAR b (PCI 3.0, 6.2.5.1), assigning it if it reads as 0. */
static const char *bar_get(struct vdev *d, unsigned b, struct bar *out)
{
	unsigned s = d->slot, f = d->fn, reg = PCI_BAR0 + 4 * b;
	u32 lo = pci_read32(0, s, f, reg);
	bool io = lo & 1, is64 = !io && ((lo >> 1) & 3) == 2;
	if (is64 && b == 5)
		return "64-bit BAR 5 has no upper half";
	u64 base = io ? (lo & ~3u) : (lo & ~0xFu);
	if (is64)
		base |= (u64)pci_read32(0, s, f, reg + 4) << 32;
	if (!base) {
		/* Unassigned: size it with decoding off, then place it. */
		u16 cmd = pci_read16(0, s, f, PCI_COMMAND);
		pci_write16(0, s, f, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
		pci_write32(0, s, f, reg, ~0u);
		u64 mask = pci_read32(0, s, f, reg) & (io ? ~3u : ~0xFu);
		u32 hi_mask = ~0u;
		if (is64) {
			pci_write32(0, s, f, reg + 4, ~0u);
			hi_mask = pci_read32(0, s, f, reg + 4);
		}
		mask |= (u64)hi_mask << 32;
		if (io)
			mask |= 0xFFFF0000ul | (0xFFFFFFFFul << 32);
		u64 size = ~mask + 1;
		if (!(mask & 0xFFFFFFF0ul) || !size || (size & (size - 1))) {
			pci_write32(0, s, f, reg, lo);
			pci_write16(0, s, f, PCI_COMMAND, cmd);
			return "BAR does not size (reads back 0)";
		}
		if (io) {
			u32 at = (u32)ALIGN_UP(next_io, size);
			if (at + size > BAR_IO_END)
				return "no I/O space left to assign the BAR";
			base = at;
			next_io = (u32)(at + size);
		} else {
			u64 at = ALIGN_UP(next_mmio, size);
			if (at + size > BAR_MMIO_END)
				return "no MMIO space left to assign the BAR";
			base = at;
			next_mmio = at + size;
		}
		pci_write32(0, s, f, reg, (u32)base | (lo & (io ? 3u : 0xFu)));
		if (is64)
			pci_write32(0, s, f, reg + 4, 0);
		pci_write16(0, s, f, PCI_COMMAND, cmd);
	} else if (!io && base + 0x1000 > IDENTITY_LIMIT) {
		return "BAR above 4 GiB (our page tables map only the first 4 GiB)";
	}
	out->base = base;
	out->io = io;
	out->ok = true;
	return NULL;
}

static const char *region_at(struct vdev *d, struct bar *bars, unsigned b, u32 off, u32 len,
			     struct vregion *r)
{
	if (b > 5)
		return "capability names a BAR above 5";
	if (!bars[b].ok) {
		const char *why = bar_get(d, b, &bars[b]);
		if (why)
			return why;
	}
	r->base = bars[b].base + off;
	r->len = len;
	r->io = bars[b].io;
	r->present = true;
	return NULL;
}

/* ---- capabilities (4.1.4) ---- */

static void probe(struct vdev *d)
{
	unsigned s = d->slot, f = d->fn;
	struct bar bars[6] = { 0 };
	bool seen[6] = { 0 };
	const char *why = NULL;

	if (!(pci_read16(0, s, f, PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
		d->error = "no capability list";
		return;
	}
	unsigned at = pci_read8(0, s, f, PCI_CAP_PTR) & 0xFC;
	for (unsigned guard = 0; at >= 0x40 && guard < 48 && !why; guard++) {
		u32 head = pci_read32(0, s, f, at);
		u8 id = (u8)head, next = (u8)(head >> 8) & 0xFC, clen = (u8)(head >> 16);
		if (id == PCI_CAP_MSIX && !d->msix_cap) {
			d->msix_cap = (u8)at;
			d->msix_size = (u16)((head >> 16) & 0x7FF) + 1;
			u32 t = pci_read32(0, s, f, at + MSIX_TABLE);
			why = region_at(d, bars, t & 7, t & ~7u, d->msix_size * MSIX_ENTRY_SIZE, &d->msix_table);
			u32 pba = pci_read32(0, s, f, at + MSIX_PBA);
			if (!why)
				why = region_at(d, bars, pba & 7, pba & ~7u, (d->msix_size + 63) / 64 * 8, &d->msix_pba);
		} else if (id == PCI_CAP_VNDR && clen >= 16) {
			u8 type = (u8)(head >> 24);
			u8 bar = pci_read8(0, s, f, at + VCAP_BAR);
			u32 off = pci_read32(0, s, f, at + VCAP_OFFSET);
			u32 len = pci_read32(0, s, f, at + VCAP_LENGTH);
			/* 4.1.4: use the first of each type we understand;
			 * ignore reserved types and BARs (the driver MUST). */
			struct vregion *r = NULL;
			switch (type) {
			case VPCI_CAP_COMMON: r = &d->common; break;
			case VPCI_CAP_NOTIFY: r = &d->notify; break;
			case VPCI_CAP_ISR: r = &d->isr; break;
			case VPCI_CAP_DEVICE: r = &d->devcfg; break;
			case VPCI_CAP_PCI_CFG: d->pci_cfg_cap = true; break;
			}
			if (r && bar <= 5 && !seen[type]) {
				seen[type] = true;
				why = region_at(d, bars, bar, off, len, r);
				if (!why && type == VPCI_CAP_NOTIFY) {
					if (clen < 20)
						why = "notify capability shorter than 20 bytes";
					else
						d->notify_mult = pci_read32(0, s, f, at + VCAP_NOTIFY_MULT);
				}
			}
		}
		at = next;
	}
	if (!why && !d->common.present)
		why = "no common configuration capability";
	if (!why && d->common.len < VPCI_COMMON_LEN_MIN)
		why = "common configuration window shorter than 0x38 bytes";
	if (!why && !d->notify.present)
		why = "no notification capability";
	if (why) {
		d->error = why;
		return;
	}
	u16 cmd = pci_read16(0, s, f, PCI_COMMAND);
	for (unsigned b = 0; b < 6; b++)
		if (bars[b].ok)
			cmd |= bars[b].io ? PCI_CMD_IO : PCI_CMD_MEM;
	pci_write16(0, s, f, PCI_COMMAND, cmd | PCI_CMD_MASTER);
}

/* guest.pcibars=reassign: forget what firmware or the VMM assigned, as a
 * bare machine would leave it, so that our own assignment runs (from
 * REASSIGN_START, away from where they were) and the device must follow
 * its BARs to their new place. */
#define REASSIGN_START 0xE0000000ul

static bool reassign(void)
{
	size_t n;
	const char *v = cmdline_param("guest.pcibars", &n);
	return v && n == 8 && !strncmp(v, "reassign", 8);
}

static void forget_bars(unsigned s, unsigned f)
{
	u16 cmd = pci_read16(0, s, f, PCI_COMMAND);
	pci_write16(0, s, f, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (unsigned b = 0; b < 6; b++) {
		unsigned reg = PCI_BAR0 + 4 * b;
		u32 lo = pci_read32(0, s, f, reg);
		bool is64 = !(lo & 1) && ((lo >> 1) & 3) == 2;
		pci_write32(0, s, f, reg, 0);
		if (is64 && b < 5)
			pci_write32(0, s, f, reg + 4, 0);
		b += is64;
	}
}

static void consider(unsigned slot, unsigned fn, u32 id)
{
	u16 vendor = (u16)id, device = (u16)(id >> 16);
	if (vendor != PCI_VENDOR_VIRTIO || ndevs == VIRTIO_MAX_DEVS)
		return;
	u16 type;
	if (device >= 0x1040 && device <= 0x107F)
		type = device - 0x1040;
	else if (device >= 0x1000 && device <= 0x103F)
		type = pci_read16(0, slot, fn, PCI_SUBSYSTEM_ID);	/* transitional */
	else
		return;
	struct vdev *d = &devs[ndevs];
	memset(d, 0, sizeof(*d));
	d->slot = (u8)slot;
	d->fn = (u8)fn;
	d->type = type;
	d->pci_device = device;
	d->vec_base = (u8)(VEC_VIRTIO + MSIX_VECS_PER_DEV * ndevs);
	ndevs++;
	if (reassign()) {
		if (next_mmio < REASSIGN_START)
			next_mmio = REASSIGN_START;
		forget_bars(slot, fn);
	}
	probe(d);
}

unsigned virtio_scan(struct vdev **out)
{
	if (!scanned) {
		scanned = true;
		for (unsigned slot = 0; slot < 32; slot++) {
			u32 id = pci_read32(0, slot, 0, PCI_VENDOR_ID);
			if ((u16)id == 0xFFFF || (u16)id == 0)
				continue;
			consider(slot, 0, id);
			if (!(pci_read8(0, slot, 0, PCI_HEADER_TYPE) & 0x80))
				continue;
			for (unsigned fn = 1; fn < 8; fn++) {
				id = pci_read32(0, slot, fn, PCI_VENDOR_ID);
				if ((u16)id != 0xFFFF)
					consider(slot, fn, id);
			}
		}
	}
	if (out)
		*out = devs;
	return ndevs;
}

struct vdev *virtio_find(u16 type, unsigned n)
{
	virtio_scan(NULL);
	for (unsigned i = 0; i < ndevs; i++)
		if (devs[i].type == type && n-- == 0)
			return &devs[i];
	return NULL;
}

/* ---- interrupts ---- */

static void on_msix(struct frame *f)
{
	unsigned v = (unsigned)f->vec - VEC_VIRTIO;
	struct vdev *d = &devs[v / MSIX_VECS_PER_DEV];
	unsigned entry = v % MSIX_VECS_PER_DEV;
	if (d->cfg_entry == entry)
		d->cfg_irqs++;
	for (unsigned q = 0; q < d->nvq; q++)
		if (d->vq[q].msix_entry == entry)
			d->vq[q].irqs++;
	lapic_eoi();
}

static const char *msix_setup(struct vdev *d, unsigned nq)
{
	if (!d->msix_cap)
		return "no MSI-X capability (this driver takes interrupts by MSI-X only)";
	unsigned s = d->slot, f = d->fn, cap = d->msix_cap;
	unsigned used = MIN(d->msix_size, 1 + nq);
	u16 ctl = pci_read16(0, s, f, cap + MSIX_CTRL);
	/* Enabled with the whole function masked while we fill the table. */
	pci_write16(0, s, f, cap + MSIX_CTRL, ctl | MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK);
	pci_write16(0, s, f, PCI_COMMAND, pci_read16(0, s, f, PCI_COMMAND) | PCI_CMD_INTX_OFF);
	u32 dest = (u32)lapic_id() << 12;
	for (unsigned e = 0; e < used; e++) {
		unsigned o = e * MSIX_ENTRY_SIZE;
		vr_write32(&d->msix_table, o + 0, 0xFEE00000u | dest);
		vr_write32(&d->msix_table, o + 4, 0);
		vr_write32(&d->msix_table, o + 8, d->vec_base + e);	/* fixed, edge */
		vr_write32(&d->msix_table, o + 12, 0);			/* unmasked */
		irq_set_handler(d->vec_base + e, on_msix);
	}
	pci_write16(0, s, f, cap + MSIX_CTRL, (ctl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_FMASK);
	d->cfg_entry = 0;
	for (unsigned q = 0; q < nq; q++)
		d->vq[q].msix_entry = (u16)MIN(1 + q, used - 1);
	return NULL;
}

void virtio_msix_mask(struct vdev *d, unsigned entry, bool masked)
{
	vr_write32(&d->msix_table, entry * MSIX_ENTRY_SIZE + 12, masked ? 1 : 0);
}

bool virtio_msix_pending(struct vdev *d, unsigned entry)
{
	return (vr_read32(&d->msix_pba, (entry / 32) * 4) >> (entry % 32)) & 1;
}

/* ---- device status and initialization (3.1.1) ---- */

u8 virtio_status(struct vdev *d)
{
	return vr_read8(&d->common, VPCI_DEVICE_STATUS);
}

static void set_status(struct vdev *d, u8 s)
{
	vr_write8(&d->common, VPCI_DEVICE_STATUS, s);
}

const char *virtio_reset(struct vdev *d)
{
	set_status(d, 0);
	/* 4.1.4.3.2: after writing 0, wait for device_status to read 0. */
	for (unsigned i = 0; i < 100000; i++)
		if (virtio_status(d) == 0)
			return NULL;
	return "device_status does not read 0 after reset";
}

void virtio_quiesce(void)
{
	for (unsigned i = 0; i < ndevs; i++) {
		if (devs[i].live) {
			virtio_reset(&devs[i]);
			devs[i].live = false;
			devs[i].nvq = 0;
		}
	}
}

static void write64(struct vdev *d, unsigned off, u64 v)
{
	/* 4.1.3.1: 64-bit fields are written as two 32-bit halves. */
	vr_write32(&d->common, off, (u32)v);
	vr_write32(&d->common, off + 4, (u32)(v >> 32));
}

static char start_why[160];

/* guest.vqsize=<n>: rings no bigger than n (rounded down to a power of
 * two), to exercise a device with a queue_size the driver lowered. */
static u64 ring_cap(void)
{
	size_t n;
	const char *v = cmdline_param("guest.vqsize", &n);
	u64 cap;
	return v && parse_u64(v, n, &cap) && cap ? cap : VQ_SIZE_MAX;
}

/* guest.vrefuse=indirect,event,mrgrxbuf: features the driver will not
 * take even when offered, to exercise a device's other paths. */
static u64 refused_features(void)
{
	size_t n;
	const char *v = cmdline_param("guest.vrefuse", &n);
	u64 r = 0;
	for (const char *p = v, *end = v + n; v && p < end;) {
		const char *q = p;
		while (q < end && *q != ',')
			q++;
		if (q - p == 8 && !strncmp(p, "indirect", 8))
			r |= FEAT(VIRTIO_F_INDIRECT_DESC);
		else if (q - p == 5 && !strncmp(p, "event", 5))
			r |= FEAT(VIRTIO_F_EVENT_IDX);
		else if (q - p == 8 && !strncmp(p, "mrgrxbuf", 8))
			r |= FEAT(15);	/* VIRTIO_NET_F_MRG_RXBUF; no other device we drive asks for bit 15 */
		p = q + 1;
	}
	return r;
}

static const char *queue_setup(struct vdev *d, unsigned qi)
{
	struct vq *q = &d->vq[qi];
	const struct vregion *c = &d->common;
	vr_write16(c, VPCI_QUEUE_SELECT, (u16)qi);
	u16 max = vr_read16(c, VPCI_QUEUE_SIZE);
	if (!max) {
		snformat(start_why, sizeof(start_why), "queue %u is unavailable (queue_size 0)", qi);
		return start_why;
	}
	u16 size = 1;
	while (size * 2 <= MIN(MIN(max, VQ_SIZE_MAX), ring_cap()))
		size *= 2;
	if (size != max)
		vr_write16(c, VPCI_QUEUE_SIZE, size);

	/* 2.7: descriptors 16-byte, avail 2-byte, used 4-byte aligned. */
	u64 avail_off = 16ul * size, used_off = ALIGN_UP(avail_off + 6 + 2ul * size, 64);
	u8 *mem = heap_alloc(used_off + 6 + 8ul * size, 4096);
	if (!mem)
		return "out of heap for a virtqueue";
	memset(q, 0, sizeof(*q));
	q->index = (u16)qi;
	q->size = size;
	q->mask = size - 1;
	q->desc = (struct vring_desc *)mem;
	q->avail = (struct vring_avail *)(mem + avail_off);
	q->used = (struct vring_used *)(mem + used_off);
	q->ndesc = heap_alloc(size * sizeof(u16), 8);
	if (!q->ndesc)
		return "out of heap for a virtqueue";
	q->used_event = &q->avail->ring[size];
	q->avail_event = (volatile u16 *)&q->used->ring[size];
	q->event_idx = d->features & FEAT(VIRTIO_F_EVENT_IDX);
	q->indirect = d->features & FEAT(VIRTIO_F_INDIRECT_DESC);
	if (q->indirect) {
		q->ind = heap_alloc_raw((u64)size * VQ_IND_MAX * sizeof(struct vring_desc), 16);
		if (!q->ind)
			return "out of heap for indirect tables";
	}
	for (u16 i = 0; i < size; i++)
		q->desc[i].next = (u16)(i + 1);
	q->nfree = size;
	q->free_head = 0;

	write64(d, VPCI_QUEUE_DESC, (u64)q->desc);
	write64(d, VPCI_QUEUE_DRIVER, (u64)q->avail);
	write64(d, VPCI_QUEUE_DEVICE, (u64)q->used);
	return NULL;
}

const char *virtio_start(struct vdev *d, u64 want, unsigned nq)
{
	if (d->error)
		return d->error;
	if (nq > VQ_MAX)
		return "more queues than the driver keeps";
	const struct vregion *c = &d->common;
	const char *why = virtio_reset(d);
	if (why)
		return why;
	d->live = true;
	d->nvq = 0;
	u8 st = VIRTIO_STATUS_ACKNOWLEDGE;
	set_status(d, st);
	st |= VIRTIO_STATUS_DRIVER;
	set_status(d, st);

	/* 2.2 / 4.1.4.3: 64 feature bits through two 32-bit windows. */
	vr_write32(c, VPCI_DEVICE_FEATURE_SELECT, 0);
	u64 offered = vr_read32(c, VPCI_DEVICE_FEATURE);
	vr_write32(c, VPCI_DEVICE_FEATURE_SELECT, 1);
	offered |= (u64)vr_read32(c, VPCI_DEVICE_FEATURE) << 32;
	d->offered = offered;
	if (!(offered & FEAT(VIRTIO_F_VERSION_1))) {
		set_status(d, st | VIRTIO_STATUS_FAILED);
		snformat(start_why, sizeof(start_why), "device does not offer VERSION_1 (features 0x%lx)", offered);
		return start_why;
	}
	want |= FEAT(VIRTIO_F_VERSION_1) | FEAT(VIRTIO_F_INDIRECT_DESC) | FEAT(VIRTIO_F_EVENT_IDX);
	want &= ~refused_features();
	d->features = offered & want;
	vr_write32(c, VPCI_DRIVER_FEATURE_SELECT, 0);
	vr_write32(c, VPCI_DRIVER_FEATURE, (u32)d->features);
	vr_write32(c, VPCI_DRIVER_FEATURE_SELECT, 1);
	vr_write32(c, VPCI_DRIVER_FEATURE, (u32)(d->features >> 32));
	st |= VIRTIO_STATUS_FEATURES_OK;
	set_status(d, st);
	/* 3.1.1 step 6: re-read; a device that cannot live with our subset
	 * clears FEATURES_OK. */
	u8 got = virtio_status(d);
	if (!(got & VIRTIO_STATUS_FEATURES_OK)) {
		set_status(d, st | VIRTIO_STATUS_FAILED);
		snformat(start_why, sizeof(start_why), "device refused features 0x%lx (status 0x%x)", d->features,
			 got);
		return start_why;
	}

	u16 nqdev = vr_read16(c, VPCI_NUM_QUEUES);
	if (nq > nqdev) {
		snformat(start_why, sizeof(start_why), "device has %u queues, need %u", nqdev, nq);
		return start_why;
	}
	if ((why = msix_setup(d, nq)))
		return why;
	vr_write16(c, VPCI_CONFIG_MSIX_VECTOR, d->cfg_entry);
	if (vr_read16(c, VPCI_CONFIG_MSIX_VECTOR) != d->cfg_entry)
		return "device refused the configuration MSI-X vector";
	for (unsigned qi = 0; qi < nq; qi++) {
		if ((why = queue_setup(d, qi)))
			return why;
		struct vq *q = &d->vq[qi];
		vr_write16(c, VPCI_QUEUE_MSIX_VECTOR, q->msix_entry);
		if (vr_read16(c, VPCI_QUEUE_MSIX_VECTOR) != q->msix_entry) {
			snformat(start_why, sizeof(start_why), "device refused MSI-X entry %u for queue %u",
				 q->msix_entry, qi);
			return start_why;
		}
		/* 4.1.4.4: the doorbell is notify base + off * multiplier. */
		u64 at = (u64)vr_read16(c, VPCI_QUEUE_NOTIFY_OFF) * d->notify_mult;
		if (at + 2 > d->notify.len) {
			snformat(start_why, sizeof(start_why),
				 "queue %u doorbell at +0x%lx is outside the notify window (0x%x bytes)", qi, at,
				 d->notify.len);
			return start_why;
		}
		q->notify = d->notify;
		q->notify.base += at;
		vr_write16(c, VPCI_QUEUE_ENABLE, 1);
		d->nvq = qi + 1;
	}
	st |= VIRTIO_STATUS_DRIVER_OK;
	set_status(d, st);
	got = virtio_status(d);
	if (got & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)) {
		snformat(start_why, sizeof(start_why), "device status 0x%x right after DRIVER_OK", got);
		return start_why;
	}
	return NULL;
}

/* ---- device-specific configuration (2.5, 4.1.4.6) ---- */

u32 virtio_cfg_read32(struct vdev *d, unsigned off)
{
	return vr_read32(&d->devcfg, off);
}

u64 virtio_cfg_read64(struct vdev *d, unsigned off)
{
	/* 2.5.1: a field wider than 32 bits may tear; config_generation
	 * tells us to read again. */
	for (int tries = 0; tries < 16; tries++) {
		u8 g = vr_read8(&d->common, VPCI_CONFIG_GENERATION);
		u64 v = vr_read32(&d->devcfg, off) | (u64)vr_read32(&d->devcfg, off + 4) << 32;
		if (vr_read8(&d->common, VPCI_CONFIG_GENERATION) == g)
			return v;
	}
	return ~0ul;
}

void virtio_cfg_write32(struct vdev *d, unsigned off, u32 v)
{
	vr_write32(&d->devcfg, off, v);
}
