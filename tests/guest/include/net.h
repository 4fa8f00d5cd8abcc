/*
 * virtio-net from the driver's side (virtio-v1.2 5.1) and just enough of a
 * network stack above it to talk to the host end of a tap: Ethernet II,
 * ARP (RFC 826), IPv4 (RFC 791) with its header checksum (RFC 1071), ICMP
 * echo (RFC 792) and UDP (RFC 768).
 *
 * The driver takes VERSION_1, MAC and MRG_RXBUF and nothing else of 5.1.3:
 * no checksum or segmentation offload, so every frame either way is a
 * plain, fully checksummed Ethernet frame behind a 12-byte virtio_net_hdr
 * that is all zeroes on transmit. Buffers are NET_BUF bytes, enough for
 * the header and the largest frame a 1500-byte MTU allows, so a received
 * packet never spans buffers even when mergeable buffers are negotiated.
 *
 * Frames are handled in place ("zero copy"): a receive buffer that holds
 * an ARP request, an echo request or a datagram to echo is rewritten and
 * handed to the transmit queue as it is, and comes back to the pool when
 * the device has sent it.
 *
 * Addresses are link-local only (169.254.0.0/16): the guest refuses any
 * other guest.ip= or guest.hostip=, and answers nobody outside that range.
 */
#ifndef NET_H
#define NET_H
#include "types.h"
#include "virtio.h"

/* 5.1.3 Feature bits (the ones we name). */
#define VIRTIO_NET_F_CSUM	0
#define VIRTIO_NET_F_GUEST_CSUM	1
#define VIRTIO_NET_F_MAC	5
#define VIRTIO_NET_F_MRG_RXBUF	15
#define VIRTIO_NET_F_STATUS	16

/* 5.1.4 Device configuration layout. */
#define VNET_CFG_MAC		0	/* u8 mac[6] */
#define VNET_CFG_STATUS		6	/* u16, with VIRTIO_NET_F_STATUS */

/* 5.1.2 Virtqueues: receiveq1 and transmitq1 are all we use. */
#define NET_RXQ	0
#define NET_TXQ	1

/* 5.1.6 Device Operation: the header before every packet. With VERSION_1
 * it always has num_buffers, so it is 12 bytes either way. */
struct virtio_net_hdr {
	u8 flags;
	u8 gso_type;
	u16 hdr_len;
	u16 gso_size;
	u16 csum_start;
	u16 csum_offset;
	u16 num_buffers;
} __packed;
#define VNET_HDR_LEN		12
#define VNET_HDR_F_NEEDS_CSUM	1
#define VNET_HDR_F_DATA_VALID	2

#define ETH_ALEN	6
#define ETH_HLEN	14
#define ETH_ZLEN	60	/* minimum frame without FCS: we pad short ones */
#define ETH_FRAME_MAX	1514	/* 1500-byte MTU + header */
#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806
#define IP_PROTO_ICMP	1
#define IP_PROTO_UDP	17
#define UDP_PAYLOAD_MAX	1472	/* 1500 - 20 (IPv4) - 8 (UDP): no fragments */
#define NET_BUF		2048	/* header + ETH_FRAME_MAX, rounded up */
#define NET_HZ		100	/* the clock every network test runs (clock_start) */

/* Wire formats, big-endian fields, packed: a frame sits 12 bytes into its
 * buffer, so nothing here is naturally aligned (x86 does not mind). */
struct eth_hdr {
	u8 dst[ETH_ALEN];
	u8 src[ETH_ALEN];
	u16 type;
} __packed;

struct arp_pkt {
	u16 htype, ptype;
	u8 hlen, plen;
	u16 op;
	u8 sha[ETH_ALEN];
	u32 spa;
	u8 tha[ETH_ALEN];
	u32 tpa;
} __packed;
#define ARP_REQUEST	1
#define ARP_REPLY	2

struct ip_hdr {
	u8 vihl, tos;
	u16 len, id, frag;
	u8 ttl, proto;
	u16 csum;
	u32 src, dst;
} __packed;
#define IP_DF	0x4000

struct icmp_hdr {
	u8 type, code;
	u16 csum;
	u16 id, seq;
} __packed;
#define ICMP_ECHO_REPLY		0
#define ICMP_ECHO_REQUEST	8

struct udp_hdr {
	u16 sport, dport, len, csum;
} __packed;

static inline u16 htons(u16 x) { return __builtin_bswap16(x); }
static inline u16 ntohs(u16 x) { return __builtin_bswap16(x); }
static inline u32 htonl(u32 x) { return __builtin_bswap32(x); }
static inline u32 ntohl(u32 x) { return __builtin_bswap32(x); }

/* Where the headers of a frame in a buffer are. */
static inline u8 *net_frame(u8 *buf) { return buf + VNET_HDR_LEN; }
static inline struct eth_hdr *net_eth(u8 *buf) { return (struct eth_hdr *)(buf + VNET_HDR_LEN); }
static inline struct ip_hdr *net_ip(u8 *buf) { return (struct ip_hdr *)(buf + VNET_HDR_LEN + ETH_HLEN); }

/* One virtio-net device and our end of the link. */
struct net {
	struct vdev *d;
	struct vq *rx, *tx;
	u8 mac[ETH_ALEN];
	bool mac_given;			/* VIRTIO_NET_F_MAC: else we made one up */
	bool mrg;			/* VIRTIO_NET_F_MRG_RXBUF negotiated */
	u32 ip, hostip;			/* network order; 0 when not given */
	u8 hostmac[ETH_ALEN];
	bool hostmac_ok;
	u16 ip_id;

	/* Buffers: a pool of NET_BUF-byte buffers, the buffer behind each
	 * posted head, and the heads not posted (both queues). */
	u8 **pool;
	unsigned npool, pool_total;
	u8 **rxbuf, **txbuf;
	u16 *rx_heads, *tx_heads;
	unsigned rx_nheads, tx_nheads;
	bool tx_posted;			/* something to kick */
	/* Frames waiting for a transmit slot, in order (a FIFO). */
	u8 **bl_buf;
	u16 *bl_len;
	unsigned bl_head, bl_n;

	/* Counters. */
	u64 rx_frames, tx_frames, tx_done;
	u64 arp_answered, icmp_answered;
	u64 rx_dropped;			/* too short, or spread over buffers */
	u64 bad_csum;			/* IPv4, ICMP or UDP checksums that fail */
	u64 errors;			/* rule breaks by the device: see err */
	char err[120];			/* the first of them */
};

/* lib/virtio_net.c: the driver. */
/* guest.ip= and guest.hostip= (both optional here; hostip without ip gives
 * ip = hostip + 1). NULL, or why they are unusable. */
const char *net_params(struct net *n);
/* Start the first virtio-net device (the clock must run), read or make up
 * the MAC, fill the receive queue. NULL, or why not. */
const char *net_open(struct net *n);
u8 *net_buf_get(struct net *n);			/* a free buffer, or NULL */
void net_buf_put(struct net *n, u8 *buf);
/* Queue a frame of len bytes at net_frame(buf) for transmission; the buffer
 * belongs to the driver until it is sent, then returns to the pool. Frames
 * go out in the order given (waiting in a backlog while the ring is full).
 * Visible to the device at the next net_tx_kick(). */
void net_send(struct net *n, u8 *buf, u32 len);
void net_tx_kick(struct net *n);
/* Take back what the device sent, feed the backlog. Returns frames taken. */
unsigned net_tx_reap(struct net *n);
/* Hand each received frame to fn (buf, frame length); fn returns true if it
 * kept the buffer (sent it, say), false to give it back. Then refill the
 * receive queue and kick both queues. Returns frames seen. */
typedef bool (*net_rx_fn)(struct net *n, u8 *buf, u32 len, void *arg);
unsigned net_rx_poll(struct net *n, net_rx_fn fn, void *arg);
void net_rx_refill(struct net *n);
/* Ask for interrupts on both queues and sleep until either has a used
 * element or `ticks` clock ticks passed. NULL, or the clock's complaint. */
const char *net_wait(struct net *n, u64 ticks);
/* Record a rule the device broke (the first one's text is kept). */
void net_error(struct net *n, const char *fmt, ...) __printf(2, 3);

/* lib/net_proto.c: the protocols. */
/* RFC 1071 sum of len bytes added to `sum` (a partial sum, host order of
 * the little-endian loads); fold with csum_fold. */
u64 csum_add(u64 sum, const void *p, u32 len);
u16 csum_fold(u64 sum);				/* ~folded sum, as stored */
/* One more 64-bit word into a partial sum, end-around carry included. */
static inline u64 csum_word(u64 sum, u64 w)
{
	sum += w;
	return sum + (sum < w);
}
bool parse_ipv4(const char *s, size_t n, u32 *out);	/* network order */
bool ip_link_local(u32 ip);			/* 169.254.0.0/16 */
/* "aa:bb:cc:dd:ee:ff" and "a.b.c.d" into static-free buffers of 18/16. */
void fmt_mac(char *out, const u8 *mac);
void fmt_ip(char *out, u32 ip);
void mac_copy(u8 *d, const u8 *s);
bool mac_eq(const u8 *a, const u8 *b);
/* Word-wise equality of two byte ranges. */
bool mem_eq(const void *a, const void *b, u32 len);
/* Frame builders: write the headers at net_frame(buf), return the frame
 * length (padded to ETH_ZLEN). */
u32 net_build_arp(struct net *n, u8 *buf, u16 op, const u8 *tha, u32 tpa);
/* IPv4 + ICMP echo request with `plen` payload bytes already at
 * net_frame(buf) + 42, checksummed here. */
u32 net_build_ping(struct net *n, u8 *buf, u16 id, u16 seq, u32 plen);
/* IPv4 + UDP headers for `plen` payload bytes at net_frame(buf) + 42 (the
 * caller writes them before or after); UDP checksum 0 (none, RFC 768). */
u32 net_build_udp(struct net *n, u8 *buf, const u8 *dmac, u32 dip, u16 sport, u16 dport, u32 plen);
/* The responder every test shares: an ARP request for our address gets
 * its reply, an ARP reply from hostip teaches us its MAC, an ICMP echo
 * request to us gets its echo reply, all rewritten in place and sent.
 * Returns true if it kept (sent) the buffer. */
bool net_answer(struct net *n, u8 *buf, u32 len, void *unused);
/* Check an IPv4 frame: version, header length, total length within the
 * frame, not a fragment, header checksum (a bad one is counted in
 * bad_csum). Returns the IP header length, or 0. */
u32 net_ip_ok(struct net *n, u8 *buf, u32 len);
/* ARP for hostip until its reply (retrying each second), at most `ticks`. */
const char *net_resolve(struct net *n, u64 ticks);

#endif
