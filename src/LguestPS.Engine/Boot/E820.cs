using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Boot;

/*L:140
 * The memory map. The seed's was one line, "all of it is RAM"; a PC's is
 * more particular, and the kernel's early code believes it to the byte:
 *
 *   [0, 0x9FC00)              RAM: conventional memory, our boot tables live here
 *   [0x9FC00, 0xA0000)        reserved: the MP floating pointer (last KiB of base memory)
 *   [0xE0000, 0x100000)       reserved: the BIOS area, with the ACPI tables and the MP
 *                             configuration table
 *   [0x100000, low end)       RAM: up to the guest's size or 3 GiB, whichever is less
 *   [0xFEFFC000, 0xFF000000)  reserved: KVM's identity-map page and real-mode TSS (the
 *                             kernel must not put a PCI BAR there; QEMU reserves it too)
 *   [4 GiB, 4 GiB + rest)     RAM: whatever did not fit below the PCI hole
 *
 * [0xA0000, 0xE0000) is left out, as the VGA and option-ROM hole always is.
 * Linux reads the map from boot_params.e820_table (e820_entries of them).
 */
public static class E820
{
    private const ulong KvmPrivateEnd = Layout.KvmTss + 3 * Sizes.Page;

    /// <summary>The map for a guest of memoryBytes (at least 1 MiB) of RAM, in address order.</summary>
    public static IReadOnlyList<E820Entry> For(ulong memoryBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryBytes, Layout.HighMemory);
        ulong lowEnd = Math.Min(memoryBytes, Layout.MmioHoleStart);
        var map = new List<E820Entry>
        {
            new(0, Layout.EbdaStart, ZeroPage.E820Ram),
            new(Layout.MpTable, 0xA0000 - Layout.MpTable, ZeroPage.E820Reserved),
            new(Layout.AcpiTables, Layout.HighMemory - Layout.AcpiTables, ZeroPage.E820Reserved),
        };
        if (lowEnd > Layout.HighMemory)
            map.Add(new(Layout.HighMemory, lowEnd - Layout.HighMemory, ZeroPage.E820Ram));
        map.Add(new(Layout.KvmIdentityMap, KvmPrivateEnd - Layout.KvmIdentityMap, ZeroPage.E820Reserved));
        if (memoryBytes > lowEnd)
            map.Add(new(Layout.FourGiB, memoryBytes - lowEnd, ZeroPage.E820Ram));
        return map;
    }
}
