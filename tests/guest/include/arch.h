/*
 * The handful of privileged instructions the guest needs, as inline
 * functions. Every one of them is emulated by KVM (and by PVM's software
 * emulator); that is not true of all of x86, so add new ones with care
 * (README.md, "What the guest must never execute").
 */
#ifndef ARCH_H
#define ARCH_H
#include "types.h"

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u16 inw(u16 port) { u16 v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u32 inl(u16 port) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

#define READ_CR(n) ({ u64 _v; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(_v)); _v; })
#define WRITE_CR(n, v) __asm__ volatile("mov %0, %%cr" #n : : "r"((u64)(v)) : "memory")
#define READ_SEG(s) ({ u16 _v; __asm__ volatile("mov %%" #s ", %0" : "=r"(_v)); _v; })

struct __packed desc_ptr {
	u16 limit;
	u64 base;
};
static inline void sgdt(struct desc_ptr *p) { __asm__ volatile("sgdt %0" : "=m"(*p)); }
static inline void lgdt(const struct desc_ptr *p) { __asm__ volatile("lgdt %0" : : "m"(*p)); }
static inline void lidt(const struct desc_ptr *p) { __asm__ volatile("lidt %0" : : "m"(*p)); }

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
/* sti's one-instruction shadow makes "sti; hlt" race-free: an interrupt
 * that is already pending wakes the hlt instead of slipping in before it. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }

/* A pointer to a fixed physical address (we run identity-mapped). The empty
 * asm hides the constant from gcc, which otherwise "knows" that address 0x40E
 * is outside every object and warns, or worse, optimises. */
static inline const void *phys(u64 addr)
{
	const void *p = (const void *)addr;
	__asm__("" : "+r"(p));
	return p;
}

static inline u32 mmio_read32(u64 addr) { return *(volatile u32 *)addr; }
static inline void mmio_write32(u64 addr, u32 v) { *(volatile u32 *)addr = v; }

#define MSR_EFER		0xC0000080
#define EFER_LME		(1u << 8)
#define EFER_LMA		(1u << 10)
#define MSR_APIC_BASE		0x1B
#define CR0_PE			(1u << 0)
#define CR0_PG			(1u << 31)
#define CR4_PAE			(1u << 5)
#define CR4_LA57		(1u << 12)

/* What isr_common (boot/isr.S) pushes, lowest address first. */
struct frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rdi, rsi, rbp, rbx, rdx, rcx, rax;
	u64 vec, err;
	u64 rip, cs, rflags, rsp, ss;
};

#endif
