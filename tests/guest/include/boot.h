/*
 * What the loader handed us and how we came in. Field offsets are those of
 * struct boot_params and struct setup_header (boot.rst, "THE REAL-MODE
 * KERNEL HEADER" and "DETAILS OF HEADER FIELDS"); PVH's are Xen's
 * (xen/include/public/arch-x86/hvm/start_info.h).
 */
#ifndef BOOT_H
#define BOOT_H
#include "arch.h"
#include "bootconst.h"
#include "types.h"

/* setup_header fields, as zero-page offsets. */
#define HDR_setup_sects		0x1F1
#define HDR_syssize		0x1F4
#define HDR_vid_mode		0x1FA
#define HDR_boot_flag		0x1FE
#define HDR_jump		0x200
#define HDR_header		0x202
#define HDR_version		0x206
#define HDR_type_of_loader	0x210
#define HDR_loadflags		0x211
#define HDR_code32_start	0x214
#define HDR_ramdisk_image	0x218
#define HDR_ramdisk_size	0x21C
#define HDR_cmd_line_ptr	0x228
#define HDR_initrd_addr_max	0x22C
#define HDR_kernel_alignment	0x230
#define HDR_relocatable_kernel	0x234
#define HDR_min_alignment	0x235
#define HDR_xloadflags		0x236
#define HDR_cmdline_size	0x238
#define HDR_payload_offset	0x248
#define HDR_payload_length	0x24C
#define HDR_setup_data		0x250
#define HDR_pref_address	0x258
#define HDR_init_size		0x260
#define HDR_handover_offset	0x264
#define HDR_kernel_info_offset	0x268
#define HDR_MAGIC		0x53726448	/* "HdrS" */

struct __packed e820_entry {
	u64 addr, size;
	u32 type;
};
#define E820_RAM	1
#define E820_RESERVED	2
#define E820_ACPI	3
#define E820_NVS	4
#define E820_UNUSABLE	5
#define E820_PMEM	7

/* PVH (Xen's start_info.h): what QEMU hands pvh_start32 in %ebx. */
#define HVM_START_MAGIC 0x336ec578
struct __packed hvm_start_info {
	u32 magic, version, flags, nr_modules;
	u64 modlist_paddr, cmdline_paddr, rsdp_paddr;
	u64 memmap_paddr;	/* version >= 1 */
	u32 memmap_entries, reserved;
};
struct __packed hvm_modlist_entry {
	u64 paddr, size, cmdline_paddr, reserved;
};
struct __packed hvm_memmap_entry {
	u64 addr, size;
	u32 type, reserved;
};

struct boot_info {
	int kind;		/* KIND_* from bootconst.h */
	u64 load;		/* where __image_start ended up */
	u64 init_size;		/* memory the image needs from there */
	u64 file_size;		/* bytes of it that come from the file */
	u8 *zp;			/* the zero page in use (loader's, or ours for PVH) */
	u64 zp_addr;		/* as handed over: %rsi, or PVH's %ebx */
	const struct hvm_start_info *hvm;
	const char *cmdline;	/* NULL if none or unreachable */
	u64 cmdline_addr, cmdline_len;

	/* The CPU as the loader left it, captured before we touch anything. */
	u64 cr0, cr3, cr4, efer;
	u16 cs, ds, es, ss;
	struct desc_ptr gdtr;
	u64 cs_desc;		/* the GDT entry behind CS, 0 if out of reach */
	bool own_tables;	/* CR3 was ours already (the 32-bit doors) */
};
extern struct boot_info boot;

static inline u8 zp8(unsigned off) { return boot.zp[off]; }
static inline u16 zp16(unsigned off) { return *(const u16_ua *)(boot.zp + off); }
static inline u32 zp32(unsigned off) { return *(const u32_ua *)(boot.zp + off); }
static inline u64 zp64(unsigned off) { return *(const u64_ua *)(boot.zp + off); }

static inline u64 bp_cmdline_addr(void) { return zp32(HDR_cmd_line_ptr) | ((u64)zp32(BP_ext_cmd_line_ptr) << 32); }
static inline u64 bp_ramdisk_addr(void) { return zp32(HDR_ramdisk_image) | ((u64)zp32(BP_ext_ramdisk_image) << 32); }
static inline u64 bp_ramdisk_size(void) { return zp32(HDR_ramdisk_size) | ((u64)zp32(BP_ext_ramdisk_size) << 32); }
static inline unsigned bp_e820_count(void) { return zp8(BP_e820_entries); }
static inline const struct e820_entry *bp_e820(void) { return (const struct e820_entry *)(boot.zp + BP_e820_table); }

/* The header our build wrote (tools/mkbzimage.c computes the same). */
static inline u32 expected_syssize(void) { return (u32)((boot.file_size + 15) / 16); }
static inline u32 expected_init_size(void) { return (u32)boot.init_size; }

const char *kind_name(int kind);

/* bootinfo.c */
void boot_capture(u64 info, int kind, u64 load);
void boot_adopt(void);		/* PVH conversion, command line, kind refinement */
bool e820_is_usable(u64 start, u64 end);	/* [start, end) inside type-1 RAM */
bool ranges_overlap(u64 a, u64 alen, u64 b, u64 blen);

/* paging.c */
#define IDENTITY_LIMIT 0x100000000ul	/* what our own tables map */
void paging_setup(void);
/* Translate va through the 4- or 5-level tables at cr3. Returns NULL and
 * fills *pa, *page on success, else a short reason. */
const char *pt_walk(u64 cr3, bool la57, u64 va, u64 *pa, u64 *page);

extern char __image_start[], __image_end[], __file_end[];
extern char pgt_pml4[], pgt_pdpt[], pgt_pd[], pvh_zero_page[];

#endif
