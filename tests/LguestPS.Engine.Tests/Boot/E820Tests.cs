using LguestPS.Engine.Boot;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Tests.Boot;

public class E820Tests : IDisposable
{
    private const ulong MiB = 1 << 20, GiB = 1 << 30;
    private readonly TempFiles _files = new();
    public void Dispose() => _files.Dispose();

    /// <summary>Usable RAM as guest-physical ranges, merged.</summary>
    private static List<(ulong Start, ulong End)> Usable(IEnumerable<E820Entry> map) =>
        map.Where(e => e.Type == 1).Select(e => (e.Addr, e.End)).OrderBy(r => r.Addr).ToList();

    [Theory]
    [InlineData(64 * MiB)]
    [InlineData(3 * GiB)]
    [InlineData(5 * GiB)]
    public void UsableRamIsAllOfRamButTheMpAndBiosArea(ulong mem)
    {
        var map = E820.For(mem);
        ulong low = Math.Min(mem, 3 * GiB);
        var expected = new List<(ulong, ulong)> { (0, 0x9FC00), (0x10_0000, low) };
        if (mem > 3 * GiB) expected.Add((4 * GiB, 4 * GiB + mem - 3 * GiB));
        Assert.Equal(expected, Usable(map));
        // The sizes add up to the guest's RAM less the 385 KiB between 0x9FC00 and 1 MiB.
        Assert.Equal(mem - (0x10_0000 - 0x9FC00), map.Where(e => e.Type == 1).Aggregate(0UL, (s, e) => s + e.Size));
        // Sorted, non-overlapping, and the reserved areas are where the tables are.
        for (int i = 1; i < map.Count; i++) Assert.True(map[i - 1].End <= map[i].Addr);
        Assert.Contains(new E820Entry(0x9FC00, 0x400, 2), map);
        Assert.Contains(new E820Entry(0xE0000, 0x20000, 2), map); // ACPI tables, then the MP configuration table
        Assert.Contains(new E820Entry(0xFEFF_C000, 0x4000, 2), map);
    }

    [Theory]
    [InlineData(64 * MiB)]
    [InlineData(3 * GiB)]
    [InlineData(5 * GiB)]
    public void IsWrittenIntoTheZeroPage(ulong size)
    {
        using var mem = new GuestMemory(size);
        using var k = KernelImage.Open(_files.Write(new BzImageBuilder().Build()));
        var plan = BootLoader.Load(mem, k, null, "", 1, PciIntx.GsiFor);
        int n = mem.Read<byte>(Layout.BootParams + 0x1E8);
        Assert.Equal(plan.E820.Count, n);
        for (int i = 0; i < n; i++)
        {
            ulong at = Layout.BootParams + 0x2D0 + (ulong)i * 20;
            Assert.Equal(plan.E820[i], new E820Entry(mem.Read<ulong>(at), mem.Read<ulong>(at + 8), mem.Read<uint>(at + 16)));
        }
        Assert.Equal(E820.For(size), plan.E820);
    }

    [Fact]
    public void EveryUsableByteIsGuestRam()
    {
        using var mem = new GuestMemory(5 * GiB);
        foreach (var e in E820.For(mem.Size).Where(e => e.Type == 1))
            Assert.True(mem.Contains(e.Addr, e.Size), $"[0x{e.Addr:x}, 0x{e.End:x}) is not backed");
    }
}
