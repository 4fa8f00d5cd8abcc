/*
 * The doors into the program, and the hallway behind them.
 *
 * One linked image, four ways in:
 *   +0x000  startup_32   bzImage 32-bit entry (boot.rst, "32-bit BOOT
 *                        PROTOCOL"); our own real-mode setup jumps here too.
 *   +0x200  startup_64   bzImage 64-bit entry ("64-bit BOOT PROTOCOL") and
 *                        guest.elf's e_entry: what our engine uses.
 *   pvh_start32          named by the Xen PVH ELF note; QEMU's -kernel of an
 *                        ELF enters here (32-bit, paging off, %ebx = struct
 *                        hvm_start_info).
 * All of them end in long_common, in 64-bit mode with our identity map or the
 * loader's, %rsi = zero page or hvm_start_info, %edi = how we came in.
 *
 * Nothing here knows where it was loaded: the 32-bit code finds itself with
 * call/pop, the 64-bit code with %rip, and long_common then applies the
 * R_X86_64_RELATIVE relocations the PIE link left for the few pointers that
 * live in data (the test table, mostly).
 */
#include "bootconst.h"

#define R_X86_64_RELATIVE	8
#define MSR_EFER		0xC0000080
#define EFER_LME		0x100
#define CR4_PAE			0x20
#define CR0_PG_PE		0x80000001
#define PTE_P_RW		0x03
#define PDE_2M			0x83		/* present, writable, 2 MiB page */

	.section .head.text, "awx"
	.code32
	.globl	startup_32
startup_32:
	cli
	cld
	movl	$KIND_BZ32, %eax
	cmpl	$SETUP16_MAGIC, %edi
	jne	1f
	movl	$KIND_BZ16, %eax
1:	movl	%eax, %edi
	/* boot_params.scratch (zero-page.rst: a scratch field for the
	 * kernel's own setup code) is our stack for one call: four bytes are
	 * enough to learn our address before we own any memory. */
	leal	(BP_scratch + 4)(%esi), %esp
	call	2f
2:	popl	%ebp
	subl	$(2b - startup_32), %ebp
	jmp	common32

	/* boot.rst, protocol 2.15: kernel_info, found through
	 * kernel_info_offset. A loader may read it; we ask for nothing. */
	.org	KERNEL_INFO_OFFSET
kernel_info:
	.ascii	"LToP"
	.long	kernel_info_var - kernel_info	/* size of the fixed part */
	.long	kernel_info_end - kernel_info	/* size including variable data */
	.long	0				/* setup_type_max: we read no setup_data */
kernel_info_var:
kernel_info_end:

	.org	ENTRY64_OFFSET
	.code64
	.globl	startup_64
startup_64:
	/* Long mode, the loader's identity map, %rsi = zero page. Whether a
	 * bzImage or an ELF brought us here, C tells from the zero page. */
	cli
	movl	$KIND_BZ64, %edi
	jmp	long_common

	.code32
	.globl	pvh_start32
pvh_start32:
	/* The PVH ABI gives us %ebx and no stack. hvm_start_info's first
	 * word (its magic) lends itself as the four-byte stack for call/pop,
	 * and gets its value back right after. */
	cli
	cld
	movl	(%ebx), %eax
	leal	4(%ebx), %esp
	call	3f
3:	popl	%ebp
	movl	%eax, (%ebx)
	subl	$(3b - startup_32), %ebp
	movl	%ebx, %esi
	movl	$KIND_PVH, %edi
	/* fall through */

/*
 * 32-bit to 64-bit, for the paths that arrive without paging: %ebp = where
 * we are loaded, %esi = boot info, %edi = kind. Identity-map the first 4 GiB
 * with 2 MiB pages (the C code keeps these tables), turn on PAE, EFER.LME and
 * paging, and far-return into a 64-bit code segment (Intel SDM vol. 3,
 * 10.8.5 "Initializing IA-32e Mode").
 */
common32:
	leal	(gdt - startup_32)(%ebp), %eax
	movl	%eax, (gdt_desc + 2 - startup_32)(%ebp)
	lgdt	(gdt_desc - startup_32)(%ebp)
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	movl	(stack_rel - startup_32)(%ebp), %eax
	leal	(stack_rel - startup_32)(%ebp, %eax), %esp
	pushl	%edi
	pushl	%esi

	movl	(pgt_rel - startup_32)(%ebp), %edx
	leal	(pgt_rel - startup_32)(%ebp, %edx), %edx	/* %edx = PML4 */
	movl	%edx, %edi					/* clear PML4 + PDPT */
	xorl	%eax, %eax
	movl	$2048, %ecx
	rep stosl
	leal	(0x1000 + PTE_P_RW)(%edx), %eax
	movl	%eax, (%edx)
	leal	(0x2000 + PTE_P_RW)(%edx), %eax
	xorl	%ecx, %ecx
4:	movl	%eax, 0x1000(%edx, %ecx, 8)
	addl	$0x1000, %eax
	incl	%ecx
	cmpl	$4, %ecx
	jb	4b
	leal	0x2000(%edx), %edi
	movl	$PDE_2M, %eax
	movl	$2048, %ecx
5:	movl	%eax, (%edi)
	movl	$0, 4(%edi)
	addl	$0x200000, %eax
	addl	$8, %edi
	decl	%ecx
	jnz	5b

	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	%edx, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	popl	%esi
	popl	%edi
	leal	(long_from32 - startup_32)(%ebp), %eax
	pushl	$SEL_CODE64
	pushl	%eax
	movl	%cr0, %eax
	orl	$CR0_PG_PE, %eax
	movl	%eax, %cr0
	lret

	.code64
long_from32:
	movl	%esi, %esi		/* upper halves are undefined after the switch */
	movl	%edi, %edi
	jmp	long_common

	/* PC-relative words: the 32-bit code has no %rip to lean on. */
stack_rel:	.long	boot_stack_top - stack_rel
pgt_rel:	.long	pgt_pml4 - pgt_rel

	/* Our GDT; the selectors are the boot protocol's, so a loader's
	 * expectations and ours never differ. */
	.balign	16
	.globl	gdt, gdt_end
gdt:	.quad	0
	.quad	0
	.quad	0x00AF9A000000FFFF	/* 0x10: 64-bit code (L=1, D=0) */
	.quad	0x00CF92000000FFFF	/* 0x18: data, flat */
	.quad	0x00CF9A000000FFFF	/* 0x20: 32-bit code, flat */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	0

/*
 * The hallway: every door ends here, in 64-bit mode with %rsi = boot info
 * and %edi = kind. Get a stack, fix up pointers in data for wherever we
 * actually are, clear .bss, and hand over to C.
 */
	.text
	.code64
long_common:
	cld
	leaq	boot_stack_top(%rip), %rsp
	movq	%rsi, %r12
	movl	%edi, %r13d
	leaq	__image_start(%rip), %rbx
	movq	%rbx, %r14
	movabsq	$LINK_ADDR, %rax
	subq	%rax, %r14			/* %r14 = load - link */

	/* Each RELATIVE relocation says: the 8 bytes at link address
	 * r_offset hold (link base + r_addend) once relocated. Writing the
	 * value outright, rather than adding to what is there, makes a
	 * second pass over an already relocated image harmless. */
	leaq	__rela_start(%rip), %rcx
	leaq	__rela_end(%rip), %rdx
6:	cmpq	%rdx, %rcx
	jae	7f
	cmpl	$R_X86_64_RELATIVE, 8(%rcx)
	jne	bad_reloc
	movq	(%rcx), %rax
	addq	%r14, %rax
	movq	16(%rcx), %rsi
	addq	%r14, %rsi
	movq	%rsi, (%rax)
	addq	$24, %rcx
	jmp	6b
7:
	leaq	__bss_start(%rip), %rdi
	leaq	__bss_end(%rip), %rcx
	subq	%rdi, %rcx
	shrq	$3, %rcx
	xorl	%eax, %eax
	rep stosq

	movq	%r12, %rdi
	movl	%r13d, %esi
	movq	%rbx, %rdx
	call	kmain
bad_reloc:
	/* The build checks that only RELATIVE relocations exist; if one
	 * slipped through we cannot run and have no console yet. A #UD with
	 * whatever IDT the loader left is a loud enough end. */
	ud2

/*
 * Memory that needs no zeroing, so it stays out of .bss and costs the
 * emulator nothing at boot: page tables are written whole, the stack needs
 * no initial value, and the PVH zero page is cleared only on that path.
 */
	.section .noinit, "aw", @nobits
	.balign	4096
	.globl	pgt_pml4, pgt_pdpt, pgt_pd, pvh_zero_page, boot_stack_top
pgt_pml4:	.skip	4096
pgt_pdpt:	.skip	4096
pgt_pd:		.skip	4 * 4096
pvh_zero_page:	.skip	4096
boot_stack:	.skip	16384
boot_stack_top:

/* The PVH ELF note that names pvh_start32 is written by guest.ld. */
