/* The driver heap; see include/heap.h. */
#include "boot.h"
#include "heap.h"
#include "lib.h"

static u64 start, end, cur;
static bool ready;

/* End of the usable e820 RAM that contains `at` (at itself if none). */
static u64 usable_end(u64 at)
{
	const struct e820_entry *e = bp_e820();
	unsigned n = bp_e820_count();
	for (unsigned step = 0; step <= n; step++) {
		bool moved = false;
		for (unsigned i = 0; i < n; i++) {
			if (e[i].type == E820_RAM && e[i].addr <= at && at < e[i].addr + e[i].size) {
				at = e[i].addr + e[i].size;
				moved = true;
				break;
			}
		}
		if (!moved)
			break;
	}
	return at;
}

static void cap_at(u64 addr)
{
	if (addr >= start && addr < end)
		end = addr & ~0xFFFul;
}

static void heap_init(void)
{
	ready = true;
	start = ALIGN_UP(boot.load + boot.init_size, 0x10000);
	end = MIN(usable_end(start), IDENTITY_LIMIT);
	/* Whatever the loader put above us stays untouched. */
	if (bp_ramdisk_size())
		cap_at(bp_ramdisk_addr());
	cap_at(boot.zp_addr);
	if (boot.cmdline)
		cap_at(boot.cmdline_addr);
	if (end < start)
		end = start;
	cur = start;
}

void *heap_alloc_raw(u64 size, u64 align)
{
	if (!ready)
		heap_init();
	u64 at = ALIGN_UP(cur, align);
	if (at < cur || at + size < at || at + size > end)
		return NULL;
	cur = at + size;
	return (void *)at;
}

void *heap_alloc(u64 size, u64 align)
{
	void *p = heap_alloc_raw(size, align);
	if (p)
		memset(p, 0, size);
	return p;
}

u64 heap_mark(void)
{
	if (!ready)
		heap_init();
	return cur;
}

void heap_release(u64 mark)
{
	if (ready && mark >= start && mark <= cur)
		cur = mark;
}

void heap_range(u64 *s, u64 *e)
{
	if (!ready)
		heap_init();
	*s = start;
	*e = end;
}
