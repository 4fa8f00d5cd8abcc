/*
 * Taking stock of what the loader handed over.
 *
 * boot_capture() runs first thing in C, before we change any CPU state, so
 * the paging test can judge the loader's setup and not ours.
 * boot_adopt() runs once our identity map is live: it finds the zero page
 * (for PVH it writes one from hvm_start_info, as Linux's own PVH entry
 * does), the command line, and tells a bzImage from an ELF.
 */
#include "boot.h"
#include "lib.h"

struct boot_info boot;

const char *kind_name(int kind)
{
	switch (kind) {
	case KIND_BZ64: return "bzImage-64";
	case KIND_ELF64: return "elf-64";
	case KIND_BZ16: return "bzImage-16";
	case KIND_BZ32: return "bzImage-32";
	case KIND_PVH: return "pvh-32";
	}
	return "unknown";
}

void boot_capture(u64 info, int kind, u64 load)
{
	boot.kind = kind;
	boot.load = load;
	boot.zp_addr = info;
	boot.init_size = ALIGN_UP((u64)(__image_end - __image_start), 4096);
	boot.file_size = (u64)(__file_end - __image_start);
	boot.cr0 = READ_CR(0);
	boot.cr3 = READ_CR(3);
	boot.cr4 = READ_CR(4);
	boot.efer = rdmsr(MSR_EFER);
	boot.cs = READ_SEG(cs);
	boot.ds = READ_SEG(ds);
	boot.es = READ_SEG(es);
	boot.ss = READ_SEG(ss);
	sgdt(&boot.gdtr);
	boot.own_tables = (boot.cr3 & ~0xFFFul) == (u64)pgt_pml4;
}

/* hvm_start_info to boot_params, the fields our checks read. */
static void pvh_to_zero_page(void)
{
	const struct hvm_start_info *si = (const void *)boot.zp_addr;
	u8 *zp = (u8 *)pvh_zero_page;
	memset(zp, 0, 4096);
	boot.zp = zp;
	boot.hvm = si;
	if (boot.zp_addr >= IDENTITY_LIMIT || si->magic != HVM_START_MAGIC)
		return;		/* the bootparams test says so */
	*(u16_ua *)(zp + HDR_boot_flag) = 0xAA55;
	*(u32_ua *)(zp + HDR_header) = HDR_MAGIC;
	*(u16_ua *)(zp + HDR_version) = BOOT_VERSION;
	zp[HDR_type_of_loader] = 0x90;	/* boot.rst's id 9, "Xen", as Linux's PVH entry says */
	zp[HDR_loadflags] = LOADED_HIGH;
	*(u32_ua *)(zp + HDR_cmd_line_ptr) = (u32)si->cmdline_paddr;
	*(u32_ua *)(zp + BP_ext_cmd_line_ptr) = (u32)(si->cmdline_paddr >> 32);
	if (si->nr_modules && si->modlist_paddr && si->modlist_paddr < IDENTITY_LIMIT) {
		const struct hvm_modlist_entry *m = (const void *)si->modlist_paddr;
		*(u32_ua *)(zp + HDR_ramdisk_image) = (u32)m->paddr;
		*(u32_ua *)(zp + BP_ext_ramdisk_image) = (u32)(m->paddr >> 32);
		*(u32_ua *)(zp + HDR_ramdisk_size) = (u32)m->size;
		*(u32_ua *)(zp + BP_ext_ramdisk_size) = (u32)(m->size >> 32);
	}
	/* Xen's memory map types are the E820 ones. */
	if (si->version >= 1 && si->memmap_paddr && si->memmap_paddr < IDENTITY_LIMIT) {
		const struct hvm_memmap_entry *mm = (const void *)si->memmap_paddr;
		struct e820_entry *e = (struct e820_entry *)(zp + BP_e820_table);
		unsigned n = MIN(si->memmap_entries, (u32)E820_MAX_ZEROPAGE);
		for (unsigned i = 0; i < n; i++)
			e[i] = (struct e820_entry){ mm[i].addr, mm[i].size, mm[i].type };
		zp[BP_e820_entries] = (u8)n;
	}
}

void boot_adopt(void)
{
	if (boot.kind == KIND_PVH) {
		pvh_to_zero_page();
	} else {
		boot.zp = (u8 *)boot.zp_addr;
		/* Both of our engine's formats come in at startup_64. A loader
		 * that read our bzImage copied its header, sizes and all; an ELF
		 * has no such header to copy. */
		if (boot.kind == KIND_BZ64 && !zp8(HDR_setup_sects) && !zp32(HDR_syssize) && !zp32(HDR_init_size))
			boot.kind = KIND_ELF64;
	}

	/* The GDT entry behind the loader's CS, now that we can reach it. */
	u64 gdesc = boot.gdtr.base + (boot.cs & ~7u);
	if ((boot.cs & ~7u) && (boot.cs | 7u) <= boot.gdtr.limit && gdesc + 8 <= IDENTITY_LIMIT)
		boot.cs_desc = *(const u64_ua *)gdesc;

	u64 cl = bp_cmdline_addr();
	boot.cmdline_addr = cl;
	if (cl && cl < IDENTITY_LIMIT - 0x10000) {
		const char *s = (const char *)cl;
		/* The header allows BOOT_CMDLINE_SIZE bytes plus the NUL. */
		size_t n = strnlen(s, BOOT_CMDLINE_SIZE + 1);
		if (n <= BOOT_CMDLINE_SIZE) {
			boot.cmdline = s;
			boot.cmdline_len = n;
		}
	}
	cmdline_set(boot.cmdline);
}

bool ranges_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

bool e820_is_usable(u64 start, u64 end)
{
	/* Walk forward from start through RAM entries; the map need not be
	 * sorted and neighbouring RAM entries may split a range. */
	const struct e820_entry *e = bp_e820();
	unsigned n = bp_e820_count();
	u64 at = start;
	for (unsigned step = 0; step <= n && at < end; step++) {
		bool moved = false;
		for (unsigned i = 0; i < n; i++) {
			if (e[i].type == E820_RAM && e[i].addr <= at && at < e[i].addr + e[i].size) {
				at = e[i].addr + e[i].size;
				moved = true;
				break;
			}
		}
		if (!moved)
			return false;
	}
	return at >= end;
}
