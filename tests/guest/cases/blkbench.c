/*
 * blkbench (only by name): block throughput on disk 0 for issue 3's
 * benchmark, built so that the VMM's cost shows rather than ours. Every
 * request's descriptors are laid out once; the hot loop only rewrites a
 * sector number, puts a head back in the avail ring and, when the device
 * asks for it (event idx, or NO_NOTIFY), rings the doorbell. Completions
 * come by interrupt (event idx when offered: one interrupt per batch); we
 * halt while nothing is used. No data is checked, only status bytes.
 *
 *   guest.bench=seqread|seqwrite|randread   (required)
 *   guest.benchmb=<MiB>     region: the first N MiB of disk 0 (default 64)
 *   guest.benchkb=<KiB>     sequential request size (default 256)
 *   guest.benchios=<n>      randread: number of 4 KiB reads (default: region / 4 KiB)
 *   guest.benchdepth=<n>    requests in flight (default: all the queue holds)
 *   guest.benchseg=<KiB>    data descriptor size (default: the whole request,
 *                           split further when the device's size_max asks)
 *   guest.benchpasses=<n>   seqread/seqwrite: go over the region n times (default 1)
 *
 * Output: "BENCH <mode> start" just before the first doorbell and
 * "BENCH <mode> done bytes=<n> requests=<n>" after the last completion;
 * the host times the interval between the two lines.
 */
#include "heap.h"
#include "irq.h"
#include "lib.h"
#include "test.h"
#include "virtio.h"
#include "virtio_blk.h"

#define BENCH_HZ 20		/* the PIT only guards against a stall */
#define STALL_TICKS 200		/* 10 s without a completion */
#define LCG_MUL 6364136223846793005ul
#define LCG_ADD 1442695040888963407ul

static u64 param(const char *key, u64 dflt, bool *bad)
{
	size_t n;
	const char *v = cmdline_param(key, &n);
	u64 x = dflt;
	if (v && (!parse_u64(v, n, &x) || !x))
		*bad = true;
	return x;
}

static void run_blkbench(void)
{
	size_t mlen;
	const char *mode = cmdline_param("guest.bench", &mlen);
	if (!mode)
		return fail("guest.bench= is missing (seqread, seqwrite or randread)");
	bool rnd = mlen == 8 && !strncmp(mode, "randread", 8);
	bool wr = mlen == 8 && !strncmp(mode, "seqwrite", 8);
	if (!rnd && !wr && !(mlen == 7 && !strncmp(mode, "seqread", 7)))
		return fail("guest.bench=%.*s: expected seqread, seqwrite or randread", (int)mlen, mode);
	bool bad = false;
	u64 region = param("guest.benchmb", 64, &bad) << 20;
	u64 reqb = rnd ? 4096 : param("guest.benchkb", 256, &bad) << 10;
	u64 passes = rnd ? 1 : param("guest.benchpasses", 1, &bad);
	u64 ios = rnd ? param("guest.benchios", region / 4096, &bad) : region / reqb * passes;
	u64 depth_max = param("guest.benchdepth", ~0ul, &bad);
	u64 segb = param("guest.benchseg", reqb >> 10, &bad) << 10;
	if (bad)
		return fail("a guest.bench* parameter is not a positive decimal number");
	if (reqb > region || region % reqb || segb > reqb || reqb % segb)
		return fail("request %lu KiB must divide the region (%lu MiB), segment %lu KiB the request", reqb >> 10,
			    region >> 20, segb >> 10);

	struct vdev *d = virtio_find(VIRTIO_ID_BLOCK, 0);
	if (!d)
		return fail("no virtio block device on bus 0");
	const char *w = clock_start(BENCH_HZ);
	if (w)
		return fail("%s", w);
	u64 want = FEAT(VIRTIO_BLK_F_SIZE_MAX) | FEAT(VIRTIO_BLK_F_SEG_MAX) | FEAT(VIRTIO_BLK_F_RO);
	if ((w = virtio_start(d, want, 1)))
		return fail("00:%02x.%u: %s", d->slot, d->fn, w);
	if (wr && (d->features & FEAT(VIRTIO_BLK_F_RO)))
		return fail("disk 0 is read-only");
	u64 cap = virtio_cfg_read64(d, VBLK_CFG_CAPACITY);
	if (cap < region / 512)
		return fail("disk 0 has %lu sectors, the region needs %lu", cap, region / 512);
	if (d->features & FEAT(VIRTIO_BLK_F_SIZE_MAX)) {
		u64 smax = virtio_cfg_read32(d, VBLK_CFG_SIZE_MAX);
		while (smax && segb > smax && !(segb & 1023))
			segb >>= 1;
	}
	u64 nseg = reqb / segb;
	if ((d->features & FEAT(VIRTIO_BLK_F_SEG_MAX)) && nseg > virtio_cfg_read32(d, VBLK_CFG_SEG_MAX))
		return fail("%lu segments per request, the device takes %u", nseg, virtio_cfg_read32(d, VBLK_CFG_SEG_MAX));

	struct vq *q = &d->vq[0];
	u64 per = 2 + nseg;		/* descriptors per request */
	if (!q->indirect && per > q->size)
		return fail("a request needs %lu descriptors, the queue has %u and no indirect ones", per, q->size);
	u64 depth = q->indirect ? q->size : q->size / per;
	depth = MIN(MIN(depth, depth_max), ios);

	struct virtio_blk_req *hdr = heap_alloc(depth * sizeof(*hdr), 64);
	u8 *status = heap_alloc(depth, 64);
	u8 *data = heap_alloc_raw(reqb, 4096);
	struct vring_desc *tab = q->indirect ? heap_alloc_raw(depth * per * sizeof(*tab), 16) : q->desc;
	if (!hdr || !status || !data || !tab)
		return fail("out of heap for %lu requests of %lu KiB", depth, reqb >> 10);

	/* Every request's chain, once: header, data segments, status. */
	u32 type = wr ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
	u16 dflag = wr ? 0 : VRING_DESC_F_WRITE;
	for (u64 r = 0; r < depth; r++) {
		struct vring_desc *t = tab + r * per;
		u16 base = q->indirect ? 0 : (u16)(r * per);
		hdr[r] = (struct virtio_blk_req){ type, 0, 0 };
		t[0] = (struct vring_desc){ (u64)&hdr[r], sizeof(hdr[r]), VRING_DESC_F_NEXT, (u16)(base + 1) };
		for (u64 s = 0; s < nseg; s++)
			t[1 + s] = (struct vring_desc){ (u64)data + s * segb, (u32)segb, (u16)(dflag | VRING_DESC_F_NEXT),
							(u16)(base + 2 + s) };
		t[per - 1] = (struct vring_desc){ (u64)&status[r], 1, VRING_DESC_F_WRITE, 0 };
		if (q->indirect)
			q->desc[r] = (struct vring_desc){ (u64)t, (u32)(per * sizeof(*t)), VRING_DESC_F_INDIRECT, 0 };
	}
	u16 head_div = q->indirect ? 1 : (u16)per;
	u64 step = reqb / 512, blocks = region / 4096, per_pass = region / reqb, x = 0x2545F4914F6CDD1Dul;

	u64 issued = 0, completed = 0, errors = 0;
	u8 first_bad = 0;
	for (; issued < depth; issued++) {
		if (rnd) {
			x = x * LCG_MUL + LCG_ADD;
			hdr[issued].sector = ((x >> 33) % blocks) * 8;
		} else {
			hdr[issued].sector = issued % per_pass * step;
		}
		q->avail->ring[q->avail_idx++ & q->mask] = (u16)(issued * head_div);
	}
	printk("BENCH %.*s start\n", (int)mlen, mode);
	vq_arm(q);
	vq_kick(q);

	volatile u16 *used_idx = &q->used->idx;
	u64 last_progress = pit_ticks;
	while (completed < ios) {
		u16 u = *used_idx;
		if (u == q->last_used) {
			if (pit_ticks - last_progress > STALL_TICKS)
				break;
			sti_hlt();
			cli();
			continue;
		}
		barrier();
		do {
			u32 id = q->used->ring[q->last_used++ & q->mask].id;
			u64 r = id / head_div;
			if (status[r] != VIRTIO_BLK_S_OK && !errors++)
				first_bad = status[r];
			completed++;
			if (issued < ios) {
				if (rnd) {
					x = x * LCG_MUL + LCG_ADD;
					hdr[r].sector = ((x >> 33) % blocks) * 8;
				} else {
					hdr[r].sector = issued % per_pass * step;
				}
				q->avail->ring[q->avail_idx++ & q->mask] = (u16)id;
				issued++;
			}
		} while (q->last_used != u);
		last_progress = pit_ticks;
		vq_kick(q);
		vq_arm(q);
	}
	if (completed < ios)
		return fail("stalled: %lu of %lu requests completed, nothing for 10 s (%lu interrupts)", completed, ios,
			    q->irqs);
	printk("BENCH %.*s done bytes=%lu requests=%lu\n", (int)mlen, mode, ios * reqb, ios);
	if (errors)
		return fail("%lu requests failed, the first with status %u", errors, first_bad);
	ok("%lu x %lu KiB, %lu in flight, %lu segment%s each, %s, %lu interrupts, %lu doorbells%s", ios, reqb >> 10,
	   depth, nseg, nseg == 1 ? "" : "s", q->indirect ? "indirect" : "direct", q->irqs, q->kicks,
	   q->event_idx ? ", event idx" : "");
}
GUEST_TEST(92, blkbench, run_blkbench, TEST_EXPLICIT);
