/*
 * The virtio-net driver (virtio-v1.2 5.1): queues, buffers, interrupts.
 * The protocols above it are in net_proto.c.
 *
 * Every head in either ring carries exactly one descriptor (a whole
 * buffer), so the split-ring bookkeeping shrinks to two stacks of free
 * heads and a table from head to buffer. Each used element the device
 * returns is checked against that table: an id we never posted, or a used
 * length larger than the buffer, is a rule the device broke (2.7.8.1) and
 * is counted, never followed.
 */
#include "heap.h"
#include "irq.h"
#include "lib.h"
#include "net.h"

void net_error(struct net *n, const char *fmt, ...)
{
	if (!n->errors++) {
		va_list ap;
		va_start(ap, fmt);
		vsnformat(n->err, sizeof(n->err), fmt, ap);
		va_end(ap);
	}
}

static char why[160];

const char *net_params(struct net *n)
{
	size_t len;
	const char *v;
	if ((v = cmdline_param("guest.hostip", &len)) && !parse_ipv4(v, len, &n->hostip))
		return "guest.hostip= is not a dotted IPv4 address";
	if ((v = cmdline_param("guest.ip", &len)) && !parse_ipv4(v, len, &n->ip))
		return "guest.ip= is not a dotted IPv4 address";
	if (!n->ip && n->hostip)
		n->ip = htonl(ntohl(n->hostip) + 1);
	/* PLATFORM.md: link-local only, whatever the command line says. */
	if ((n->ip && !ip_link_local(n->ip)) || (n->hostip && !ip_link_local(n->hostip)))
		return "addresses must be link-local (169.254.0.0/16)";
	if (n->ip && n->ip == n->hostip)
		return "guest.ip= and guest.hostip= are the same address";
	return NULL;
}

/* 5.1.4: the MAC is six bytes, read as bytes; config_generation (2.5.1)
 * tells us whether the device changed it while we read. */
static void read_mac(struct net *n)
{
	for (int tries = 0; tries < 16; tries++) {
		u8 g = vr_read8(&n->d->common, VPCI_CONFIG_GENERATION);
		for (unsigned i = 0; i < ETH_ALEN; i++)
			n->mac[i] = vr_read8(&n->d->devcfg, VNET_CFG_MAC + i);
		if (vr_read8(&n->d->common, VPCI_CONFIG_GENERATION) == g)
			return;
	}
}

const char *net_open(struct net *n)
{
	struct vdev *d = virtio_find(VIRTIO_ID_NET, 0);
	if (!d)
		return "no virtio net device on bus 0";
	n->d = d;
	/* 5.1.5: the simplest driver takes MAC; MRG_RXBUF costs us only a
	 * look at num_buffers. No CSUM/GUEST_CSUM: every checksum is real. */
	const char *w = virtio_start(d, FEAT(VIRTIO_NET_F_MAC) | FEAT(VIRTIO_NET_F_MRG_RXBUF), 2);
	if (w) {
		snformat(why, sizeof(why), "00:%02x.%u: %s", d->slot, d->fn, w);
		return why;
	}
	n->rx = &d->vq[NET_RXQ];
	n->tx = &d->vq[NET_TXQ];
	n->mrg = d->features & FEAT(VIRTIO_NET_F_MRG_RXBUF);
	n->mac_given = d->features & FEAT(VIRTIO_NET_F_MAC);
	if (n->mac_given && !d->devcfg.present)
		return "VIRTIO_NET_F_MAC offered, but no device configuration window";
	if (n->mac_given) {
		read_mac(n);
	} else {
		/* 5.1.5: no MAC from the device, so a locally administered
		 * unicast one of ours, 02:4c:47 ("LG") + the low IP bytes. */
		u32 h = ntohl(n->ip);
		const u8 made[ETH_ALEN] = { 0x02, 0x4c, 0x47, (u8)(h >> 16), (u8)(h >> 8), (u8)h };
		mac_copy(n->mac, made);
	}

	unsigned nrx = n->rx->size, ntx = n->tx->size;
	n->pool_total = nrx + ntx;
	u8 *mem = heap_alloc_raw((u64)n->pool_total * NET_BUF, 4096);
	n->pool = heap_alloc(n->pool_total * sizeof(u8 *), 8);
	n->rxbuf = heap_alloc(nrx * sizeof(u8 *), 8);
	n->txbuf = heap_alloc(ntx * sizeof(u8 *), 8);
	n->rx_heads = heap_alloc(nrx * sizeof(u16), 8);
	n->tx_heads = heap_alloc(ntx * sizeof(u16), 8);
	n->bl_buf = heap_alloc(n->pool_total * sizeof(u8 *), 8);
	n->bl_len = heap_alloc(n->pool_total * sizeof(u16), 8);
	if (!mem || !n->pool || !n->rxbuf || !n->txbuf || !n->rx_heads || !n->tx_heads || !n->bl_buf || !n->bl_len)
		return "out of heap for network buffers";
	for (unsigned i = 0; i < n->pool_total; i++)
		n->pool[i] = mem + (u64)i * NET_BUF;
	n->npool = n->pool_total;
	/* Heads are pushed high to low so that they are used 0, 1, 2...; every
	 * descriptor is one device-writable (rx) or readable (tx) buffer. */
	for (unsigned i = 0; i < nrx; i++) {
		n->rx_heads[i] = (u16)(nrx - 1 - i);
		n->rx->desc[i] = (struct vring_desc){ 0, NET_BUF, VRING_DESC_F_WRITE, 0 };
	}
	n->rx_nheads = nrx;
	for (unsigned i = 0; i < ntx; i++)
		n->tx_heads[i] = (u16)(ntx - 1 - i);
	n->tx_nheads = ntx;
	/* 5.1.6.3.1: with neither MRG_RXBUF nor GUEST_TSO*, buffers of at
	 * least 1526 bytes; with MRG_RXBUF, at least the header. NET_BUF is
	 * both. Half the pool goes to the receive queue now. */
	net_rx_refill(n);
	return NULL;
}

u8 *net_buf_get(struct net *n)
{
	return n->npool ? n->pool[--n->npool] : NULL;
}

void net_buf_put(struct net *n, u8 *buf)
{
	n->pool[n->npool++] = buf;
}

void net_rx_refill(struct net *n)
{
	struct vq *q = n->rx;
	bool any = false;
	while (n->rx_nheads && n->npool) {
		u16 h = n->rx_heads[--n->rx_nheads];
		u8 *b = n->pool[--n->npool];
		q->desc[h].addr = (u64)b;
		n->rxbuf[h] = b;
		q->avail->ring[q->avail_idx++ & q->mask] = h;
		any = true;
	}
	if (any)
		vq_kick(q);
}

static void tx_post(struct net *n, u8 *buf, u32 len)
{
	struct vq *q = n->tx;
	u16 h = n->tx_heads[--n->tx_nheads];
	q->desc[h] = (struct vring_desc){ (u64)buf, VNET_HDR_LEN + len, 0, 0 };
	n->txbuf[h] = buf;
	q->avail->ring[q->avail_idx++ & q->mask] = h;
	n->tx_posted = true;
	n->tx_frames++;
}

void net_send(struct net *n, u8 *buf, u32 len)
{
	/* 5.1.6.2.1: without CSUM, flags 0 and a fully checksummed frame;
	 * gso_type NONE; num_buffers 0. All twelve bytes zero. */
	*(u64_ua *)buf = 0;
	*(u32_ua *)(buf + 8) = 0;
	if (n->tx_nheads && !n->bl_n) {
		tx_post(n, buf, len);
		return;
	}
	unsigned at = (n->bl_head + n->bl_n++) % n->pool_total;
	n->bl_buf[at] = buf;
	n->bl_len[at] = (u16)len;
}

void net_tx_kick(struct net *n)
{
	if (n->tx_posted) {
		n->tx_posted = false;
		vq_kick(n->tx);
	}
}

unsigned net_tx_reap(struct net *n)
{
	struct vq *q = n->tx;
	unsigned got = 0;
	u16 end = *(volatile u16 *)&q->used->idx;
	barrier();
	while (q->last_used != end) {
		u32 id = q->used->ring[q->last_used++ & q->mask].id;
		if (id >= q->size || !n->txbuf[id]) {
			net_error(n, "transmitq: used id %u was not in flight", id);
			continue;
		}
		net_buf_put(n, n->txbuf[id]);
		n->txbuf[id] = NULL;
		n->tx_heads[n->tx_nheads++] = (u16)id;
		n->tx_done++;
		got++;
	}
	while (n->bl_n && n->tx_nheads) {
		tx_post(n, n->bl_buf[n->bl_head], n->bl_len[n->bl_head]);
		n->bl_head = (n->bl_head + 1) % n->pool_total;
		n->bl_n--;
	}
	net_tx_kick(n);
	return got;
}

unsigned net_rx_poll(struct net *n, net_rx_fn fn, void *arg)
{
	struct vq *q = n->rx;
	unsigned got = 0;
	u16 end = *(volatile u16 *)&q->used->idx;
	barrier();
	while (q->last_used != end) {
		struct vring_used_elem e = q->used->ring[q->last_used++ & q->mask];
		if (e.id >= q->size || !n->rxbuf[e.id]) {
			net_error(n, "receiveq: used id %u was not posted", e.id);
			continue;
		}
		u8 *b = n->rxbuf[e.id];
		n->rxbuf[e.id] = NULL;
		n->rx_heads[n->rx_nheads++] = (u16)e.id;
		const struct virtio_net_hdr *h = (const void *)b;
		if (e.len > NET_BUF) {
			net_error(n, "receiveq: used length %u > the %u-byte buffer", e.len, NET_BUF);
			net_buf_put(n, b);
			continue;
		}
		/* 5.1.6.4.1: without GUEST_CSUM the device sets no flags;
		 * without GUEST_TSO4/6, UFO or USO, gso_type is NONE. */
		if (h->flags || h->gso_type)
			net_error(n, "receiveq: header flags 0x%x gso_type %u, neither negotiated", h->flags,
				  h->gso_type);
		if (n->mrg && h->num_buffers != 1) {
			/* 5.1.6.4: the packet goes on in num_buffers - 1 more
			 * buffers. Ours hold any 1500-MTU frame, so this is
			 * either a jumbo frame or a broken num_buffers: drop
			 * the packet and every buffer it names. */
			if (!h->num_buffers)
				net_error(n, "receiveq: num_buffers 0 with MRG_RXBUF");
			n->rx_dropped++;
			for (unsigned k = 1; k < h->num_buffers && q->last_used != end; k++) {
				u32 id = q->used->ring[q->last_used++ & q->mask].id;
				if (id < q->size && n->rxbuf[id]) {
					net_buf_put(n, n->rxbuf[id]);
					n->rxbuf[id] = NULL;
					n->rx_heads[n->rx_nheads++] = (u16)id;
				}
			}
			net_buf_put(n, b);
			continue;
		}
		if (e.len < VNET_HDR_LEN + ETH_HLEN) {
			n->rx_dropped++;
			net_buf_put(n, b);
			continue;
		}
		got++;
		n->rx_frames++;
		if (!fn(n, b, e.len - VNET_HDR_LEN, arg))
			net_buf_put(n, b);
	}
	/* Replies first (the peer is waiting for them), then new buffers. */
	net_tx_kick(n);
	net_rx_refill(n);
	return got;
}

static bool either_used(const void *arg)
{
	const struct net *n = arg;
	return vq_has_used(n->rx) || vq_has_used(n->tx);
}

const char *net_wait(struct net *n, u64 ticks)
{
	vq_arm(n->rx);
	vq_arm(n->tx);
	return ticker_wait_until(either_used, n, ticks);
}
