using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Tests.Memory;

public class LayoutTests
{
    [Fact]
    public void FixedLowAreasDoNotOverlap()
    {
        var areas = new (string Name, ulong Start, ulong Size)[]
        {
            ("gdt", Layout.Gdt, 0x20), ("idt", Layout.Idt, 0x10),
            ("boot_params", Layout.BootParams, 0x1000),
            ("pml4", Layout.Pml4, 0x1000), ("pdpt", Layout.Pdpt, 0x1000),
            ("pd", Layout.PageDirs, 0x1000UL * Layout.PageDirCount),
            ("cmdline", Layout.CmdLine, Layout.CmdLineMax),
            ("mptable", Layout.MpTable, 0x400),
        };
        foreach (var a in areas)
        {
            Assert.True(a.Start + a.Size <= Layout.EbdaStart + 0x400, $"{a.Name} is past base memory");
            foreach (var b in areas)
                if (a.Name != b.Name)
                    Assert.False(a.Start < b.Start + b.Size && b.Start < a.Start + a.Size, $"{a.Name} overlaps {b.Name}");
        }
    }

    [Fact]
    public void PageTablesMapEveryByteBelowFourGiB() =>
        Assert.Equal(Layout.FourGiB, (ulong)Layout.PageDirCount * 512 * 0x200000);
}
