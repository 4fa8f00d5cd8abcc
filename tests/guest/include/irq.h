/*
 * Interrupts the way a minimal OS takes them on a PC: our own IDT, the
 * local APIC on, both 8259s masked, and ISA IRQs routed through the IOAPIC
 * pin the MP table names (Intel MultiProcessor Specification 1.4, and the
 * 82093AA IOAPIC datasheet for the register layout).
 */
#ifndef IRQ_H
#define IRQ_H
#include "arch.h"

/* Vectors: above the 32 exceptions, one per source. */
#define VEC_PIT		0x30
#define VEC_COM1	0x34
#define VEC_WATCHDOG	0x40
#define VEC_VIRTIO	0x50	/* 0x50-0xCF: MSI-X, 4 per virtio device */
#define VEC_SPURIOUS	0xFF

typedef void (*irq_handler_t)(struct frame *f);

/* irq.c */
void cpu_tables_init(void);	/* our GDT (reloaded) and IDT */
void irq_set_handler(unsigned vec, irq_handler_t h);
extern volatile u64 unexpected_irqs;

/* apic.c */
#define LAPIC_DEFAULT_BASE	0xFEE00000ul
#define IOAPIC_DEFAULT_BASE	0xFEC00000ul
const char *lapic_init(void);	/* NULL on success, else why not */
u32 lapic_read(unsigned reg);
void lapic_write(unsigned reg, u32 v);
void lapic_eoi(void);
u8 lapic_id(void);
void pic_mask_all(void);
void ioapic_set_base(u64 base);
u32 ioapic_read(unsigned reg);
void ioapic_route(unsigned pin, u8 vec, u16 mp_flags);
void ioapic_mask(unsigned pin);

/* timer.c: the PIT on an IOAPIC pin, with a LAPIC-timer watchdog so that
 * no wait can hang even when the PIT never fires. */
extern volatile u64 pit_ticks, watchdog_ticks;
const char *ticker_start(unsigned hz, unsigned pin, u16 mp_flags);
void ticker_stop(unsigned pin);
/* Sleep (sti; hlt) until *flag is non-zero or `ticks` PIT ticks passed.
 * Returns NULL when woken for either reason, or a reason string when the
 * PIT stayed silent for about a second of watchdog time. */
const char *ticker_wait(volatile int *flag, u64 ticks);
/* The same with any condition, checked with interrupts off between sleeps. */
const char *ticker_wait_until(bool (*done)(const void *arg), const void *arg, u64 ticks);
/* The PIT on ISA IRQ 0's pin from the MP table, at hz: what device tests
 * use to bound their waits. clock_stop() is safe to call when not started. */
const char *clock_start(unsigned hz);
void clock_stop(void);

#endif
