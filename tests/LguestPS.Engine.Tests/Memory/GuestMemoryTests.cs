using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Tests.Memory;

public class GuestMemoryTests
{
    [Fact]
    public void ReadsBackWhatWasWritten()
    {
        using var m = new GuestMemory(1 << 20);
        m.Write<ulong>(0x1000, 0x1122334455667788);
        Assert.Equal(0x1122334455667788UL, m.Read<ulong>(0x1000));
        Assert.Equal(0x88, m.Slice(0x1000, 1)[0]);
    }

    [Theory]
    [InlineData(0x100000UL, 1UL)]            // one past the end
    [InlineData(0xFFFFFUL, 2UL)]             // straddles the end
    [InlineData(0xFFFFFFFFFFFFFFF0UL, 0x20UL)] // wraps around
    [InlineData(ulong.MaxValue, 1UL)]
    public void RefusesAccessOutsideRam(ulong gpa, ulong len)
    {
        using var m = new GuestMemory(1 << 20);
        Assert.False(m.Contains(gpa, len));
        Assert.Throws<GuestMemoryException>(() => m.Slice(gpa, (int)len));
    }

    [Fact]
    public void RamAboveTheHoleResumesAtFourGiB()
    {
        ulong size = Layout.MmioHoleStart + (1 << 20);
        using var m = new GuestMemory(size);
        Assert.Equal(2, m.Regions.Count);
        Assert.Equal(Layout.FourGiB, m.Regions[1].Gpa);
        Assert.False(m.Contains(Layout.MmioHoleStart, 1));  // the hole is not RAM
        Assert.True(m.Contains(Layout.FourGiB + (1 << 20) - 8, 8));
        Assert.False(m.Contains(Layout.FourGiB + (1 << 20) - 4, 8));
        Assert.False(m.Contains(Layout.MmioHoleStart - 4, 8)); // no access spans the hole
        m.Write<uint>(Layout.FourGiB, 0xCAFEF00D);
        Assert.Equal(0xCAFEF00Du, m.Read<uint>(Layout.FourGiB));
    }

    [Fact]
    public void DiscardZeroesRam()
    {
        using var m = new GuestMemory(1 << 20);
        m.Write<uint>(0x5000, 7);
        m.Discard();
        Assert.Equal(0u, m.Read<uint>(0x5000));
    }
}
