/*
 * Numbers shared by the real-mode setup (boot/setup.S), the entry code
 * (boot/head.S), the C program and the image builder (tools/mkbzimage.c).
 * Each one is a promise the bzImage header makes to a boot loader, so it
 * lives in exactly one place: if the header and the bootparams check ever
 * disagree, it is because a loader changed something, not because we did.
 *
 * Offsets and field names follow Documentation/arch/x86/boot.rst ("THE
 * LINUX/x86 BOOT PROTOCOL"); the zero page is struct boot_params.
 */
#ifndef BOOTCONST_H
#define BOOTCONST_H

/* Where the program is linked, and so where guest.elf asks to be loaded.
 * It is also the bzImage's pref_address: 16 MiB is what Linux asks for, and
 * keeps us clear of the low megabyte our engine fills with boot tables. */
#define LINK_ADDR		0x1000000

/* The setup code is 1 + SETUP_SECTS sectors of 512 bytes. */
#define SETUP_SECTS		4

/* Header values (boot.rst, "THE REAL-MODE KERNEL HEADER"). */
#define BOOT_VERSION		0x020F	/* protocol 2.15 */
#define LOADED_HIGH		0x01	/* loadflags: protected-mode code at 1 MiB+ */
#define CAN_USE_HEAP		0x80	/* loadflags: set by the loader */
#define XLF_KERNEL_64		0x01	/* xloadflags: 64-bit entry at +0x200 */
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x02
#define BOOT_XLOADFLAGS		(XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G)
#define BOOT_CODE32_START	0x100000
#define BOOT_INITRD_ADDR_MAX	0x7fffffff
#define BOOT_KERNEL_ALIGNMENT	0x200000
#define BOOT_MIN_ALIGNMENT	12	/* log2: we need 4 KiB-aligned page tables */
#define BOOT_CMDLINE_SIZE	0xFFFF
#define BOOT_RELOCATABLE	1

/* Offsets inside the protected-mode image (boot.rst: the 32-bit entry is
 * at the start of the loaded image, the 64-bit entry 0x200 further on). */
#define ENTRY64_OFFSET		0x200
#define KERNEL_INFO_OFFSET	0x1C0	/* "LToP" block, protocol 2.15 */

/* Zero page (struct boot_params) offsets. */
#define BP_acpi_rsdp_addr	0x070	/* u64, where the loader put the RSDP (0: scan) */
#define BP_ext_ramdisk_image	0x0C0
#define BP_ext_ramdisk_size	0x0C4
#define BP_ext_cmd_line_ptr	0x0C8
#define BP_scratch		0x1E4
#define BP_e820_entries		0x1E8
#define BP_hdr			0x1F1
#define BP_e820_table		0x2D0
#define E820_MAX_ZEROPAGE	128

/* How the program was entered; the 32-bit paths pass this to the 64-bit
 * common code in %edi. */
#define KIND_BZ64		1	/* bzImage, 64-bit entry (our engine) */
#define KIND_ELF64		2	/* guest.elf at e_entry (our engine) */
#define KIND_BZ16		3	/* bzImage, real-mode setup (QEMU + SeaBIOS) */
#define KIND_BZ32		4	/* bzImage, 32-bit entry from a 32-bit loader */
#define KIND_PVH		5	/* guest.elf through its PVH note (QEMU) */

/* The real-mode setup leaves this in %edi when it jumps to code32_start,
 * so the 32-bit entry can tell our own setup from some other 32-bit loader. */
#define SETUP16_MAGIC		0x36314753	/* "SG16" */

/* Selectors of the GDT every path ends up with: the boot protocol's
 * __BOOT_CS and __BOOT_DS. */
#define SEL_CODE64		0x10
#define SEL_DATA		0x18
#define SEL_CODE32		0x20

#endif
