/*
 * Local APIC (Intel SDM vol. 3, chapter 12 "Advanced Programmable
 * Interrupt Controller"), the two 8259s, and the IOAPIC (82093AA
 * datasheet: IOREGSEL at +0x00, IOWIN at +0x10, redirection entry n at
 * registers 0x10 + 2n and 0x11 + 2n).
 */
#include "arch.h"
#include "irq.h"
#include "lib.h"
#include "boot.h"

#define APIC_BASE_ENABLE	(1u << 11)
#define APIC_BASE_X2APIC	(1u << 10)
#define LAPIC_ID		0x20
#define LAPIC_TPR		0x80
#define LAPIC_EOI		0xB0
#define LAPIC_SVR		0xF0
#define SVR_ENABLE		0x100

static u64 lapic_base = LAPIC_DEFAULT_BASE;
static u64 ioapic_base = IOAPIC_DEFAULT_BASE;

u32 lapic_read(unsigned reg) { return mmio_read32(lapic_base + reg); }
void lapic_write(unsigned reg, u32 v) { mmio_write32(lapic_base + reg, v); }
void lapic_eoi(void) { lapic_write(LAPIC_EOI, 0); }
u8 lapic_id(void) { return (u8)(lapic_read(LAPIC_ID) >> 24); }

const char *lapic_init(void)
{
	u64 msr = rdmsr(MSR_APIC_BASE);
	if (msr & APIC_BASE_X2APIC)
		return "local APIC is in x2APIC mode";
	if (!(msr & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, msr | APIC_BASE_ENABLE);
	lapic_base = msr & 0x000FFFFFFFFFF000ul;
	if (lapic_base >= IDENTITY_LIMIT)
		return "local APIC above 4 GiB";
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	return NULL;
}

void pic_mask_all(void)
{
	/* OCW1 on both controllers: every line masked. The BIOS (if any) left
	 * them live; anything they raised would arrive as ExtINT. */
	outb(0xA1, 0xFF);
	outb(0x21, 0xFF);
}

void ioapic_set_base(u64 base) { ioapic_base = base; }

u32 ioapic_read(unsigned reg)
{
	mmio_write32(ioapic_base, reg);
	return mmio_read32(ioapic_base + 0x10);
}

static void ioapic_write(unsigned reg, u32 v)
{
	mmio_write32(ioapic_base, reg);
	mmio_write32(ioapic_base + 0x10, v);
}

void ioapic_route(unsigned pin, u8 vec, u16 mp_flags)
{
	/* MP spec 4.3.4, I/O interrupt entry flags: polarity in bits 1:0,
	 * trigger mode in bits 3:2; 00 means "as the bus does it", which
	 * for ISA is active-high, edge-triggered. */
	u32 lo = vec;
	if ((mp_flags & 3) == 3)
		lo |= 1u << 13;		/* active low */
	if (((mp_flags >> 2) & 3) == 3)
		lo |= 1u << 15;		/* level */
	ioapic_write(0x11 + 2 * pin, (u32)lapic_id() << 24);	/* physical destination: us */
	ioapic_write(0x10 + 2 * pin, lo);			/* fixed delivery, unmasked */
}

void ioapic_mask(unsigned pin)
{
	ioapic_write(0x10 + 2 * pin, (1u << 16) | ioapic_read(0x10 + 2 * pin));
}
