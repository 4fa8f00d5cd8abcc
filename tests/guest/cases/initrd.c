/*
 * initrd: boot.rst, ramdisk_image/ramdisk_size (with their ext_ high halves
 * in the zero page since protocol 2.12). With guest.initrd=<sum64>:<size>
 * the harness says what it loaded; the loader must have put all of it,
 * unchanged, in usable RAM that nothing else of ours occupies, and (for a
 * bzImage) below the initrd_addr_max our header asks for.
 */
#include "boot.h"
#include "lib.h"
#include "test.h"

/* Formats the reason into why and returns it, so a check reads as one line. */
static const char *say(char *why, size_t n, const char *fmt, ...) __printf(3, 4);
static const char *say(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnformat(why, n, fmt, ap);
	va_end(ap);
	return why;
}

static const char *placement(u64 addr, u64 size, char *why, size_t n)
{
	if (addr + size < addr || addr + size > IDENTITY_LIMIT)
		return say(why, n, "initrd [0x%lx,0x%lx) reaches above 4 GiB, beyond our map", addr, addr + size);
	if (!e820_is_usable(addr, addr + size))
		return say(why, n, "initrd [0x%lx,0x%lx) is not inside usable e820 RAM", addr, addr + size);
	if (ranges_overlap(addr, size, boot.load, boot.init_size))
		return say(why, n, "initrd [0x%lx,0x%lx) overlaps the image [0x%lx,0x%lx)", addr, addr + size,
				boot.load, boot.load + boot.init_size);
	u64 zlen = boot.kind == KIND_PVH ? sizeof(struct hvm_start_info) : 4096;
	if (ranges_overlap(addr, size, boot.zp_addr, zlen))
		return say(why, n, "initrd [0x%lx,0x%lx) overlaps the zero page at 0x%lx", addr, addr + size,
				boot.zp_addr);
	if (boot.cmdline && ranges_overlap(addr, size, boot.cmdline_addr, boot.cmdline_len + 1))
		return say(why, n, "initrd [0x%lx,0x%lx) overlaps the command line at 0x%lx", addr, addr + size,
				boot.cmdline_addr);
	bool bz = boot.kind == KIND_BZ64 || boot.kind == KIND_BZ16 || boot.kind == KIND_BZ32;
	if (bz && addr + size - 1 > BOOT_INITRD_ADDR_MAX)
		return say(why, n, "initrd ends at 0x%lx, above initrd_addr_max 0x%x", addr + size - 1,
				BOOT_INITRD_ADDR_MAX);
	return NULL;
}

static void run_initrd(void)
{
	u64 addr = bp_ramdisk_addr(), size = bp_ramdisk_size();
	char why[200];
	size_t vlen;
	const char *v = cmdline_param("guest.initrd", &vlen);
	if (!v) {
		if (!size)
			return ok("no guest.initrd=, no initrd");
		if (placement(addr, size, why, sizeof(why)))
			return fail("%s", why);
		return ok("no guest.initrd=: initrd at 0x%lx, %lu bytes, sum64 %016lx", addr, size,
			  sum64(phys(addr), size));
	}
	u64 want_sum, want_size;
	if (vlen < 18 || v[16] != ':' || !parse_hex64(v, 16, &want_sum) || !parse_u64(v + 17, vlen - 17, &want_size))
		return fail("guest.initrd=%.*s: expected <16 hex digits>:<decimal size>", (int)vlen, v);
	if (!addr || !size)
		return fail("no initrd in boot_params (ramdisk_image 0x%lx, ramdisk_size %lu), expected %lu bytes", addr,
			    size, want_size);
	if (size != want_size)
		return fail("ramdisk_size %lu, expected %lu", size, want_size);
	if (placement(addr, size, why, sizeof(why)))
		return fail("%s", why);
	u64 got = sum64(phys(addr), size);
	if (got != want_sum)
		return fail("sum64 of the initrd at 0x%lx is %016lx, expected %016lx", addr, got, want_sum);
	ok("initrd at 0x%lx, %lu bytes, sum64 matches", addr, size);
}
GUEST_TEST(50, initrd, run_initrd, 0);
