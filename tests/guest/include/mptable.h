/* The MP configuration table (Intel MultiProcessor Specification 1.4). */
#ifndef MPTABLE_H
#define MPTABLE_H
#include "types.h"

#define MP_NO_ROUTE 0xFF

struct mp_info {
	bool found;
	const char *error;		/* why the table is unusable, or NULL */
	u64 fps_addr, cfg_addr;
	u8 fps_rev, cfg_rev;		/* 1 = 1.1, 4 = 1.4 */
	u16 entries;
	u32 lapic_addr;
	unsigned ncpu, nbsp;
	u8 bsp_apic_id;
	bool isa, pci;
	int isa_bus_id;			/* -1 if none */
	unsigned nioapic;
	u8 ioapic_id, ioapic_flags;
	u32 ioapic_addr;
	/* ISA IRQ n goes to IOAPIC pin irq_pin[n] (MP_NO_ROUTE: no entry). */
	u8 irq_pin[16];
	u8 irq_dst[16];
	u16 irq_flags[16];
	bool ext_ok;			/* extended table checksum (or none) */
};

/* Finds and parses the table once; later calls return the same answer. */
const struct mp_info *mp_get(void);

/* The IOAPIC pin and MP flags ISA IRQ `irq` arrives on, or why the table
 * gives none (NULL on success). */
const char *mp_isa_route(unsigned irq, unsigned *pin, u16 *flags);

#endif
