using LguestPS.Engine.Bus;

namespace LguestPS.Engine.Tests.Bus;

public class BusTests
{
    private sealed class Recorder : IPortDevice, IMmioDevice
    {
        public List<(ulong Offset, int Size, uint Value)> Writes { get; } = new();
        public uint Read(ushort offset, int size) => 0x1000u + offset;
        public void Write(ushort offset, int size, uint value) => Writes.Add((offset, size, value));
        public void Read(ulong offset, Span<byte> data) => data.Fill((byte)offset);
        public void Write(ulong offset, ReadOnlySpan<byte> data) => Writes.Add((offset, data.Length, data[0]));
    }

    [Fact]
    public void PortsDispatchWithOffsetsAndUnknownPortsFloatHigh()
    {
        var bus = new IoBus();
        var dev = new Recorder();
        bus.Register(0x3F8, 8, "uart", dev);
        Assert.Equal(0x1005u, bus.Read(0x3FD, 1));
        bus.Write(0x3F9, 1, 7);
        Assert.Equal((1UL, 1, 7u), dev.Writes.Single());
        Assert.Equal(0xFFu, bus.Read(0x2F8, 1));
        Assert.Equal(0xFFFFu, bus.Read(0x2F8, 2));
        Assert.Equal(0xFFFFFFFFu, bus.Read(0x2F8, 4));
        bus.Write(0x2F8, 1, 1); // ignored, no exception
    }

    [Fact]
    public void OverlappingPortsAreRefused()
    {
        var bus = new IoBus();
        bus.Register(0x60, 1, "a", new Recorder());
        Assert.Throws<InvalidOperationException>(() => bus.Register(0x5F, 2, "b", new Recorder()));
    }

    [Fact]
    public void MmioFindsRegionsAndRefusesStraddlingAccesses()
    {
        var bus = new MmioBus();
        var a = new Recorder();
        bus.Register(0xC000_0000, 0x1000, "a", a);
        bus.Register(0xC000_2000, 0x1000, "b", new Recorder());
        Span<byte> buf = stackalloc byte[4];
        bus.Read(0xC000_0010, buf);
        Assert.Equal(0x10, buf[0]);
        bus.Read(0xC000_0FFE, buf); // straddles the end of "a": nobody answers
        Assert.Equal(0xFF, buf[0]);
        bus.Read(0xC000_1000, buf); // the gap
        Assert.Equal(0xFF, buf[0]);
        bus.Write(0xC000_0004, new byte[] { 9 });
        Assert.Equal((4UL, 1, 9u), a.Writes.Single());
        Assert.Throws<InvalidOperationException>(() => bus.Register(0xC000_0800, 0x1000, "c", new Recorder()));
        bus.Unregister(a, 0xC000_0000);
        bus.Read(0xC000_0010, buf);
        Assert.Equal(0xFF, buf[0]);
    }
}
