/*
 * virtio-blk (virtio-v1.2 5.2), every block device on bus 0, in slot order
 * (disk n is the n-th). For each:
 *   capacity from the configuration space       -> "BLK<n> capacity <sectors>"
 *   GET_ID, as a direct chain                    -> "BLK<n> id <serial>"
 *   read sectors 0..7                            -> "BLK<n> sum64 <16 hex>"
 *     (sum64 of those 4096 bytes, README.md "sum64": the host compares it
 *     with the first 4 KiB of the file)
 *   writable: write sectors 8..15 with word i = (seed + n) * 0x9E3779B97F4A7C15
 *     + i (seed from guest.blkseed=, default 1), FLUSH (if offered), read
 *     them back, compare; the host finds the pattern in the file afterwards
 *   VIRTIO_BLK_F_RO: the same write must fail with IOERR and sectors 8..15
 *     must read back as before
 *   a read of sector <capacity> must fail with IOERR.
 * Data requests go through indirect descriptors when those were negotiated.
 */
#include "heap.h"
#include "irq.h"
#include "lib.h"
#include "test.h"
#include "virtio.h"
#include "virtio_blk.h"

#define WAIT_TICKS 500		/* 5 s at 100 Hz: a flush is an fdatasync */
#define PATTERN_K 0x9E3779B97F4A7C15ul

struct io {
	struct virtio_blk_req hdr;
	u8 status;
} __attribute__((aligned(64)));

static char why[200];

static const char *status_name(u8 s)
{
	switch (s) {
	case VIRTIO_BLK_S_OK: return "OK";
	case VIRTIO_BLK_S_IOERR: return "IOERR";
	case VIRTIO_BLK_S_UNSUPP: return "UNSUPP";
	case VIRTIO_BLK_STATUS_POISON: return "untouched";
	}
	return "unknown";
}

/* One request; *status gets the device's status byte. NULL, or why the
 * transport failed (timeout, bad used length). */
static const char *request(struct vq *q, struct io *io, u32 type, u64 sector, void *data, u32 len, unsigned flags,
			   u8 *status)
{
	io->hdr = (struct virtio_blk_req){ type, 0, sector };
	io->status = VIRTIO_BLK_STATUS_POISON;
	struct vbuf b[3];
	unsigned n = 0;
	bool in = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	b[n++] = (struct vbuf){ (u64)&io->hdr, sizeof(io->hdr), false };
	if (len)
		b[n++] = (struct vbuf){ (u64)data, len, in };
	b[n++] = (struct vbuf){ (u64)&io->status, 1, true };
	u32 used;
	const char *w = vq_roundtrip(q, b, n, flags, &used, WAIT_TICKS);
	if (w)
		return w;
	u32 writable = 1 + (in ? len : 0);
	if (used > writable) {
		snformat(why, sizeof(why), "used length %u, but only %u bytes were writable", used, writable);
		return why;
	}
	*status = io->status;
	return NULL;
}

static void fill(u64 *w, u64 seed)
{
	u64 base = seed * PATTERN_K;
	for (u64 i = 0; i < 512; i++)
		w[i] = base + i;
}

/* Index of the first differing 8-byte word, or -1. */
static long differ(const u64 *a, const u64 *b)
{
	for (long i = 0; i < 512; i++)
		if (a[i] != b[i])
			return i;
	return -1;
}

static void print_id(unsigned n, const u8 *id)
{
	char s[VIRTIO_BLK_ID_BYTES + 1];
	unsigned k = 0;
	for (; k < VIRTIO_BLK_ID_BYTES && id[k]; k++)
		s[k] = (id[k] >= 0x20 && id[k] < 0x7F) ? (char)id[k] : '?';
	s[k] = 0;
	printk("BLK%u id %s\n", n, s);
}

#define TRY(what, call)                                                                   \
	do {                                                                              \
		const char *_w = (call);                                                  \
		if (_w) {                                                                 \
			snformat(why, sizeof(why), "BLK%u %s: %s", n, what, _w);          \
			return why;                                                       \
		}                                                                         \
	} while (0)
#define EXPECT(what, st, want)                                                            \
	do {                                                                              \
		if ((st) != (want)) {                                                     \
			snformat(why, sizeof(why), "BLK%u %s: status %u (%s), expected %s", n, what, \
				 st, status_name(st), status_name(want));                 \
			return why;                                                       \
		}                                                                         \
	} while (0)

static const char *one_disk(unsigned n, struct vdev *d, u64 seed, char *summary, size_t slen)
{
	u64 want = FEAT(VIRTIO_BLK_F_SIZE_MAX) | FEAT(VIRTIO_BLK_F_SEG_MAX) | FEAT(VIRTIO_BLK_F_RO) |
		   FEAT(VIRTIO_BLK_F_BLK_SIZE) | FEAT(VIRTIO_BLK_F_FLUSH);
	TRY("start", virtio_start(d, want, 1));
	if (!d->devcfg.present)
		TRY("config", "no device configuration capability");
	struct vq *q = &d->vq[0];
	bool ro = d->features & FEAT(VIRTIO_BLK_F_RO), flush = d->features & FEAT(VIRTIO_BLK_F_FLUSH);
	u64 cap = virtio_cfg_read64(d, VBLK_CFG_CAPACITY);
	printk("BLK%u capacity %lu\n", n, cap);
	if (cap < 16) {
		snformat(why, sizeof(why), "BLK%u capacity %lu sectors, need at least 16", n, cap);
		return why;
	}

	struct io *io = heap_alloc(sizeof(*io), 64);
	u64 *wbuf = heap_alloc_raw(4096, 4096), *rbuf = heap_alloc_raw(4096, 4096);
	u8 *id = heap_alloc(64, 64);
	if (!io || !wbuf || !rbuf || !id)
		TRY("buffers", "out of heap");
	u8 st;

	TRY("GET_ID", request(q, io, VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES, VQ_POST_DIRECT, &st));
	if (st == VIRTIO_BLK_S_OK)
		print_id(n, id);
	else if (st == VIRTIO_BLK_S_UNSUPP)
		printk("BLK%u id (GET_ID unsupported)\n", n);
	else
		EXPECT("GET_ID", st, VIRTIO_BLK_S_OK);

	TRY("read 0..7", request(q, io, VIRTIO_BLK_T_IN, 0, rbuf, 4096, 0, &st));
	EXPECT("read 0..7", st, VIRTIO_BLK_S_OK);
	printk("BLK%u sum64 %016lx\n", n, sum64(rbuf, 4096));

	fill(wbuf, seed + n);
	if (!ro) {
		TRY("write 8..15", request(q, io, VIRTIO_BLK_T_OUT, 8, wbuf, 4096, 0, &st));
		EXPECT("write 8..15", st, VIRTIO_BLK_S_OK);
		if (flush) {
			TRY("FLUSH", request(q, io, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0, &st));
			EXPECT("FLUSH", st, VIRTIO_BLK_S_OK);
		}
		memset(rbuf, 0, 4096);
		TRY("read 8..15", request(q, io, VIRTIO_BLK_T_IN, 8, rbuf, 4096, 0, &st));
		EXPECT("read 8..15", st, VIRTIO_BLK_S_OK);
		long at = differ(rbuf, wbuf);
		if (at >= 0) {
			snformat(why, sizeof(why), "BLK%u sectors 8..15 read back differ at word %ld: 0x%lx, wrote 0x%lx",
				 n, at, rbuf[at], wbuf[at]);
			return why;
		}
	} else {
		u64 *before = heap_alloc_raw(4096, 4096);
		if (!before)
			TRY("buffers", "out of heap");
		TRY("read 8..15", request(q, io, VIRTIO_BLK_T_IN, 8, before, 4096, 0, &st));
		EXPECT("read 8..15", st, VIRTIO_BLK_S_OK);
		TRY("write 8..15 (read-only)", request(q, io, VIRTIO_BLK_T_OUT, 8, wbuf, 4096, 0, &st));
		EXPECT("write 8..15 (read-only)", st, VIRTIO_BLK_S_IOERR);
		TRY("read 8..15 again", request(q, io, VIRTIO_BLK_T_IN, 8, rbuf, 4096, 0, &st));
		EXPECT("read 8..15 again", st, VIRTIO_BLK_S_OK);
		long at = differ(rbuf, before);
		if (at >= 0) {
			snformat(why, sizeof(why), "BLK%u read-only, yet sectors 8..15 changed at word %ld", n, at);
			return why;
		}
	}

	TRY("read past the end", request(q, io, VIRTIO_BLK_T_IN, cap, rbuf, 512, 0, &st));
	EXPECT("read of sector <capacity>", st, VIRTIO_BLK_S_IOERR);

	snformat(summary, slen, "BLK%u %lu sectors %s%s%s", n, cap, ro ? "ro" : "rw",
		 ro ? "" : flush ? " flushed" : " (no FLUSH offered)", q->indirect ? " indirect" : "");
	virtio_reset(d);
	return NULL;
}

static void run_virtio_blk(void)
{
	if (!virtio_find(VIRTIO_ID_BLOCK, 0))
		return fail("no virtio block device on bus 0");
	u64 seed = 1;
	size_t vlen;
	const char *v = cmdline_param("guest.blkseed", &vlen);
	if (v && !parse_u64(v, vlen, &seed))
		return fail("guest.blkseed=%.*s is not a decimal number", (int)vlen, v);
	const char *w = clock_start(100);
	if (w)
		return fail("%s", w);
	char all[300] = "", one[100];
	size_t used = 0;
	unsigned n = 0;
	for (struct vdev *d; (d = virtio_find(VIRTIO_ID_BLOCK, n)); n++) {
		if ((w = one_disk(n, d, seed, one, sizeof(one))))
			return fail("%s", w);
		if (used < sizeof(all))
			used += (size_t)snformat(all + used, sizeof(all) - used, "%s%s", n ? ", " : "", one);
	}
	ok("%u disk%s, seed %lu: %s", n, n == 1 ? "" : "s", seed, all);
}
GUEST_TEST_AS(86, virtio_blk, "virtio-blk", run_virtio_blk, TEST_NEEDS(VIRTIO_ID_BLOCK));
