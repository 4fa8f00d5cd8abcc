/*
 * virtio-net (virtio-v1.2 5.1) against the host end of a tap, the way a
 * minimal OS would come up on a network:
 *
 *   1. negotiate (VERSION_1, MAC, MRG_RXBUF), read the MAC: "NET mac ..."
 *   2. fill the receive queue; with no guest.hostip= stop here, nothing
 *      is sent (the link may not be ours to talk on)
 *   3. ARP request for guest.hostip (broadcast, repeated each second),
 *      until the host kernel's reply: "NET host <ip> is <mac>"
 *   4. ICMP echo requests to guest.hostip with 56 and 1472 bytes of
 *      payload (the largest that fits a 1500-byte MTU unfragmented), each
 *      until its reply, which must come from the host, carry our id and
 *      sequence, valid IPv4 and ICMP checksums and the same payload; both
 *      queues are armed before each request and must interrupt (the
 *      transmit completion and the reply).
 *
 * Meanwhile we answer ARP requests for guest.ip and echo requests to it
 * (the host may probe us before it replies). Every wait is bounded: 10 s
 * per step. Any rule the device breaks (a used id never posted, a used
 * length past the buffer, header flags we did not negotiate) and any IPv4
 * frame whose checksum fails is a failure.
 */
#include "heap.h"
#include "irq.h"
#include "lib.h"
#include "net.h"
#include "test.h"

#define STEP_TICKS (10 * NET_HZ)
#define PING_ID 0x4C47		/* "LG" */
#define PAT_MUL 0x9E3779B97F4A7C15ul

struct ping {
	u16 seq;
	u32 plen;
	const u8 *payload;
	bool got;
	char bad[120];
};

static void fill(u8 *p, u32 len, u16 seq)
{
	u64 w = (u64)seq * PAT_MUL;
	for (u32 i = 0; i < len; i += 8)
		*(u64_ua *)(p + i) = w + i;	/* may run 7 bytes past len: the buffer has room */
}

static bool on_frame(struct net *n, u8 *buf, u32 len, void *arg)
{
	struct ping *p = arg;
	struct eth_hdr *e = net_eth(buf);
	if (e->type == htons(ETH_P_IP) && mac_eq(e->dst, n->mac)) {
		u32 ihl = net_ip_ok(n, buf, len);
		if (!ihl)
			return false;
		struct ip_hdr *ip = net_ip(buf);
		struct icmp_hdr *ic = (struct icmp_hdr *)((u8 *)ip + ihl);
		if (ip->proto == IP_PROTO_ICMP && ip->src == n->hostip && ip->dst == n->ip &&
		    ntohs(ip->len) >= ihl + sizeof(*ic) && ic->type == ICMP_ECHO_REPLY) {
			u32 icl = ntohs(ip->len) - ihl;
			if (ic->id != htons(PING_ID) || ntohs(ic->seq) != p->seq)
				return false;	/* a late reply to an earlier request */
			p->got = true;
			if (icl != sizeof(*ic) + p->plen)
				snformat(p->bad, sizeof(p->bad), "echo reply seq %u has %u payload bytes, sent %u", p->seq,
					 icl - (u32)sizeof(*ic), p->plen);
			else if (csum_fold(csum_add(0, ic, icl)))
				snformat(p->bad, sizeof(p->bad), "echo reply seq %u: ICMP checksum 0x%04x does not add up",
					 p->seq, ntohs(ic->csum));
			else if (!mem_eq(ic + 1, p->payload, p->plen))
				snformat(p->bad, sizeof(p->bad), "echo reply seq %u: payload differs from the request", p->seq);
			return false;
		}
	}
	return net_answer(n, buf, len, NULL);
}

static bool both_irqs(const void *arg)
{
	const u64 *a = arg;
	const struct net *n = (const struct net *)a[0];
	return n->rx->irqs != a[1] && n->tx->irqs != a[2];
}

/* One echo request of plen bytes, resent every 2 s, until its reply; and
 * an interrupt from each queue. */
static const char *ping(struct net *n, struct ping *p, u16 seq, u32 plen, u8 *payload)
{
	static char why[160];
	*p = (struct ping){ seq, plen, payload, false, "" };
	fill(payload, plen, seq);
	/* Both queues armed before anything moves (2.7.10: used_event), so
	 * the request's completion and the reply each owe us an interrupt. */
	vq_arm(n->rx);
	vq_arm(n->tx);
	u64 irqs[3] = { (u64)n, n->rx->irqs, n->tx->irqs };
	u64 until = pit_ticks + STEP_TICKS, next = pit_ticks;
	unsigned sent = 0;
	while (!p->got) {
		if (pit_ticks >= until) {
			char ip[16];
			fmt_ip(ip, n->hostip);
			snformat(why, sizeof(why), "no echo reply from %s to %u requests of %u bytes in 10 s", ip, sent, plen);
			return why;
		}
		if (pit_ticks >= next) {
			net_tx_reap(n);
			u8 *b = net_buf_get(n);
			if (b) {
				memcpy(net_frame(b) + ETH_HLEN + sizeof(struct ip_hdr) + sizeof(struct icmp_hdr), payload, plen);
				net_send(n, b, net_build_ping(n, b, PING_ID, seq, plen));
				net_tx_kick(n);
				sent++;
			}
			next = pit_ticks + 2 * NET_HZ;
		}
		const char *w = net_wait(n, MIN(next, until) - pit_ticks);
		if (w)
			return w;
		net_tx_reap(n);
		net_rx_poll(n, on_frame, p);
	}
	if (p->bad[0])
		return p->bad;
	/* The guest rarely sleeps through a round trip (the device is quick
	 * and we are slow), so the interrupts may still be pending: halt
	 * until both have been taken, at most 2 s. */
	ticker_wait_until(both_irqs, irqs, 2 * NET_HZ);
	if (n->rx->irqs == irqs[1] || n->tx->irqs == irqs[2]) {
		snformat(why, sizeof(why), "echo reply seq %u arrived, but no %s interrupt within 2 s", seq,
			 n->rx->irqs == irqs[1] ? "receiveq" : "transmitq");
		return why;
	}
	return NULL;
}

static void run_virtio_net(void)
{
	struct net *n = heap_alloc(sizeof(*n), 8);
	u8 *payload = heap_alloc(UDP_PAYLOAD_MAX + 8, 8);
	if (!n || !payload)
		return fail("out of heap");
	const char *w = net_params(n);
	if (w)
		return fail("%s", w);
	if ((w = clock_start(NET_HZ)))
		return fail("%s", w);
	if ((w = net_open(n)))
		return fail("%s", w);
	char mac[18], hmac[18], hip[16];
	fmt_mac(mac, n->mac);
	printk("NET mac %s\n", mac);
	char feats[64];
	snformat(feats, sizeof(feats), "%s%s%s", n->mac_given ? "MAC" : "no MAC offered (made up)",
		 n->mrg ? ", mergeable rx buffers" : "", n->rx->event_idx ? ", event idx" : "");
	if (!n->hostip)
		return ok("mac %s, %s; %u receive buffers posted; no guest.hostip=: nothing sent", mac, feats,
			  n->rx->size);

	u64 t0 = pit_ticks;
	if ((w = net_resolve(n, STEP_TICKS)))
		return fail("ARP: %s (%lu frames received%s%s)", w, n->rx_frames, n->errors ? "; device: " : "", n->err);
	u64 t_arp = pit_ticks - t0;
	fmt_mac(hmac, n->hostmac);
	fmt_ip(hip, n->hostip);
	printk("NET host %s is %s\n", hip, hmac);

	struct ping p;
	t0 = pit_ticks;
	if ((w = ping(n, &p, 1, 56, payload)))
		return fail("ping 56 bytes: %s", w);
	if ((w = ping(n, &p, 2, UDP_PAYLOAD_MAX, payload)))
		return fail("ping %u bytes: %s", UDP_PAYLOAD_MAX, w);
	u64 t_ping = pit_ticks - t0;
	/* Everything we sent must come back from the transmit queue. */
	u64 until = pit_ticks + STEP_TICKS;
	while (n->tx_done < n->tx_frames + n->bl_n && pit_ticks < until) {
		if ((w = net_wait(n, until - pit_ticks)))
			return fail("%s", w);
		net_tx_reap(n);
		net_rx_poll(n, net_answer, NULL);
	}
	if (n->tx_done < n->tx_frames + n->bl_n)
		return fail("transmitq: %lu of %lu frames never completed", n->tx_frames + n->bl_n - n->tx_done,
			    n->tx_frames + n->bl_n);
	if (n->errors)
		return fail("device: %s (%lu rule breaks)", n->err, n->errors);
	if (n->bad_csum)
		return fail("%lu received IPv4 frames had a bad header checksum", n->bad_csum);
	ok("mac %s, %s; host %s is %s, ARP reply within %lu ms; echo 56 and %u bytes within %lu ms; "
	   "rx %lu frames, %lu interrupts; tx %lu frames, %lu interrupts, %lu kicks; %lu ARP and %lu echo requests answered",
	   mac, feats, hip, hmac, (t_arp + 1) * 1000 / NET_HZ, UDP_PAYLOAD_MAX, (t_ping + 1) * 1000 / NET_HZ,
	   n->rx_frames, n->rx->irqs, n->tx_frames, n->tx->irqs, n->tx->kicks, n->arp_answered, n->icmp_answered);
}
GUEST_TEST_AS(89, virtio_net, "virtio-net", run_virtio_net, TEST_NEEDS(VIRTIO_ID_NET));
