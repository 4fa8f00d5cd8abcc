using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Boot;

/*L:150
 * Long mode cannot be entered without paging, and the 64-bit boot protocol
 * wants identity mappings for the kernel, its init_size, the zero page and
 * the command line. We map all of [0, 4 GiB) one to one with 2 MiB pages: a
 * PML4 with one entry, a PDPT with four, and four page directories of 512
 * large pages each. Six pages of tables, and every address the kernel can be
 * told about below 4 GiB is reachable before it builds its own tables.
 *
 * Every entry is present and writable; none is user or no-execute (EFER.NXE
 * is clear, so bit 63 would be reserved). The hole above 3 GiB is mapped too:
 * harmless, since nothing is there until a device claims it.
 */
public static class PageTables
{
    public const ulong Present = 1 << 0, Writable = 1 << 1, PageSize = 1 << 7;
    public const ulong LargePage = 2 << 20;

    public static void Write(GuestMemory mem)
    {
        mem.Clear(Layout.Pml4, Layout.PageTableSize);
        mem.Clear(Layout.Pdpt, Layout.PageTableSize);
        mem.Write(Layout.Pml4, Layout.Pdpt | Present | Writable);
        for (int i = 0; i < Layout.PageDirCount; i++)
        {
            ulong pd = Layout.PageDirs + (ulong)i * Layout.PageTableSize;
            mem.Write(Layout.Pdpt + (ulong)i * 8, pd | Present | Writable);
            for (int j = 0; j < 512; j++)
            {
                ulong pa = ((ulong)i * 512 + (ulong)j) * LargePage;
                mem.Write(pd + (ulong)j * 8, pa | Present | Writable | PageSize);
            }
        }
    }
}
