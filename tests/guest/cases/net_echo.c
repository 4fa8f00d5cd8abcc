/*
 * net-echo (by name only): a tiny echo server on guest.ip for the host to
 * drive. After "READY net-echo" it serves for guest.echosecs= seconds
 * (default 20) or until guest.echopkts= UDP datagrams were echoed:
 *
 *   - ARP requests for guest.ip are answered (so the host can find us);
 *   - ICMP echo requests to guest.ip are answered (so `ping` works);
 *   - every UDP datagram to port 7 (RFC 862) goes back to its sender,
 *     MACs, addresses and ports swapped, payload untouched.
 *
 * Every reply is the received buffer rewritten in place: swapping the
 * addresses and ports changes neither the IPv4 nor the UDP checksum (the
 * one's-complement sum is commutative), so they are left as they came.
 * The UDP checksum of each datagram is verified all the same: a device
 * that hands us a frame with a partial checksum (an offload we never
 * negotiated) would otherwise be echoed into the host's drop counters
 * without anybody saying why. Datagrams go back in the order they came
 * (the transmit backlog is a FIFO); when no buffer is free the receive
 * queue simply runs dry and the device holds packets back.
 *
 * With guest.echodelay=<s> it first prints "NET echo delay <s> s" and waits
 * that long before it touches the device, so that the host can queue
 * frames before the driver has negotiated anything.
 *
 * A datagram to port 7 whose payload is exactly "done" ends the run early
 * (it is not echoed). Then "NET echo done udp=<n> bytes=<n> icmp=<n>
 * arp=<n>" and the verdict.
 */
#include "heap.h"
#include "irq.h"
#include "lib.h"
#include "net.h"
#include "test.h"

#define ECHO_PORT 7

struct echo {
	u64 udp, bytes, udp_bad_csum, other;
	bool done;
};

#define DONE_WORD 0x656E6F64u	/* "done", as a little-endian load */

static u64 param(const char *key, u64 dflt, bool *bad)
{
	size_t n;
	const char *v = cmdline_param(key, &n);
	u64 x = dflt;
	if (v && !parse_u64(v, n, &x))
		*bad = true;
	return x;
}

static bool never(const void *arg)
{
	(void)arg;
	return false;
}

static bool on_frame(struct net *n, u8 *buf, u32 len, void *arg)
{
	struct echo *st = arg;
	struct eth_hdr *e = net_eth(buf);
	if (e->type == htons(ETH_P_IP) && mac_eq(e->dst, n->mac)) {
		u32 ihl = net_ip_ok(n, buf, len);
		if (!ihl)
			return false;
		struct ip_hdr *ip = net_ip(buf);
		if (ip->proto == IP_PROTO_UDP) {
			struct udp_hdr *u = (struct udp_hdr *)((u8 *)ip + ihl);
			u32 ulen = ntohs(u->len);
			if (ip->dst != n->ip || !ip_link_local(ip->src) || ulen < sizeof(*u) || ihl + ulen > ntohs(ip->len) ||
			    u->dport != htons(ECHO_PORT)) {
				st->other++;
				return false;
			}
			if (ulen == sizeof(*u) + 4 && *(u32_ua *)(u + 1) == DONE_WORD) {
				st->done = true;	/* the host's "that was all": not echoed */
				return false;
			}
			/* RFC 768: checksum over the pseudo header (addresses,
			 * protocol, UDP length) and the datagram; 0 means none. */
			if (u->csum) {
				u64 sum = csum_word(csum_add(0, &ip->src, 8), (u64)htons(IP_PROTO_UDP) + u->len);
				if (csum_fold(csum_add(sum, u, ulen)))
					st->udp_bad_csum++;
			}
			mac_copy(e->dst, e->src);
			mac_copy(e->src, n->mac);
			u32 a = ip->src;
			ip->src = ip->dst;
			ip->dst = a;
			u16 p = u->sport;
			u->sport = u->dport;
			u->dport = p;
			st->udp++;
			st->bytes += ulen - sizeof(*u);
			net_send(n, buf, ETH_HLEN + ntohs(ip->len));
			return true;
		}
	}
	if (net_answer(n, buf, len, NULL))
		return true;
	st->other++;
	return false;
}

static void run_net_echo(void)
{
	bool bad = false;
	u64 secs = param("guest.echosecs", 20, &bad), pkts = param("guest.echopkts", 0, &bad),
	    delay = param("guest.echodelay", 0, &bad);
	if (bad)
		return fail("guest.echosecs=, guest.echopkts= and guest.echodelay= take decimal numbers");
	struct net *n = heap_alloc(sizeof(*n), 8);
	struct echo *st = heap_alloc(sizeof(*st), 8);
	if (!n || !st)
		return fail("out of heap");
	const char *w = net_params(n);
	if (w)
		return fail("%s", w);
	if (!n->ip)
		return fail("guest.ip= (or guest.hostip=) is missing: no address to serve on");
	if ((w = clock_start(NET_HZ)))
		return fail("%s", w);
	if (delay) {
		/* The device stays untouched (not even reset) meanwhile: what
		 * the host sends now waits in the VMM or the tap, and must
		 * still arrive as the features we negotiate later promise. */
		printk("NET echo delay %lu s\n", delay);
		ticker_wait_until(never, NULL, delay * NET_HZ);
	}
	if ((w = net_open(n)))
		return fail("%s", w);
	char mac[18], ip[16];
	fmt_mac(mac, n->mac);
	fmt_ip(ip, n->ip);
	printk("NET mac %s\n", mac);
	printk("READY net-echo\n");

	u64 until = pit_ticks + secs * NET_HZ;
	while (pit_ticks < until && !st->done && !(pkts && st->udp >= pkts)) {
		if ((w = net_wait(n, until - pit_ticks)))
			return fail("%s", w);
		/* Interrupts on while we work: a busy guest must still see
		 * the clock tick for echosecs to mean seconds. */
		sti();
		net_tx_reap(n);
		net_rx_poll(n, on_frame, st);
		cli();
	}
	/* The last echoes leave before we say we are done (at most 2 s). */
	u64 drain = pit_ticks + 2 * NET_HZ;
	while (n->tx_done < n->tx_frames + n->bl_n && pit_ticks < drain) {
		if ((w = net_wait(n, drain - pit_ticks)))
			return fail("%s", w);
		net_tx_reap(n);
	}
	printk("NET echo done udp=%lu bytes=%lu icmp=%lu arp=%lu\n", st->udp, st->bytes, n->icmp_answered,
	       n->arp_answered);
	if (n->errors)
		return fail("device: %s (%lu rule breaks)", n->err, n->errors);
	if (n->tx_done < n->tx_frames + n->bl_n)
		return fail("transmitq: %lu of %lu echoes never completed", n->tx_frames + n->bl_n - n->tx_done,
			    n->tx_frames + n->bl_n);
	if (st->udp_bad_csum || n->bad_csum)
		return fail("%lu UDP and %lu IPv4 header checksums failed (of %lu datagrams)", st->udp_bad_csum,
			    n->bad_csum, st->udp);
	if (pkts && st->udp < pkts)
		return fail("%lu of %lu datagrams echoed in %lu s", st->udp, pkts, secs);
	ok("%s at %s: %lu datagrams (%lu bytes) echoed, %lu pings and %lu ARP requests answered, %lu other frames "
	   "ignored, %lu dropped; rx %lu interrupts, tx %lu interrupts, %lu kicks; %s",
	   ip, mac, st->udp, st->bytes, n->icmp_answered, n->arp_answered, st->other, n->rx_dropped, n->rx->irqs,
	   n->tx->irqs, n->tx->kicks, st->done ? "ended by \"done\"" : pkts && st->udp >= pkts ? "all datagrams" : "time up");
}
GUEST_TEST_AS(91, net_echo, "net-echo", run_net_echo, TEST_EXPLICIT | TEST_NEEDS(VIRTIO_ID_NET));
