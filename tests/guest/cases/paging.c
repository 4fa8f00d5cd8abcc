/*
 * paging: did the loader hand over long mode as the 64-bit boot protocol
 * asks (boot.rst, "64-bit BOOT PROTOCOL")? "The CPU must be in 64-bit mode
 * with paging enabled. The range with setup_header.init_size from start
 * address of loaded kernel and zero page and command line buffer get ident
 * mapping", with __BOOT_CS (0x10) in CS and __BOOT_DS (0x18) in DS, ES, SS.
 *
 * We judge the state boot_capture() recorded before we changed anything,
 * and walk the loader's page tables (still intact in its memory) through
 * our own identity map.
 */
#include "boot.h"
#include "lib.h"
#include "test.h"

static const char *check_identity(const char *what, u64 start, u64 len, char *why, size_t n)
{
	bool la57 = boot.cr4 & CR4_LA57;
	for (u64 va = start & ~0xFFFul; va < start + len;) {
		u64 pa, page;
		const char *err = pt_walk(boot.cr3, la57, va, &pa, &page);
		if (err) {
			snformat(why, n, "%s: 0x%lx %s in the boot page tables", what, va, err);
			return why;
		}
		if (pa != va) {
			snformat(why, n, "%s: 0x%lx maps to 0x%lx, not identity", what, va, pa);
			return why;
		}
		va = (va & ~(page - 1)) + page;
	}
	return NULL;
}

static void run_paging(void)
{
	if (!(boot.efer & EFER_LMA))
		return fail("EFER.LMA clear (EFER 0x%lx): not in long mode", boot.efer);
	if (!(boot.cr0 & CR0_PG) || !(boot.cr0 & CR0_PE))
		return fail("CR0 0x%lx: PG and PE must both be set", boot.cr0);
	if (!(boot.cr4 & CR4_PAE))
		return fail("CR4 0x%lx: PAE clear", boot.cr4);
	/* Descriptor bit 53 is L (64-bit code), bit 54 D must then be 0. */
	if (boot.cs_desc && (!((boot.cs_desc >> 53) & 1) || ((boot.cs_desc >> 54) & 1)))
		return fail("boot CS 0x%x descriptor 0x%lx is not 64-bit code (L=1, D=0)", boot.cs, boot.cs_desc);

	if (boot.own_tables)
		return ok("LMA PG PAE L=1; page tables are our own (entered via %s)", kind_name(boot.kind));

	if (boot.cs != SEL_CODE64 || boot.ds != SEL_DATA || boot.es != SEL_DATA || boot.ss != SEL_DATA)
		return fail("selectors CS 0x%x DS 0x%x ES 0x%x SS 0x%x, expected CS 0x10 and DS/ES/SS 0x18", boot.cs,
			    boot.ds, boot.es, boot.ss);

	char why[160];
	if (check_identity("zero page", boot.zp_addr, 4096, why, sizeof(why)))
		return fail("%s", why);
	if (boot.cmdline && check_identity("command line", boot.cmdline_addr, boot.cmdline_len + 1, why, sizeof(why)))
		return fail("%s", why);
	if (check_identity("image", boot.load, boot.init_size, why, sizeof(why)))
		return fail("%s", why);
	ok("LMA PG PAE L=1, CS 0x10 DS 0x18; identity: zero page 0x%lx, %s0x%lx+0x%lx image", boot.zp_addr,
	   boot.cmdline ? "command line, " : "no command line, ", boot.load, boot.init_size);
}
GUEST_TEST(10, paging, run_paging, 0);
