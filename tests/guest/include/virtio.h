/*
 * A minimal virtio 1.x driver over PCI, written from the OASIS specification
 * (virtio-v1.2: 2.1 device status, 2.2 feature bits, 2.7 split virtqueues,
 * 3.1.1 driver initialization, 4.1 "Virtio Over PCI Bus", 5.x devices).
 * It is generic on purpose: any conforming modern (or transitional) virtio
 * PCI function on bus 0 must work, ours and QEMU's alike.
 *
 * What a test sees: virtio_scan() finds the functions, virtio_start() brings
 * one to DRIVER_OK with its queues and MSI-X vectors, vq_post()/vq_kick()
 * hand the device buffers, vq_wait() sleeps until the queue's interrupt
 * arrives, vq_pop() takes a used element. Interrupts are MSI-X only: one
 * vector for configuration changes, one per queue.
 */
#ifndef VIRTIO_H
#define VIRTIO_H
#include "types.h"

/* 5 "Device Types": the ones we name. */
#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLOCK		2
#define VIRTIO_ID_CONSOLE	3
#define VIRTIO_ID_RNG		4

/* 2.1 Device Status Field. */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* 6 "Reserved Feature Bits" (bit numbers). */
#define VIRTIO_F_INDIRECT_DESC	28
#define VIRTIO_F_EVENT_IDX	29
#define VIRTIO_F_VERSION_1	32
#define FEAT(bit)		(1ul << (bit))

/* 2.7.5 The Virtqueue Descriptor Table. */
struct vring_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};
#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2
#define VRING_DESC_F_INDIRECT	4

/* 2.7.6 The Virtqueue Available Ring; used_event follows ring[size]. */
struct vring_avail {
	u16 flags;
	u16 idx;
	u16 ring[];
};
#define VRING_AVAIL_F_NO_INTERRUPT 1

/* 2.7.8 The Virtqueue Used Ring; avail_event follows ring[size]. */
struct vring_used_elem {
	u32 id;
	u32 len;
};
struct vring_used {
	u16 flags;
	u16 idx;
	struct vring_used_elem ring[];
};
#define VRING_USED_F_NO_NOTIFY	1

/* 4.1.4.3 struct virtio_pci_common_cfg, as offsets. */
#define VPCI_DEVICE_FEATURE_SELECT	0x00
#define VPCI_DEVICE_FEATURE		0x04
#define VPCI_DRIVER_FEATURE_SELECT	0x08
#define VPCI_DRIVER_FEATURE		0x0C
#define VPCI_CONFIG_MSIX_VECTOR		0x10
#define VPCI_NUM_QUEUES			0x12
#define VPCI_DEVICE_STATUS		0x14
#define VPCI_CONFIG_GENERATION		0x15
#define VPCI_QUEUE_SELECT		0x16
#define VPCI_QUEUE_SIZE			0x18
#define VPCI_QUEUE_MSIX_VECTOR		0x1A
#define VPCI_QUEUE_ENABLE		0x1C
#define VPCI_QUEUE_NOTIFY_OFF		0x1E
#define VPCI_QUEUE_DESC			0x20
#define VPCI_QUEUE_DRIVER		0x28
#define VPCI_QUEUE_DEVICE		0x30
#define VIRTIO_MSI_NO_VECTOR		0xFFFF

/* One register window: a memory or I/O BAR plus an offset. */
struct vregion {
	u64 base;		/* physical address, or I/O port */
	u32 len;
	bool io;
	bool present;
};

#define VQ_MAX		3	/* queues a test uses per device */
#define VQ_SIZE_MAX	256	/* we never ask for bigger rings */
#define VQ_IND_MAX	16	/* descriptors per indirect table */

struct vq {
	u16 index, size, mask;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	volatile u16 *used_event;	/* in the avail ring, after ring[size] */
	volatile u16 *avail_event;	/* in the used ring, after ring[size] */
	struct vring_desc *ind;		/* VQ_IND_MAX entries per descriptor */
	struct vregion notify;		/* this queue's doorbell */
	u16 free_head, nfree;
	u16 avail_idx, kicked_idx;	/* our shadow, and what the device last saw */
	u16 last_used;
	u16 *ndesc;			/* ring descriptors each head holds (heap) */
	bool event_idx, indirect;
	u16 msix_entry;
	volatile u64 irqs;		/* interrupts counted by the handler */
	u64 kicks;
};

struct vdev {
	u8 slot, fn;
	u16 type;			/* virtio device id */
	u16 pci_device;
	const char *error;		/* why the function is unusable, or NULL */
	struct vregion common, notify, isr, devcfg;
	u32 notify_mult;
	bool pci_cfg_cap;		/* VIRTIO_PCI_CAP_PCI_CFG present */
	u8 msix_cap;			/* config offset of the MSI-X capability, 0 if none */
	u16 msix_size;
	struct vregion msix_table, msix_pba;
	u64 offered, features;		/* device's, and negotiated */
	unsigned nvq;
	struct vq vq[VQ_MAX];
	u16 cfg_entry;
	volatile u64 cfg_irqs;
	u8 vec_base;			/* IDT vector of MSI-X entry 0 */
	bool live;			/* virtio_start() ran; reset it after the test */
};

/* virtio_pci.c */
#define VIRTIO_MAX_DEVS 32
/* Scans bus 0 once (later calls return the same table). */
unsigned virtio_scan(struct vdev **devs);
const char *virtio_type_name(u16 type);
/* The n-th (0-based) device of this type in slot order, or NULL. */
struct vdev *virtio_find(u16 type, unsigned n);
/* Reset, negotiate (VERSION_1 is required; `want` is the rest of what the
 * driver understands, taken when offered), nq queues, MSI-X, DRIVER_OK.
 * NULL on success, else why not. */
const char *virtio_start(struct vdev *d, u64 want, unsigned nq);
/* Write 0 to device_status and wait for it to read 0 (3.1.1, 4.1.4.3.2). */
const char *virtio_reset(struct vdev *d);
u8 virtio_status(struct vdev *d);
/* MSI-X entry mask (PCI 3.0 6.8.2.9) and pending bit (6.8.2.10). */
void virtio_msix_mask(struct vdev *d, unsigned entry, bool masked);
bool virtio_msix_pending(struct vdev *d, unsigned entry);
/* Resets every device a test started: called by main.c after each test. */
void virtio_quiesce(void);
/* Device-specific configuration (4.1.4.6), read under config_generation. */
u32 virtio_cfg_read32(struct vdev *d, unsigned off);
u64 virtio_cfg_read64(struct vdev *d, unsigned off);
void virtio_cfg_write32(struct vdev *d, unsigned off, u32 v);

/* Register access on a region (memory or I/O). */
u8 vr_read8(const struct vregion *r, unsigned off);
u16 vr_read16(const struct vregion *r, unsigned off);
u32 vr_read32(const struct vregion *r, unsigned off);
void vr_write8(const struct vregion *r, unsigned off, u8 v);
void vr_write16(const struct vregion *r, unsigned off, u16 v);
void vr_write32(const struct vregion *r, unsigned off, u32 v);

/* virtqueue.c */
struct vbuf {
	u64 addr;
	u32 len;
	bool write;		/* device writes it */
};
#define VQ_POST_DIRECT 1	/* chain in the ring even when indirect is negotiated */
/* Adds one chain (n buffers, device-readable first). Returns its head, or
 * -1 when the ring is full. Visible to the device only after vq_kick(). */
int vq_post(struct vq *q, const struct vbuf *b, unsigned n, unsigned flags);
/* Publishes the avail index and rings the doorbell unless the device said
 * it needs no notification (2.7.10: avail_event, or NO_NOTIFY). */
void vq_kick(struct vq *q);
void vq_notify(struct vq *q);		/* ring it unconditionally */
/* Takes one used element; false if there is none. Frees the chain. */
bool vq_pop(struct vq *q, u32 *id, u32 *len);
bool vq_has_used(const struct vq *q);
/* Asks for an interrupt on the next used element (2.7.7, used_event). */
void vq_arm(struct vq *q);
/* Sleep until the queue's interrupt counter passes `seen` (and a used
 * element is there), at most `ticks` clock ticks. NULL, or why not. */
const char *vq_wait(struct vq *q, u64 seen, u64 ticks);
/* Post, kick and wait for the completion of one chain. NULL, or why not;
 * *len gets the used length. */
const char *vq_roundtrip(struct vq *q, const struct vbuf *b, unsigned n, unsigned flags, u32 *len,
			 u64 ticks);

/* x86 is TSO; only a store followed by a load of another location needs a
 * real fence. A locked add to the stack is Linux's smp_mb() and is cheaper
 * to emulate than mfence. */
static inline void vmb(void) { __asm__ volatile("lock addl $0, -4(%%rsp)" ::: "memory", "cc"); }

#endif
