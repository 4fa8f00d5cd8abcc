/*
 * bootparams: the zero page a loader built (boot.rst, "THE ZERO PAGE" and
 * "DETAILS OF HEADER FIELDS"). A bzImage loader copies our setup header
 * into it and writes its own answers next to it; everything it only copies
 * must still say what the build put there. An ELF loader has no header to
 * copy, and for PVH the zero page is ours, so those check what they can.
 */
#include "boot.h"
#include "lib.h"
#include "test.h"

struct field {
	const char *name;
	u16 off;
	u8 size;
	u64 want;
	int dynamic;	/* computed from our own size: 1 = syssize, 2 = init_size */
};

static const struct field copied[] = {
	{ "setup_sects", HDR_setup_sects, 1, SETUP_SECTS, 0 },
	{ "syssize", HDR_syssize, 4, 0, 1 },
	{ "version", HDR_version, 2, BOOT_VERSION, 0 },
	{ "relocatable_kernel", HDR_relocatable_kernel, 1, BOOT_RELOCATABLE, 0 },
	{ "min_alignment", HDR_min_alignment, 1, BOOT_MIN_ALIGNMENT, 0 },
	{ "xloadflags", HDR_xloadflags, 2, BOOT_XLOADFLAGS, 0 },
	{ "cmdline_size", HDR_cmdline_size, 4, BOOT_CMDLINE_SIZE, 0 },
	{ "initrd_addr_max", HDR_initrd_addr_max, 4, BOOT_INITRD_ADDR_MAX, 0 },
	{ "payload_offset", HDR_payload_offset, 4, 0, 0 },
	{ "payload_length", HDR_payload_length, 4, 0, 0 },
	{ "pref_address", HDR_pref_address, 8, LINK_ADDR, 0 },
	{ "init_size", HDR_init_size, 4, 0, 2 },
	{ "handover_offset", HDR_handover_offset, 4, 0, 0 },
	{ "kernel_info_offset", HDR_kernel_info_offset, 4, KERNEL_INFO_OFFSET, 0 },
};

static u64 read_field(const struct field *f)
{
	switch (f->size) {
	case 1: return zp8(f->off);
	case 2: return zp16(f->off);
	case 4: return zp32(f->off);
	}
	return zp64(f->off);
}

static void check_pvh(void)
{
	const struct hvm_start_info *si = boot.hvm;
	if (boot.zp_addr >= IDENTITY_LIMIT)
		return fail("hvm_start_info at 0x%lx is above 4 GiB", boot.zp_addr);
	if (si->magic != HVM_START_MAGIC)
		return fail("hvm_start_info magic 0x%x, expected 0x%x", si->magic, HVM_START_MAGIC);
	if (si->version < 1)
		return fail("hvm_start_info version %u has no memory map (need >= 1)", si->version);
	if (!si->cmdline_paddr || !boot.cmdline)
		return fail("no usable command line (cmdline_paddr 0x%lx)", si->cmdline_paddr);
	if (si->memmap_entries < 1 || si->memmap_entries > E820_MAX_ZEROPAGE)
		return fail("memmap_entries %u, expected 1..%u", si->memmap_entries, E820_MAX_ZEROPAGE);
	ok("pvh: hvm_start_info v%u at 0x%lx, %u memmap entries, %u modules; zero page built from it", si->version,
	   boot.zp_addr, si->memmap_entries, si->nr_modules);
}

static void run_bootparams(void)
{
	if (boot.kind == KIND_PVH)
		return check_pvh();

	if (zp32(HDR_header) != HDR_MAGIC)
		return fail("header signature 0x%x at 0x202, expected 0x53726448 (\"HdrS\")", zp32(HDR_header));
	if (zp16(HDR_boot_flag) != 0xAA55)
		return fail("boot_flag 0x%x, expected 0xaa55", zp16(HDR_boot_flag));
	if (zp16(HDR_version) < 0x0206)
		return fail("version 0x%x, expected >= 0x0206", zp16(HDR_version));
	if (zp8(HDR_type_of_loader) == 0)
		return fail("type_of_loader is 0: the loader must identify itself");
	if (!bp_cmdline_addr())
		return fail("cmd_line_ptr is 0");
	if (!boot.cmdline)
		return fail("command line at 0x%lx has no NUL within %u bytes (or is out of reach)", bp_cmdline_addr(),
			    BOOT_CMDLINE_SIZE + 1);
	unsigned n = bp_e820_count();
	if (n < 1 || n > E820_MAX_ZEROPAGE)
		return fail("e820_entries %u, expected 1..%u", n, E820_MAX_ZEROPAGE);

	if (boot.kind == KIND_ELF64)
		return ok("elf: no setup header to compare; loader 0x%02x, %u e820 entries, command line %lu bytes",
			  zp8(HDR_type_of_loader), n, boot.cmdline_len);

	for (size_t i = 0; i < ARRAY_SIZE(copied); i++) {
		const struct field *f = &copied[i];
		u64 want = f->dynamic == 1 ? expected_syssize() : f->dynamic == 2 ? expected_init_size() : f->want;
		u64 got = read_field(f);
		if (got != want)
			return fail("%s is 0x%lx, the image says 0x%lx", f->name, got, want);
	}
	if (!(zp8(HDR_loadflags) & LOADED_HIGH))
		return fail("loadflags 0x%x lost LOADED_HIGH", zp8(HDR_loadflags));
	/* A loader may rewrite kernel_alignment with the alignment it used
	 * (boot.rst), so only its sanity is ours to check, plus the promise
	 * behind min_alignment. */
	u32 ka = zp32(HDR_kernel_alignment);
	if (ka < 4096 || (ka & (ka - 1)))
		return fail("kernel_alignment 0x%x is not a power of two >= 4 KiB", ka);
	if (boot.load & ((1ul << BOOT_MIN_ALIGNMENT) - 1))
		return fail("loaded at 0x%lx, not aligned to 2^min_alignment", boot.load);
	ok("bzImage header intact (syssize 0x%x, init_size 0x%x); loader 0x%02x, %u e820 entries, command line %lu bytes",
	   expected_syssize(), expected_init_size(), zp8(HDR_type_of_loader), n, boot.cmdline_len);
}
GUEST_TEST(20, bootparams, run_bootparams, 0);
