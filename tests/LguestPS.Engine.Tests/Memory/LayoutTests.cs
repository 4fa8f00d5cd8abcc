using LguestPS.Engine.Boot;
using LguestPS.Engine.Boot.Acpi;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;
using LguestPS.Engine.Tests.Boot;

namespace LguestPS.Engine.Tests.Memory;

/*
 * Layout declares every fixed area of low memory, start and size. These tests
 * hold it to two things: the declared areas do not overlap, and what the
 * boot loader really writes (watched byte by byte, not taken from Layout)
 * falls inside them, writer by writer.
 */
public class LayoutTests : IDisposable
{
    private readonly TempFiles _files = new();
    public void Dispose() => _files.Dispose();

    private static readonly (string Name, ulong Start, ulong Size)[] Areas =
    [
        ("tss", Layout.Tss, Layout.TssSize),
        ("gdt", Layout.Gdt, Layout.GdtSize),
        ("idt", Layout.Idt, Layout.IdtSize),
        ("boot_params", Layout.BootParams, Layout.BootParamsSize),
        ("boot stack", Layout.BootStackTop - Layout.BootStackSize, Layout.BootStackSize),
        ("pml4", Layout.Pml4, Layout.PageTableSize),
        ("pdpt", Layout.Pdpt, Layout.PageTableSize),
        ("pd", Layout.PageDirs, Layout.PageTableSize * Layout.PageDirCount),
        ("cmdline", Layout.CmdLine, Layout.CmdLineMax),
        ("mp floating pointer", Layout.MpTable, Layout.MpTableSize),
        ("acpi tables", Layout.AcpiTables, Layout.AcpiTablesSize),
        ("mp configuration", Layout.MpConfig, Layout.MpConfigSize),
    ];

    [Fact]
    public void DeclaredAreasDoNotOverlapAndStayBelowTheKernel()
    {
        foreach (var a in Areas)
        {
            Assert.True(a.Size > 0, $"{a.Name} is empty");
            bool baseMemory = a.Start + a.Size <= Layout.BaseMemoryEnd;
            bool biosArea = a.Start >= Layout.AcpiTables && a.Start + a.Size <= Layout.HighMemory;
            Assert.True(baseMemory || biosArea, $"{a.Name} is neither in base memory nor in the BIOS area [0xE0000, 1 MiB)");
            foreach (var b in Areas)
                if (a.Name != b.Name)
                    Assert.False(a.Start < b.Start + b.Size && b.Start < a.Start + a.Size, $"{a.Name} overlaps {b.Name}");
        }
    }

    [Fact]
    public void PageTablesMapEveryByteBelowFourGiB() =>
        Assert.Equal(Layout.FourGiB, (ulong)Layout.PageDirCount * 512 * PageTables.LargePage);

    /// <summary>The bytes below 1 MiB that <paramref name="write"/> changes, found with two sentinel fills (a byte could equal one of them).</summary>
    private static List<ulong> Touched(Action<GuestMemory> write)
    {
        var touched = new SortedSet<ulong>();
        foreach (byte sentinel in new byte[] { 0xA5, 0x5A })
        {
            using var mem = new GuestMemory(64 << 20);
            mem.Slice(0, (int)Layout.HighMemory).Fill(sentinel);
            write(mem);
            var low = mem.Slice(0, (int)Layout.HighMemory);
            for (int i = 0; i < low.Length; i++)
                if (low[i] != sentinel) touched.Add((ulong)i);
        }
        return touched.ToList();
    }

    private static void AssertInside(List<ulong> touched, string writer, params string[] areas)
    {
        Assert.NotEmpty(touched);
        var allowed = Areas.Where(a => areas.Length == 0 || areas.Contains(a.Name)).ToList();
        var stray = touched.Where(b => !allowed.Any(a => b >= a.Start && b < a.Start + a.Size)).ToList();
        Assert.True(stray.Count == 0,
            $"{writer} wrote {stray.Count} bytes outside {(areas.Length == 0 ? "every declared area" : string.Join(", ", areas))}, first at 0x{stray.FirstOrDefault():x}");
    }

    [Fact]
    public void EachWriterStaysInItsArea()
    {
        AssertInside(Touched(Gdt.Write), "Gdt.Write", "gdt");
        AssertInside(Touched(PageTables.Write), "PageTables.Write", "pml4", "pdpt", "pd");
        AssertInside(Touched(m => MpTable.Write(m, Limits.MaxCpus, PciIntx.GsiFor)), "MpTable.Write (254 CPUs)",
            "mp floating pointer", "mp configuration");
        AssertInside(Touched(m => AcpiTables.Write(m, Limits.MaxCpus, PciIntx.GsiFor)), "AcpiTables.Write (254 CPUs)", "acpi tables");
    }

    [Fact]
    public void TheBootLoaderWritesNothingBelowOneMiBOutsideTheDeclaredAreas()
    {
        using var k = KernelImage.Open(_files.Write(new BzImageBuilder().Build()));
        string longest = new('x', k.CmdLineMax);
        var touched = Touched(m => BootLoader.Load(m, k, null, longest, Limits.MaxCpus, PciIntx.GsiFor));
        AssertInside(touched, "BootLoader.Load");
        // And every declared area is really used: a stale entry in Layout would fail here.
        foreach (var a in Areas)
            Assert.True(touched.Any(b => b >= a.Start && b < a.Start + a.Size), $"the boot loader never writes {a.Name}");
    }
}
