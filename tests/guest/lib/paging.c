/*
 * Our own identity map: the first 4 GiB in 2 MiB pages (Intel SDM vol. 3,
 * 5.5 "4-Level Paging"), PML4 -> one PDPT -> four page directories. It
 * reaches the zero page and command line wherever a loader put them below
 * 4 GiB, the MP table in low memory, and the IOAPIC and local APIC at the
 * top of the 4th GiB. (KVM traps those MMIO pages whatever their memory
 * type, so no PCD/PWT is needed.) Virtio BARs above 4 GiB will need more.
 *
 * The 32-bit doors built exactly these tables in head.S already; the
 * 64-bit door runs on the loader's, which the paging test inspects later,
 * so we must never write into them.
 */
#include "boot.h"
#include "lib.h"

#define PTE_P	0x1ul
#define PTE_RW	0x2ul
#define PTE_PS	0x80ul
#define PTE_ADDR 0x000FFFFFFFFFF000ul

void paging_setup(void)
{
	if (boot.own_tables)
		return;
	u64 *pml4 = (u64 *)pgt_pml4, *pdpt = (u64 *)pgt_pdpt, *pd = (u64 *)pgt_pd;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = (u64)pdpt | PTE_P | PTE_RW;
	for (u64 i = 0; i < 4; i++)
		pdpt[i] = (u64)(pd + 512 * i) | PTE_P | PTE_RW;
	for (u64 i = 0; i < 2048; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
	/* This assumes the loader's map is the identity over our image, as
	 * the 64-bit boot protocol promises: if it is not, our tables' own
	 * addresses are wrong and we die here, which is an answer too. */
	WRITE_CR(3, pml4);
}

const char *pt_walk(u64 cr3, bool la57, u64 va, u64 *pa, u64 *page)
{
	u64 table = cr3 & PTE_ADDR;
	for (int lvl = la57 ? 5 : 4; lvl >= 1; lvl--) {
		if (table >= IDENTITY_LIMIT)
			return "page table above 4 GiB";
		unsigned shift = 12 + 9 * (unsigned)(lvl - 1);
		u64 e = ((const u64 *)table)[(va >> shift) & 511];
		if (!(e & PTE_P))
			return "not present";
		if ((lvl == 2 || lvl == 3) && (e & PTE_PS)) {
			*page = 1ul << shift;
			*pa = (e & PTE_ADDR & ~(*page - 1)) | (va & (*page - 1));
			return NULL;
		}
		table = e & PTE_ADDR;
	}
	*page = 4096;
	*pa = table | (va & 0xFFF);
	return NULL;
}
