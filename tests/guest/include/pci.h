/*
 * PCI configuration space through configuration mechanism #1 (PCI Local Bus
 * Specification 3.0, 3.2.2.3.2): write the address of a dword to 0xCF8,
 * move the data through 0xCFC + (offset & 3). Two port accesses, so two VM
 * exits, per access: read what you need, not whole headers.
 */
#ifndef PCI_H
#define PCI_H
#include "types.h"

#define PCI_VENDOR_ID	0x00
#define PCI_DEVICE_ID	0x02
#define PCI_COMMAND	0x04
#define PCI_STATUS	0x06
#define PCI_CLASS_REV	0x08
#define PCI_HEADER_TYPE	0x0E
#define PCI_BAR0	0x10
#define PCI_CAP_PTR	0x34
#define PCI_INT_LINE	0x3C
#define PCI_STATUS_CAP_LIST 0x10

u32 pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned off);
u16 pci_read16(unsigned bus, unsigned dev, unsigned fn, unsigned off);
u8 pci_read8(unsigned bus, unsigned dev, unsigned fn, unsigned off);
void pci_write32(unsigned bus, unsigned dev, unsigned fn, unsigned off, u32 v);
void pci_write16(unsigned bus, unsigned dev, unsigned fn, unsigned off, u16 v);
void pci_write8(unsigned bus, unsigned dev, unsigned fn, unsigned off, u8 v);

#endif
