/*
 * Our GDT and IDT. The GDT is head.S's (the boot protocol's selectors); we
 * reload it so that nothing of the loader's remains in use. The IDT points
 * all 256 vectors at boot/isr.S's stubs, and isr_dispatch() sends each to
 * the handler a test installed. An exception with no handler ends the run:
 * main.c reports it as the current test's failure and reboots.
 */
#include "arch.h"
#include "irq.h"
#include "lib.h"
#include "bootconst.h"

struct __packed idt_gate {
	u16 off0, sel;
	u8 ist, type;
	u16 off1;
	u32 off2, zero;
};

static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler_t handlers[256];
volatile u64 unexpected_irqs;

extern char isr_stubs[], gdt[], gdt_end[];
void exception_fatal(struct frame *f) __noreturn;
void isr_dispatch(struct frame *f);

void cpu_tables_init(void)
{
	struct desc_ptr g = { (u16)(gdt_end - gdt - 1), (u64)gdt };
	lgdt(&g);
	/* A far return is the PIC way to reload CS: no absolute address. */
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %1, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs"
			 : : "i"(SEL_CODE64), "i"(SEL_DATA) : "rax", "memory");

	for (unsigned v = 0; v < 256; v++) {
		u64 a = (u64)isr_stubs + 16 * v;
		idt[v] = (struct idt_gate){ (u16)a, SEL_CODE64, 0, 0x8E, (u16)(a >> 16), (u32)(a >> 32), 0 };
	}
	struct desc_ptr i = { sizeof(idt) - 1, (u64)idt };
	lidt(&i);
}

void irq_set_handler(unsigned vec, irq_handler_t h)
{
	handlers[vec & 255] = h;
}

void isr_dispatch(struct frame *f)
{
	irq_handler_t h = handlers[f->vec & 255];
	if (h) {
		h(f);
		return;
	}
	if (f->vec < 32)
		exception_fatal(f);
	if (f->vec == VEC_SPURIOUS)
		return;		/* the APIC wants no EOI for these */
	unexpected_irqs++;
	lapic_eoi();
}
