using LguestPS.Engine.Tests.Platform;
using LguestPS.Engine.Tests.Virtio.Queue;
using LguestPS.Engine.Virtio.Console;
using LguestPS.Engine.Virtio.Rng;

namespace LguestPS.Engine.Tests.Virtio.Devices;

public class RngAndConsoleTests
{
    [Fact]
    public void RngFillsBuffersButBoundsEachRequest()
    {
        var rng = new RngDevice();
        using var h = new DeviceHarness(rng);
        Assert.Equal(64u, h.Serve(0, new Buf(0x40000, 32, true), new Buf(0x41000, 32, true)));
        Assert.Contains(h.Bytes(0x40000, 32), b => b != 0);
        // A greedy chain (1 MiB) gets at most the per-request budget.
        uint got = h.Serve(0, new Buf(0x100000, 1 << 20, true));
        Assert.Equal((uint)RngDevice.MaxPerRequest, got);
        Assert.Equal(64L + RngDevice.MaxPerRequest, rng.BytesServed);
    }

    [Fact]
    public void ConsoleTransmitsToTheSink()
    {
        var sink = new RecordingSink();
        using var h = new DeviceHarness(new ConsoleDevice(sink));
        h.Mem.Write(0x40000, "hello "u8);
        h.Mem.Write(0x41000, "hvc0\n"u8);
        Assert.Equal(0u, h.Serve(1, new Buf(0x40000, 6), new Buf(0x41000, 5)));
        Assert.Equal("hello hvc0\n"u8.ToArray(), sink.Out);
        Assert.Equal([1], h.Interrupts);
    }

    [Fact]
    public void ConsoleInputWaitsForGuestBuffersAndIsNeverDropped()
    {
        var con = new ConsoleDevice(new RecordingSink());
        using var h = new DeviceHarness(con);
        Assert.True(con.Active);
        Assert.Equal(3, con.Receive("abc"u8));
        con.Process(0);                                     // no buffers yet: the input waits
        Assert.False(h.Drivers[0].TryTakeUsed(out _, out _));
        Assert.Equal(3u, h.Serve(0, new Buf(0x40000, 64, true)));
        Assert.Equal("abc"u8.ToArray(), h.Bytes(0x40000, 3));
        // Backpressure: a flood fills the device buffer, and the rest is offered again later.
        int took = con.Receive(new byte[10000]);
        Assert.Equal(4096, took);
        bool space = false;
        con.SpaceAvailable += () => space = true;
        h.Serve(0, new Buf(0x40000, 4096, true));
        Assert.True(space);
    }

    [Fact]
    public void EmergencyWritePrintsAtOnce()
    {
        var sink = new RecordingSink();
        var con = new ConsoleDevice(sink);
        con.WriteConfig(8, [(byte)'!', 0, 0, 0]);
        Assert.Equal("!"u8.ToArray(), sink.Out);
        Assert.NotEqual(0UL, con.Features & (1UL << ConsoleDevice.FeatureEmergWrite));
    }
}
