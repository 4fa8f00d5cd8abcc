/*
 * netbench (by name only): UDP throughput through virtio-net for issue 5's
 * benchmark, built, like blkbench, so that the VMM's cost shows rather than
 * ours. Port 9 (discard, RFC 863) both ways.
 *
 *   guest.netbench=tx|rx   (required)
 *   guest.netpkts=<n>      datagrams to send, or to wait for (default 10000)
 *   guest.netsize=<bytes>  tx: UDP payload, 8..1472 (default 1472)
 *   guest.netack=<n>       rx: after every n datagrams (a batch), tell the
 *                          sender how many arrived (default 0: never)
 *
 * tx: after ARP has found guest.hostip, one frame per transmit slot is
 * built once (Ethernet, IPv4, UDP with checksum 0, payload zeroes); the
 * hot loop only writes a sequence number into the first 8 payload bytes
 * of a frame the device has sent and puts its head back in the ring. All
 * slots stay in flight; with EVENT_IDX the device interrupts once per half
 * ring, and is kicked only when its avail_event asks for it. The receive
 * queue is not served meanwhile.
 *
 * rx: every receive buffer stays bound to its head; the hot loop looks at
 * five fields (EtherType, IP version/length, protocol, destination address
 * and port), counts the datagram and its payload bytes and hands the head
 * straight back, one kick per batch. An interrupt comes once per half ring
 * (or per netack datagrams), the 100 Hz clock catches the rest. A datagram
 * with an empty payload ends the run early (a sender that lost some can
 * still stop the clock). ARP requests for guest.ip are answered on a slow
 * path, so the host need not configure a neighbour.
 *
 * Output: "BENCH net-<tx|rx> start" (tx: just before the first kick; rx:
 * when the receive queue is full and we are listening) and
 * "BENCH net-<tx|rx> done packets=<n> bytes=<n>" (payload bytes) after the
 * last completion or arrival; the host times the interval between them.
 */
#include "heap.h"
#include "irq.h"
#include "lib.h"
#include "net.h"
#include "test.h"

#define BENCH_PORT 9
#define STALL_TICKS (10 * NET_HZ)
#define L4_OFF (ETH_HLEN + sizeof(struct ip_hdr))		/* UDP header in a frame */
#define PAYLOAD_OFF (L4_OFF + sizeof(struct udp_hdr))	/* its payload */

static u64 param(const char *key, u64 dflt, bool *bad)
{
	size_t n;
	const char *v = cmdline_param(key, &n);
	u64 x = dflt;
	if (v && !parse_u64(v, n, &x))
		*bad = true;
	return x;
}

/* used_event (2.7.10): interrupt when the k-th element after the ones we
 * have seen is used; without EVENT_IDX interrupts simply stay on. */
static void arm_after(struct vq *q, u64 k)
{
	if (q->event_idx)
		*q->used_event = (u16)(q->last_used + (k ? k : 1) - 1);
	else
		*(volatile u16 *)&q->avail->flags = 0;
	vmb();
}

static void tx_bench(struct net *n, u64 pkts, u64 size)
{
	const char *w = net_resolve(n, STALL_TICKS);
	if (w)
		return fail("ARP: %s", w);
	/* The ARP request must be back before we take every slot. */
	u64 until = pit_ticks + NET_HZ;
	while (n->tx_done < n->tx_frames && pit_ticks < until) {
		net_wait(n, until - pit_ticks);
		net_tx_reap(n);
	}
	struct vq *q = n->tx;
	if (n->tx_nheads != q->size)
		return fail("transmitq: %u of %u slots still busy after ARP", q->size - n->tx_nheads, q->size);
	u64 depth = MIN(q->size, pkts);
	u8 **fr = heap_alloc(depth * sizeof(u8 *), 8);
	if (!fr)
		return fail("out of heap");
	u32 flen = 0;
	for (u64 i = 0; i < depth; i++) {
		u8 *b = net_buf_get(n);
		if (!b)
			return fail("out of buffers for %lu frames", depth);
		memset(b, 0, VNET_HDR_LEN + PAYLOAD_OFF + size);
		flen = net_build_udp(n, b, n->hostmac, n->hostip, BENCH_PORT, BENCH_PORT, (u32)size);
		q->desc[i] = (struct vring_desc){ (u64)b, VNET_HDR_LEN + flen, 0, 0 };
		fr[i] = b + VNET_HDR_LEN + PAYLOAD_OFF;
	}
	n->tx_nheads = 0;	/* every slot is ours now, bound to its frame */

	/* The ring state lives in locals for the hot loop (gcc cannot keep
	 * q->... in registers across the stores into frames, which may alias
	 * anything): on the emulator every memory operand counts. q's own
	 * copies are brought up to date before vq_kick() and arm_after(). */
	struct vring_used_elem *ur = q->used->ring;
	u16 *ar = q->avail->ring;
	u16 mask = q->mask, last = q->last_used, aidx = q->avail_idx;
	u64 issued = 0, completed = 0, bad = 0;
	for (; issued < depth; issued++) {
		*(u64_ua *)fr[issued] = issued;
		ar[aidx++ & mask] = (u16)issued;
	}
	q->avail_idx = aidx;
	u64 batch = MAX(depth / 2, 1);
	printk("BENCH net-tx start\n");
	vq_kick(q);

	volatile u16 *used_idx = &q->used->idx;
	u64 last_progress = pit_ticks;
	while (completed < pkts) {
		u16 u = *used_idx;
		if (u == last) {
			if (pit_ticks - last_progress > STALL_TICKS)
				break;
			arm_after(q, MIN(batch, issued - completed));
			if (*used_idx == last)
				sti_hlt();
			cli();
			continue;
		}
		barrier();
		completed += (u16)(u - last);
		do {
			u32 id = ur[last++ & mask].id;
			if (id >= depth) {
				if (!bad++)
					net_error(n, "transmitq: used id %u was never posted", id);
			} else if (issued < pkts) {
				*(u64_ua *)fr[id] = issued++;
				ar[aidx++ & mask] = (u16)id;
			}
		} while (last != u);
		q->last_used = last;
		q->avail_idx = aidx;
		last_progress = pit_ticks;
		vq_kick(q);
	}
	q->last_used = last;
	if (completed < pkts)
		return fail("stalled: %lu of %lu datagrams sent, nothing completed for 10 s (%lu interrupts, %lu kicks)",
			    completed, pkts, q->irqs, q->kicks);
	printk("BENCH net-tx done packets=%lu bytes=%lu\n", pkts, pkts * size);
	if (n->errors)
		return fail("device: %s (%lu rule breaks)", n->err, n->errors);
	ok("%lu datagrams of %lu bytes (%u-byte frames), %lu in flight, %lu interrupts, %lu kicks%s", pkts, size, flen,
	   depth, q->irqs, q->kicks, q->event_idx ? ", event idx" : "");
}

/* Anything that is not a datagram for us: ARP gets its answer, from a
 * copy (the receive buffer stays bound to its head). */
static void rx_slow(struct net *n, const u8 *b, u32 len)
{
	if (len > ETH_FRAME_MAX)
		return;
	u8 *c = net_buf_get(n);
	if (!c)
		return;
	memcpy(net_frame(c), b + VNET_HDR_LEN, len);
	if (net_answer(n, c, len, NULL))
		net_tx_kick(n);
	else
		net_buf_put(n, c);
}

static void rx_bench(struct net *n, u64 pkts, u64 ack)
{
	struct vq *q = n->rx;
	u64 batch = MAX(q->size / 2, 1);
	if (ack && ack < batch)
		batch = ack;
	u64 count = 0, bytes = 0, other = 0, acked = 0, acks = 0, bad = 0;
	bool ended = false;
	const u8 *lastb = NULL;	/* the last datagram counted, for its sender */
	u32 sip = 0;
	u16 sport = 0;
	u8 smac[ETH_ALEN];
	volatile u16 *used_idx = &q->used->idx;
	struct vring_used_elem *ur = q->used->ring;
	u16 *ar = q->avail->ring;
	u8 **rxbuf = n->rxbuf;
	u16 mask = q->mask, size = q->size, last = q->last_used, aidx = q->avail_idx;
	/* What a datagram for us looks like, as three little-endian loads of
	 * the frame: at +12 EtherType 0x0800 and version/IHL 0x45; at +23 the
	 * protocol; at +30 our address, then source and destination port. */
	const u64 dst_mask = 0xFFFF0000FFFFFFFFul;
	const u64 dst_want = (u64)n->ip | (u64)htons(BENCH_PORT) << 48;
	/* num_buffers must be 1 with MRG_RXBUF; without it, it is unused. */
	const u16 nb_mask = n->mrg ? 0xFFFF : 0, nb_want = n->mrg ? 1 : 0;

	printk("BENCH net-rx start\n");
	u64 last_progress = pit_ticks;
	while (count < pkts && !ended) {
		u16 u = *used_idx;
		if (u == last) {
			if (pit_ticks - last_progress > STALL_TICKS)
				break;
			q->last_used = last;
			arm_after(q, batch);
			if (*used_idx == last)
				sti_hlt();
			cli();
			continue;
		}
		barrier();
		u64 before = count;
		do {
			struct vring_used_elem e = ur[last++ & mask];
			if (e.id >= size) {
				if (!bad++)
					net_error(n, "receiveq: used id %u was not posted", e.id);
				continue;
			}
			const u8 *b = rxbuf[e.id], *f = b + VNET_HDR_LEN;
			if (e.len > NET_BUF || *(const u16_ua *)b || (*(const u16_ua *)(b + 10) & nb_mask) != nb_want) {
				if (!bad++)
					net_error(n, "receiveq: used length %u, header flags 0x%x gso %u num_buffers %u", e.len,
						  b[0], b[1], *(const u16_ua *)(b + 10));
			} else if (e.len >= VNET_HDR_LEN + PAYLOAD_OFF &&
				   (*(const u32_ua *)(f + 12) & 0xFFFFFF) == 0x450008 && f[23] == IP_PROTO_UDP &&
				   (*(const u64_ua *)(f + 30) & dst_mask) == dst_want) {
				u32 ulen = ntohs(*(const u16_ua *)(f + L4_OFF + 4));
				if (ulen <= sizeof(struct udp_hdr)) {
					ended = true;
				} else {
					count++;
					bytes += ulen - sizeof(struct udp_hdr);
					lastb = f;
				}
			} else {
				other++;
				rx_slow(n, b, e.len - VNET_HDR_LEN);
			}
			/* The same buffer goes back under the same head; the
			 * device sees it only when vq_kick() publishes aidx. */
			ar[aidx++ & mask] = (u16)e.id;
		} while (last != u);
		if (lastb) {	/* still ours: not yet published */
			sip = *(const u32_ua *)(lastb + ETH_HLEN + 12);
			sport = *(const u16_ua *)(lastb + L4_OFF);
			mac_copy(smac, lastb + ETH_ALEN);
			lastb = NULL;
		}
		q->last_used = last;
		q->avail_idx = aidx;
		vq_kick(q);
		if (count != before)
			last_progress = pit_ticks;
		if (ack && count - acked >= ack && ip_link_local(sip)) {
			net_tx_reap(n);
			u8 *c = net_buf_get(n);
			if (c) {
				*(u64_ua *)(net_frame(c) + PAYLOAD_OFF) = count;
				net_send(n, c, net_build_udp(n, c, smac, sip, BENCH_PORT, ntohs(sport), 8));
				net_tx_kick(n);
				acked = count;
				acks++;
			}
		} else if (vq_has_used(n->tx)) {
			net_tx_reap(n);
		}
	}
	q->last_used = last;
	if (count < pkts && !ended)
		return fail("stalled: %lu of %lu datagrams arrived, none for 10 s (%lu other frames, %lu interrupts)", count,
			    pkts, other, q->irqs);
	printk("BENCH net-rx done packets=%lu bytes=%lu\n", count, bytes);
	if (n->errors)
		return fail("device: %s (%lu rule breaks)", n->err, n->errors);
	ok("%lu datagrams, %lu payload bytes%s; %lu other frames, %lu ARP answered, %lu acks; %u buffers, %lu interrupts, "
	   "%lu kicks%s",
	   count, bytes, ended ? ", ended by an empty datagram" : "", other, n->arp_answered, acks, q->size, q->irqs,
	   q->kicks, q->event_idx ? ", event idx" : "");
}

static void run_netbench(void)
{
	size_t mlen;
	const char *mode = cmdline_param("guest.netbench", &mlen);
	bool tx = mode && mlen == 2 && !strncmp(mode, "tx", 2);
	if (!mode || (!tx && !(mlen == 2 && !strncmp(mode, "rx", 2))))
		return fail("guest.netbench= must be tx or rx");
	bool bad = false;
	u64 pkts = param("guest.netpkts", 10000, &bad), size = param("guest.netsize", UDP_PAYLOAD_MAX, &bad),
	    ack = param("guest.netack", 0, &bad);
	if (bad || !pkts)
		return fail("guest.netpkts=, guest.netsize= and guest.netack= take decimal numbers (netpkts > 0)");
	if (size < 8 || size > UDP_PAYLOAD_MAX)
		return fail("guest.netsize=%lu: must be 8..%u (a sequence number, no IP fragments)", size, UDP_PAYLOAD_MAX);
	struct net *n = heap_alloc(sizeof(*n), 8);
	if (!n)
		return fail("out of heap");
	const char *w = net_params(n);
	if (w)
		return fail("%s", w);
	if (!n->ip || (tx && !n->hostip))
		return fail("guest.hostip= (tx) or guest.ip= (rx) is missing");
	if ((w = clock_start(NET_HZ)))
		return fail("%s", w);
	if ((w = net_open(n)))
		return fail("%s", w);
	char mac[18];
	fmt_mac(mac, n->mac);
	printk("NET mac %s\n", mac);
	if (tx)
		tx_bench(n, pkts, size);
	else
		rx_bench(n, pkts, ack);
}
GUEST_TEST(93, netbench, run_netbench, TEST_EXPLICIT);
