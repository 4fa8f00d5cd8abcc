/*
 * 256 interrupt stubs, 16 bytes apart so that C can find stub n at
 * isr_stubs + 16 * n without a table of pointers (which would need
 * relocating). Each pushes an error code where the CPU did not (Intel SDM
 * vol. 3, 7.3 table "Exceptions and Interrupts": vectors 8, 10-14, 17, 21,
 * 29, 30 push their own), then its vector, and joins isr_common, which saves
 * every register as struct frame (include/arch.h) and calls isr_dispatch.
 */
	.text
	.code64
	.balign	16
	.globl	isr_stubs
isr_stubs:
	.set	vec, 0
	.rept	256
	.balign	16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$vec
	jmp	isr_common
	.set	vec, vec + 1
	.endr

isr_common:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rbx
	pushq	%rbp
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	cld
	call	isr_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rbp
	popq	%rbx
	popq	%rdx
	popq	%rcx
	popq	%rax
	addq	$16, %rsp
	iretq
