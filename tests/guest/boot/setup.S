/*
 * The real-mode half of the bzImage: the "setup sectors".
 *
 * Two kinds of loader read this file. Our engine (and any 64-bit boot
 * protocol loader) only *reads* the header below, copies it into a zero page
 * it builds itself, and jumps straight to the 64-bit entry; none of the code
 * here ever runs. QEMU's -kernel path, with SeaBIOS underneath, does what a
 * PC boot loader of the 1990s did: it loads these sectors at 0x10000 and
 * jumps to offset 0x200 in real mode. Then this code must do the job of a
 * real boot loader's second half: build the zero page, ask the BIOS for the
 * memory map, and switch to 32-bit protected mode (boot.rst, "RUNNING THE
 * KERNEL" and "32-bit BOOT PROTOCOL").
 *
 * Everything is addressed relative to our own segment, so it runs wherever
 * the loader put it. The segment is 64 KiB; we use it as:
 *   0x0000 - 0x0A00  this file (SETUP_SECTS + 1 sectors)
 *   0x8000 - 0x9000  the zero page we hand on
 *   ....   - 0xF000  stack (QEMU's heap_end_ptr is 0xFE00, the command line
 *                    sits at the next 64 KiB)
 */
#include "bootconst.h"

#define ZP16		0x8000
#define STACK16_TOP	0xF000
#define SMAP		0x534D4150	/* "SMAP", the E820 call's signature */

	.code16
	.section .setup, "ax"
	.globl	_start
_start:
	/* The first 0x1F1 bytes were the floppy boot sector; nobody boots us
	 * from a floppy any more, so they stay zero. */
	.org	0x1F1
hdr:
setup_sects:	.byte	SETUP_SECTS
root_flags:	.word	0
syssize:	.long	0		/* filled in by mkbzimage */
ram_size:	.word	0
vid_mode:	.word	0xFFFF		/* "normal" */
root_dev:	.word	0
boot_flag:	.word	0xAA55

	/* Offset 0x200: real-mode entry. The jump's displacement byte doubles
	 * as the header length (boot.rst: the header ends at 0x202 + the byte
	 * at 0x201), which is why it must be a two-byte short jump. */
	.byte	0xEB, start_of_setup - (_start + 0x202)
	.ascii	"HdrS"
version:	.word	BOOT_VERSION
realmode_swtch:	.long	0
start_sys_seg:	.word	0x1000		/* obsolete, kept at Linux's value */
kernel_version:	.word	version_str - (_start + 0x200)
type_of_loader:	.byte	0
loadflags:	.byte	LOADED_HIGH
setup_move_size: .word	0x8000
code32_start:	.long	BOOT_CODE32_START
ramdisk_image:	.long	0
ramdisk_size:	.long	0
bootsect_kludge: .long	0
heap_end_ptr:	.word	0
ext_loader_ver:	.byte	0
ext_loader_type: .byte	0
cmd_line_ptr:	.long	0
initrd_addr_max: .long	BOOT_INITRD_ADDR_MAX
kernel_alignment: .long	BOOT_KERNEL_ALIGNMENT
relocatable_kernel: .byte BOOT_RELOCATABLE
min_alignment:	.byte	BOOT_MIN_ALIGNMENT
xloadflags:	.word	BOOT_XLOADFLAGS
cmdline_size:	.long	BOOT_CMDLINE_SIZE
hardware_subarch: .long	0
hardware_subarch_data: .quad 0
payload_offset:	.long	0		/* nothing compressed inside */
payload_length:	.long	0
setup_data:	.quad	0
pref_address:	.quad	LINK_ADDR
init_size:	.long	0		/* filled in by mkbzimage */
handover_offset: .long	0		/* no EFI handover */
kernel_info_offset: .long KERNEL_INFO_OFFSET
hdr_end:

start_of_setup:
	cli
	cld
	/* QEMU enters with CS = DS + 0x20 so that offset 0 of CS is our
	 * offset 0x200. Make CS equal DS, so that every label below means the
	 * same thing whichever segment register we go through. */
	pushw	%ds
	pushw	$1f
	lretw
1:	movw	%ds, %ax
	movw	%ax, %es
	movw	%ax, %ss
	movw	$STACK16_TOP, %sp

	/* boot.rst: "the zero page ... should be cleared". */
	movw	$ZP16, %di
	xorw	%ax, %ax
	movw	$2048, %cx
	rep stosw

	/* The loader wrote its answers (type_of_loader, cmd_line_ptr,
	 * ramdisk_*) into *our* copy of the header; the zero page carries
	 * them on. */
	movw	$hdr, %si
	movw	$ZP16 + BP_hdr, %di
	movzbw	0x201, %cx
	addw	$0x202 - BP_hdr, %cx
	rep movsb

	/* INT 15h, EAX=E820h: one 20-byte entry per call, EBX is the BIOS's
	 * continuation cookie, CF or a missing "SMAP" ends the list.
	 * The buffer address is recomputed for every call rather than trusted
	 * to survive the BIOS. */
	xorl	%ebx, %ebx
2:	movzbw	ZP16 + BP_e820_entries, %di
	imulw	$20, %di
	addw	$ZP16 + BP_e820_table, %di
	movl	$0xE820, %eax
	movl	$SMAP, %edx
	movl	$20, %ecx
	int	$0x15
	jc	3f
	cmpl	$SMAP, %eax
	jne	3f
	incb	ZP16 + BP_e820_entries
	cmpb	$E820_MAX_ZEROPAGE, ZP16 + BP_e820_entries
	jae	3f
	testl	%ebx, %ebx
	jnz	2b
3:
	/* Fast A20 through port 0x92, and the 8259s masked: nothing may
	 * interrupt us between here and our own IDT. */
	inb	$0x92, %al
	orb	$0x02, %al
	andb	$0xFE, %al
	outb	%al, $0x92
	movb	$0xFF, %al
	outb	%al, $0xA1
	outb	%al, $0x21

	/* Segment-relative labels become linear addresses. */
	xorl	%ebx, %ebx
	movw	%ds, %bx
	shll	$4, %ebx
	leal	gdt(%ebx), %eax
	movl	%eax, gdt_ptr + 2
	leal	in_pm32(%ebx), %eax
	movl	%eax, pm32_ptr
	leal	ZP16(%ebx), %esi
	/* A loader may move the 32-bit entry (boot.rst lets it change
	 * code32_start); honour what the header says now. */
	movl	code32_start, %ecx

	lidtl	null_idt
	lgdtl	gdt_ptr
	movl	%cr0, %eax
	orb	$1, %al			/* CR0.PE */
	movl	%eax, %cr0
	ljmpl	*pm32_ptr

	.code32
in_pm32:
	/* boot.rst, 32-bit boot protocol: flat __BOOT_CS/__BOOT_DS, %esi at
	 * the zero page, interrupts off. %edi tells the entry it was us. */
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	leal	STACK16_TOP(%ebx), %esp
	movl	$SETUP16_MAGIC, %edi
	jmpl	*%ecx

	.balign	8
gdt:	.quad	0
	.quad	0
	.quad	0x00CF9A000000FFFF	/* 0x10: 32-bit code, flat */
	.quad	0x00CF92000000FFFF	/* 0x18: data, flat */
gdt_end:
gdt_ptr:
	.word	gdt_end - gdt - 1
	.long	0
null_idt:
	.word	0
	.long	0
pm32_ptr:
	.long	0
	.word	0x10

version_str:
	.asciz	"lguest test guest"

	.org	(SETUP_SECTS + 1) * 512
