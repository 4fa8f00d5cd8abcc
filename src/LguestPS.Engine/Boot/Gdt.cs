using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Boot;

/*L:160
 * The flat GDT the boot protocol asks for: "a GDT must be loaded with the
 * descriptors for selectors __BOOT_CS(0x10) and __BOOT_DS(0x18); both
 * descriptors must be 4G flat segment". Entries 0 and 1 are null (Linux's
 * early GDTs keep 0x08 unused too), 0x10 is 64-bit code, 0x18 is data.
 *
 * KVM takes the vCPU's segment registers as already-loaded descriptor
 * caches (kvm_sregs), not from this table; but the kernel's first far jump
 * or segment load reads the table, so the two must agree. CpuState decodes
 * its segments from these very descriptors, and a test holds them together.
 *
 * There is no TSS descriptor: four entries fill the 0x20 bytes before the
 * IDT at Layout.Idt, and no VM-entry check reads a descriptor from memory.
 * CpuState.Tr describes the task register on its own (see there).
 */
public static class Gdt
{
    public const ushort CodeSelector = 0x10; // __BOOT_CS
    public const ushort DataSelector = 0x18; // __BOOT_DS

    /// <summary>Base 0, limit 0xFFFFF x 4 KiB, P, DPL 0, S, type 0xB (execute/read, accessed), L=1 (64-bit), D=0, G=1.</summary>
    public const ulong Code64 = 0x00AF_9B00_0000_FFFF;
    /// <summary>Base 0, limit 0xFFFFF x 4 KiB, P, DPL 0, S, type 0x3 (read/write, accessed), D/B=1, G=1.</summary>
    public const ulong Data = 0x00CF_9300_0000_FFFF;

    public static ReadOnlySpan<ulong> Entries => [0, 0, Code64, Data];

    /// <summary>The GDTR limit: the table's size less one.</summary>
    public const ushort Limit = (ushort)(Layout.GdtSize - 1);

    public static void Write(GuestMemory mem)
    {
        for (int i = 0; i < Entries.Length; i++)
            mem.Write(Layout.Gdt + (ulong)i * 8, Entries[i]);
    }

    /// <summary>The segment register a load of selector from this GDT produces.</summary>
    public static Segment SegmentFor(ushort selector) => Decode(Entries[selector >> 3], selector);

    /// <summary>Unpacks a code/data descriptor into the register cache KVM wants (limit expanded to bytes).</summary>
    public static Segment Decode(ulong d, ushort selector)
    {
        bool g = (d >> 55 & 1) != 0;
        uint limit = (uint)(d & 0xFFFF) | (uint)(d >> 32 & 0xF_0000);
        return new Segment(
            Base: (d >> 16 & 0xFF_FFFF) | (d >> 32 & 0xFF00_0000),
            Limit: g ? limit << 12 | 0xFFF : limit,
            Selector: selector,
            Type: (byte)(d >> 40 & 0xF),
            Present: (d >> 47 & 1) != 0,
            Dpl: (byte)(d >> 45 & 3),
            Db: (d >> 54 & 1) != 0,
            S: (d >> 44 & 1) != 0,
            L: (d >> 53 & 1) != 0,
            G: g,
            Avl: (d >> 52 & 1) != 0);
    }
}
