/*
 * ACPI tables (ACPI 6.5, chapter 5): found the way Linux finds them, read
 * the way ACPICA reads them, and just enough AML to learn \_S5's sleep type.
 */
#ifndef ACPI_H
#define ACPI_H
#include "types.h"

#define ACPI_MAX_TABLES 16

struct acpi_table {
	char sig[5];
	u64 addr;
	u32 len;
};

struct acpi_info {
	bool found;
	const char *error;		/* why the tables are unusable, or NULL */
	const char *where;		/* "boot_params", "EBDA", "BIOS area" */
	u64 rsdp_addr, bp_rsdp;		/* found; what boot_params.acpi_rsdp_addr said */
	u8 rsdp_rev;
	bool xsdt;			/* the root table is an XSDT, not an RSDT */
	u64 root_addr;
	unsigned ntables;
	struct acpi_table tables[ACPI_MAX_TABLES];	/* root's entries, then the DSDT */
};

/* Finds and checks every table once (checksums, lengths, signatures). */
const struct acpi_info *acpi_get(void);
/* The FADT of usable tables, or NULL with *why saying what is missing. */
const u8 *acpi_fadt(u32 *len, const char **why);
/* A table by signature (the first), or NULL. */
const u8 *acpi_table(const char *sig, u32 *len);

/* FADT fields (Table 5.9) and flags (Table 5.10), as offsets. */
#define FADT_DSDT		40
#define FADT_SCI_INT		46
#define FADT_PM1A_CNT_BLK	64
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_X_DSDT		140
#define FADT_SLEEP_CONTROL	244
#define FADT_SLEEP_STATUS	256
#define FADT_RESET_REG_SUP	(1u << 10)
#define FADT_HW_REDUCED		(1u << 20)

/* A Generic Address Structure (5.2.3.2). */
struct __packed acpi_gas {
	u8 space, bit_width, bit_offset, access;
	u64 addr;
};
#define ACPI_SPACE_MEM	0
#define ACPI_SPACE_IO	1

/* What the MADT says: enabled local APICs (ours among them?), the first IOAPIC. */
struct madt_info {
	unsigned ncpu;
	bool bsp_seen;
	unsigned nioapic;
	u8 ioapic_id;
	u32 ioapic_addr, ioapic_gsi_base;
	const char *error;
};
void acpi_madt(struct madt_info *out);

/* The first element of \_S5's package in the DSDT: SLP_TYP for power-off. -1 if not found. */
int acpi_s5_sleep_type(void);

#endif
