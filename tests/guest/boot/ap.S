/*
 * The application processors' first instructions, for the smp test. A
 * STARTUP IPI with vector v starts a CPU in real mode at v:0000 (Intel SDM
 * vol. 3, 10.4.4 "MP Initialization Example"); this blob is copied to that
 * page. It counts itself in, with a locked add so that CPUs arriving
 * together are all counted, and halts with interrupts off for good.
 * It lives in .rodata: it is only data until it is copied, and the build's
 * disassembly check reads code sections in 64-bit mode.
 */
	.section .rodata
	.code16
	.globl	ap_tramp_start, ap_tramp_end
	.balign	16
ap_tramp_start:
	cli
	lock incw %cs:(ap_count - ap_tramp_start)
1:	hlt
	jmp	1b
	.balign	4
ap_count:			/* the last word of the blob */
	.word	0
ap_tramp_end:
	.code64
