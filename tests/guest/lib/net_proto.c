/*
 * The least network stack that can talk to a Linux host over a tap:
 * Ethernet II framing, ARP for IPv4 over Ethernet (RFC 826), IPv4 without
 * options or fragments (RFC 791), ICMP echo (RFC 792), UDP (RFC 768).
 *
 * The Internet checksum (RFC 1071) is computed on little-endian 8-byte
 * loads: the one's-complement sum does not care about byte order as long
 * as the result is stored the way it was loaded (RFC 1071 section 2(B)),
 * so there is no swapping and no byte loop except over the last < 8 bytes.
 */
#include "irq.h"
#include "lib.h"
#include "net.h"

u64 csum_add(u64 sum, const void *p, u32 len)
{
	/* An add-with-carry chain over 64-bit words: the end-around carry of
	 * one's-complement arithmetic comes free, and at ~1.2 instructions per
	 * 8 bytes it is five times cheaper on the emulator than C's
	 * split-and-add (a 1472-byte datagram: ~210 us instead of ~1 ms). dec
	 * and lea leave the carry flag alone; two final adcs make sure a carry
	 * out of the last one is not lost. */
	const u8 *b = p;
	u64 n = len >> 6, w = (len >> 3) & 7;
	if (n)
		__asm__("clc\n"
			"1:\n\t"
			"adcq (%[b]), %[s]\n\t"
			"adcq 8(%[b]), %[s]\n\t"
			"adcq 16(%[b]), %[s]\n\t"
			"adcq 24(%[b]), %[s]\n\t"
			"adcq 32(%[b]), %[s]\n\t"
			"adcq 40(%[b]), %[s]\n\t"
			"adcq 48(%[b]), %[s]\n\t"
			"adcq 56(%[b]), %[s]\n\t"
			"leaq 64(%[b]), %[b]\n\t"
			"decq %[n]\n\t"
			"jnz 1b\n\t"
			"adcq $0, %[s]\n\t"
			"adcq $0, %[s]"
			: [s] "+r"(sum), [b] "+r"(b), [n] "+r"(n)
			:
			: "cc", "memory");
	if (w)
		__asm__("clc\n"
			"1:\n\t"
			"adcq (%[b]), %[s]\n\t"
			"leaq 8(%[b]), %[b]\n\t"
			"decq %[w]\n\t"
			"jnz 1b\n\t"
			"adcq $0, %[s]\n\t"
			"adcq $0, %[s]"
			: [s] "+r"(sum), [b] "+r"(b), [w] "+r"(w)
			:
			: "cc", "memory");
	u32 r = len & 7;
	if (r) {
		/* The last 1..7 bytes, zero-padded (RFC 1071 4.1): one 8-byte
		 * load, masked, unless it would cross into the next page. */
		u64 t = 0;
		if (((u64)b & 4095) <= 4088) {
			t = *(const u64_ua *)b & (~0ul >> (64 - 8 * r));
		} else {
			for (u32 i = 0; i < r; i++)
				t |= (u64)b[i] << (8 * i);
		}
		sum += t;
		sum += sum < t;	/* end-around carry */
	}
	return sum;
}

u16 csum_fold(u64 s)
{
	s = (s & 0xFFFFFFFFu) + (s >> 32);
	s = (s & 0xFFFFFFFFu) + (s >> 32);
	s = (s & 0xFFFF) + (s >> 16);
	s = (s & 0xFFFF) + (s >> 16);
	return (u16)~s;
}

bool parse_ipv4(const char *s, size_t n, u32 *out)
{
	u32 v = 0;
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		u32 x = 0, digits = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4)
			x = x * 10 + (u32)(s[i++] - '0'), digits++;
		if (!digits || x > 255)
			return false;
		v = v << 8 | x;
		if (part < 3 && (i >= n || s[i++] != '.'))
			return false;
	}
	if (i != n)
		return false;
	*out = htonl(v);
	return true;
}

bool ip_link_local(u32 ip)
{
	return (ntohl(ip) >> 16) == 0xA9FE;	/* 169.254 */
}

void fmt_mac(char *out, const u8 *m)
{
	snformat(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

void fmt_ip(char *out, u32 ip)
{
	u32 h = ntohl(ip);
	snformat(out, 16, "%u.%u.%u.%u", h >> 24, (h >> 16) & 255, (h >> 8) & 255, h & 255);
}

void mac_copy(u8 *d, const u8 *s)
{
	*(u32_ua *)d = *(const u32_ua *)s;
	*(u16_ua *)(d + 4) = *(const u16_ua *)(s + 4);
}

bool mac_eq(const u8 *a, const u8 *b)
{
	return *(const u32_ua *)a == *(const u32_ua *)b && *(const u16_ua *)(a + 4) == *(const u16_ua *)(b + 4);
}

bool mem_eq(const void *a, const void *b, u32 len)
{
	const u8 *x = a, *y = b;
	for (; len >= 8; x += 8, y += 8, len -= 8)
		if (*(const u64_ua *)x != *(const u64_ua *)y)
			return false;
	for (; len; x++, y++, len--)
		if (*x != *y)
			return false;
	return true;
}

static const u8 broadcast[ETH_ALEN] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };

static u32 pad(u8 *buf, u32 len)
{
	if (len < ETH_ZLEN) {
		memset(net_frame(buf) + len, 0, ETH_ZLEN - len);
		len = ETH_ZLEN;
	}
	return len;
}

u32 net_build_arp(struct net *n, u8 *buf, u16 op, const u8 *tha, u32 tpa)
{
	struct eth_hdr *e = net_eth(buf);
	struct arp_pkt *a = (struct arp_pkt *)(e + 1);
	static const u8 zero[ETH_ALEN];
	mac_copy(e->dst, op == ARP_REQUEST ? broadcast : tha);
	mac_copy(e->src, n->mac);
	e->type = htons(ETH_P_ARP);
	a->htype = htons(1);
	a->ptype = htons(ETH_P_IP);
	a->hlen = ETH_ALEN;
	a->plen = 4;
	a->op = htons(op);
	mac_copy(a->sha, n->mac);
	a->spa = n->ip;
	mac_copy(a->tha, op == ARP_REQUEST ? zero : tha);
	a->tpa = tpa;
	return pad(buf, ETH_HLEN + sizeof(*a));
}

/* Ethernet + IPv4 headers to dmac/dip for `l4` bytes above IP. */
static struct ip_hdr *ip_fill(struct net *n, u8 *buf, const u8 *dmac, u32 dip, u8 proto, u32 l4)
{
	struct eth_hdr *e = net_eth(buf);
	struct ip_hdr *ip = net_ip(buf);
	mac_copy(e->dst, dmac);
	mac_copy(e->src, n->mac);
	e->type = htons(ETH_P_IP);
	ip->vihl = 0x45;
	ip->tos = 0;
	ip->len = htons((u16)(sizeof(*ip) + l4));
	ip->id = htons(n->ip_id++);
	ip->frag = htons(IP_DF);
	ip->ttl = 64;
	ip->proto = proto;
	ip->csum = 0;
	ip->src = n->ip;
	ip->dst = dip;
	ip->csum = csum_fold(csum_add(0, ip, sizeof(*ip)));
	return ip;
}

u32 net_build_ping(struct net *n, u8 *buf, u16 id, u16 seq, u32 plen)
{
	struct ip_hdr *ip = ip_fill(n, buf, n->hostmac, n->hostip, IP_PROTO_ICMP, sizeof(struct icmp_hdr) + plen);
	struct icmp_hdr *ic = (struct icmp_hdr *)(ip + 1);
	*ic = (struct icmp_hdr){ ICMP_ECHO_REQUEST, 0, 0, htons(id), htons(seq) };
	ic->csum = csum_fold(csum_add(0, ic, sizeof(*ic) + plen));
	return pad(buf, ETH_HLEN + sizeof(*ip) + sizeof(*ic) + plen);
}

u32 net_build_udp(struct net *n, u8 *buf, const u8 *dmac, u32 dip, u16 sport, u16 dport, u32 plen)
{
	struct ip_hdr *ip = ip_fill(n, buf, dmac, dip, IP_PROTO_UDP, sizeof(struct udp_hdr) + plen);
	struct udp_hdr *u = (struct udp_hdr *)(ip + 1);
	*u = (struct udp_hdr){ htons(sport), htons(dport), htons((u16)(sizeof(*u) + plen)), 0 };
	return pad(buf, ETH_HLEN + sizeof(*ip) + sizeof(*u) + plen);
}

u32 net_ip_ok(struct net *n, u8 *buf, u32 len)
{
	if (len < ETH_HLEN + sizeof(struct ip_hdr))
		return 0;
	struct ip_hdr *ip = net_ip(buf);
	u32 ihl = (ip->vihl & 15u) * 4, tot = ntohs(ip->len);
	if (ip->vihl >> 4 != 4 || ihl < sizeof(*ip) || tot < ihl || ETH_HLEN + tot > len)
		return 0;
	if (ip->frag & htons(0x3FFF))	/* MF or an offset: we do not reassemble */
		return 0;
	if (csum_fold(csum_add(0, ip, ihl))) {
		n->bad_csum++;
		return 0;
	}
	return ihl;
}

bool net_answer(struct net *n, u8 *buf, u32 len, void *unused)
{
	(void)unused;
	struct eth_hdr *e = net_eth(buf);
	if (e->type == htons(ETH_P_ARP)) {
		struct arp_pkt *a = (struct arp_pkt *)(e + 1);
		if (len < ETH_HLEN + sizeof(*a) || a->htype != htons(1) || a->ptype != htons(ETH_P_IP) ||
		    a->hlen != ETH_ALEN || a->plen != 4)
			return false;
		if (n->hostip && a->spa == n->hostip) {
			mac_copy(n->hostmac, a->sha);
			n->hostmac_ok = true;
		}
		if (a->op != htons(ARP_REQUEST) || !n->ip || a->tpa != n->ip || !ip_link_local(a->spa))
			return false;
		/* RFC 826: swap in place, our address as the sender. */
		mac_copy(e->dst, a->sha);
		mac_copy(e->src, n->mac);
		a->op = htons(ARP_REPLY);
		mac_copy(a->tha, a->sha);
		a->tpa = a->spa;
		mac_copy(a->sha, n->mac);
		a->spa = n->ip;
		n->arp_answered++;
		net_send(n, buf, pad(buf, len));
		return true;
	}
	if (e->type != htons(ETH_P_IP) || !mac_eq(e->dst, n->mac))
		return false;
	u32 ihl = net_ip_ok(n, buf, len);
	if (!ihl)
		return false;
	struct ip_hdr *ip = net_ip(buf);
	struct icmp_hdr *ic = (struct icmp_hdr *)((u8 *)ip + ihl);
	if (ip->proto != IP_PROTO_ICMP || !n->ip || ip->dst != n->ip || !ip_link_local(ip->src) ||
	    ntohs(ip->len) < ihl + sizeof(*ic) || ic->type != ICMP_ECHO_REQUEST || ic->code)
		return false;
	/* Echo reply (RFC 792): swap addresses (the IP checksum does not
	 * change: the sum is the same), type 0, and mend the ICMP checksum
	 * for that one word incrementally, RFC 1624 eqn. 3:
	 * HC' = ~(~HC + ~m + m'). */
	mac_copy(e->dst, e->src);
	mac_copy(e->src, n->mac);
	u32 t = ip->src;
	ip->src = ip->dst;
	ip->dst = t;
	u16 m = *(u16_ua *)ic;
	ic->type = ICMP_ECHO_REPLY;
	u16 m2 = *(u16_ua *)ic;
	ic->csum = csum_fold((u64)(u16)~ic->csum + (u16)~m + m2);
	n->icmp_answered++;
	net_send(n, buf, len);
	return true;
}

const char *net_resolve(struct net *n, u64 ticks)
{
	static char why[120];
	if (!n->hostip || !n->ip)
		return "no guest.hostip= to resolve";
	u64 until = pit_ticks + ticks, next = pit_ticks;
	unsigned tries = 0;
	while (!n->hostmac_ok) {
		if (pit_ticks >= until) {
			char ip[16];
			fmt_ip(ip, n->hostip);
			snformat(why, sizeof(why), "no ARP reply from %s to %u requests in %lu s", ip, tries, ticks / NET_HZ);
			return why;
		}
		if (pit_ticks >= next) {
			net_tx_reap(n);
			u8 *b = net_buf_get(n);
			if (b) {
				net_send(n, b, net_build_arp(n, b, ARP_REQUEST, NULL, n->hostip));
				net_tx_kick(n);
				tries++;
			}
			next = pit_ticks + NET_HZ;
		}
		const char *w = net_wait(n, MIN(next, until) - pit_ticks);
		if (w)
			return w;
		net_tx_reap(n);
		net_rx_poll(n, net_answer, NULL);
	}
	return NULL;
}
