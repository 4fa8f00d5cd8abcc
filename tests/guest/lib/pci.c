/* PCI configuration mechanism #1; see include/pci.h. */
#include "arch.h"
#include "pci.h"

#define PCI_ADDR 0xCF8
#define PCI_DATA 0xCFC

static void select(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	/* Bit 31 enables the access; the low two offset bits are not part of
	 * the address, they pick the byte lane within 0xCFC..0xCFF. */
	outl(PCI_ADDR, 0x80000000u | (bus & 0xFF) << 16 | (dev & 0x1F) << 11 | (fn & 7) << 8 | (off & 0xFC));
}

u32 pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	select(bus, dev, fn, off);
	return inl(PCI_DATA);
}

u16 pci_read16(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	select(bus, dev, fn, off);
	return inw((u16)(PCI_DATA + (off & 2)));
}

u8 pci_read8(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	select(bus, dev, fn, off);
	return inb((u16)(PCI_DATA + (off & 3)));
}

void pci_write32(unsigned bus, unsigned dev, unsigned fn, unsigned off, u32 v)
{
	select(bus, dev, fn, off);
	outl(PCI_DATA, v);
}

void pci_write16(unsigned bus, unsigned dev, unsigned fn, unsigned off, u16 v)
{
	select(bus, dev, fn, off);
	outw((u16)(PCI_DATA + (off & 2)), v);
}

void pci_write8(unsigned bus, unsigned dev, unsigned fn, unsigned off, u8 v)
{
	select(bus, dev, fn, off);
	outb((u16)(PCI_DATA + (off & 3)), v);
}
