using System.Buffers.Binary;
using LguestPS.Engine.Bus;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;
using LguestPS.Engine.Tests.Virtio.Queue;
using LguestPS.Engine.Virtio.Queue;
using LguestPS.Engine.Virtio.Rng;
using LguestPS.Engine.Virtio.Transport;

namespace LguestPS.Engine.Tests.Virtio.Devices;

/// <summary>
/// The virtio-pci transport driven the way a driver drives it: configuration
/// cycles through 0xCF8/0xCFC, BAR0 accesses through the MMIO bus. The host
/// side (ioeventfd, irqfd) is a recorder: there is no KVM here.
/// </summary>
public sealed class VirtioPciTests : IDisposable
{
    private sealed class Host : IVirtioHost, IMsiRouter, IIrqLine
    {
        public List<(ulong Gpa, EventFd Fd)> Kicks { get; } = new();
        public List<uint> Fired { get; } = new();
        public Dictionary<uint, (ulong Addr, uint Data)> Routes { get; } = new();
        public bool IntxHigh { get; private set; }
        private uint _next = 24;
        public void AddKick(ulong gpa, uint len, EventFd fd) => Kicks.Add((gpa, fd));
        public void RemoveKick(ulong gpa, uint len, EventFd fd) => Kicks.RemoveAll(k => k.Gpa == gpa);
        public IMsiRouter Msi => this;
        public IIrqLine Intx(int slot) => this;
        public uint Allocate() => _next++;
        public void Route(uint h, ulong a, uint d) => Routes[h] = (a, d);
        public void Fire(uint h) { lock (Fired) { Fired.Add(h); Monitor.PulseAll(Fired); } }
        public void Set(bool high) => IntxHigh = high;
    }

    private const ulong BarBase = 0xC000_0000;
    private readonly GuestMemory _mem = new(4 << 20);
    private readonly Host _host = new();
    private readonly MmioBus _mmio = new();
    private readonly PciRoot _pci;
    private readonly VirtioPci _fn;
    private readonly int _slot;

    public VirtioPciTests()
    {
        _pci = new PciRoot(_mmio);
        _fn = new VirtioPci(new RngDevice(), _mem, _host, BarBase);
        _slot = _pci.Add(_fn);
    }

    public void Dispose()
    {
        _fn.Dispose();
        _mem.Dispose();
    }

    private uint Cfg(int reg, int size = 4)
    {
        _pci.Write(0, 4, 0x8000_0000u | (uint)(_slot << 11) | (uint)(reg & 0xFC));
        return _pci.Read((ushort)(4 + (reg & 3)), size);
    }

    private void CfgWrite(int reg, int size, uint v)
    {
        _pci.Write(0, 4, 0x8000_0000u | (uint)(_slot << 11) | (uint)(reg & 0xFC));
        _pci.Write((ushort)(4 + (reg & 3)), size, v);
    }

    private ulong R(ulong off, int size)
    {
        Span<byte> b = stackalloc byte[8];
        _mmio.Read(BarBase + off, b[..size]);
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    private void W(ulong off, int size, ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        _mmio.Write(BarBase + off, b[..size]);
    }

    /// <summary>Walks the capability list: cfg_type → (offset in config space, BAR offset).</summary>
    private Dictionary<int, (int Cap, uint BarOffset)> Caps()
    {
        var caps = new Dictionary<int, (int, uint)>();
        for (int p = (int)Cfg(0x34, 1); p != 0; p = (int)Cfg(p + 1, 1))
        {
            int id = (int)Cfg(p, 1);
            if (id == 0x09) caps[(int)Cfg(p + 3, 1)] = (p, Cfg(p + 8));
            else caps[0x100 + id] = (p, 0);
        }
        return caps;
    }

    [Fact]
    public void LooksLikeAModernVirtioDevice()
    {
        Assert.Equal(0x1044_1AF4u, Cfg(0));               // 4.1.2.1: vendor 0x1AF4, device 0x1040 + 4 (rng)
        Assert.True(Cfg(0x08, 1) >= 1);                   // revision >= 1: non-transitional
        Assert.True(Cfg(0x2E, 2) >= 0x40);                // subsystem device id >= 0x40
        var caps = Caps();
        Assert.Contains(1, caps.Keys); Assert.Contains(2, caps.Keys); Assert.Contains(3, caps.Keys);
        Assert.Contains(5, caps.Keys); Assert.Contains(0x111, caps.Keys);
        Assert.DoesNotContain(4, caps.Keys);              // rng has no device configuration
        Assert.Equal(4u, Cfg(caps[2].Cap + 16));           // notify_off_multiplier
        Assert.Equal(BarBase + 0x3000, _host.Kicks.Single().Gpa); // the one queue's doorbell, registered with "KVM"
    }

    [Fact]
    public void BarSizingAndMovingFollowTheGuest()
    {
        CfgWrite(0x10, 4, 0xFFFF_FFFF);
        CfgWrite(0x14, 4, 0xFFFF_FFFF);
        Assert.Equal(0xFFFF_8004u, Cfg(0x10));            // 32 KiB, 64-bit memory BAR
        Assert.Equal(0xFFFF_FFFFu, Cfg(0x14));
        CfgWrite(0x04, 2, 0);                              // decoding off while we move it
        CfgWrite(0x10, 4, 0xD000_0000);
        CfgWrite(0x14, 4, 0);
        CfgWrite(0x04, 2, 0x6);                            // memory + bus master
        Assert.Equal(0xD000_3000UL, _host.Kicks.Single().Gpa); // the doorbell moved with the BAR
        Span<byte> b = stackalloc byte[2];
        _mmio.Read(0xD000_0012, b);                        // num_queues, at the new place
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(b));
    }

    [Fact]
    public void FeaturesWeDidNotOfferAreRefused()
    {
        W(0x14, 1, 1 | 2);                                 // ACKNOWLEDGE | DRIVER
        W(0x08, 4, 1); W(0x0C, 4, 1);                      // VERSION_1
        W(0x08, 4, 0); W(0x0C, 4, 1u << 5);                // bit 5: not ours
        W(0x14, 1, 1 | 2 | 8);
        Assert.Equal(0UL, R(0x14, 1) & 8);                 // FEATURES_OK did not stick
        W(0x14, 1, 0);                                     // reset
        W(0x14, 1, 1 | 2);
        W(0x08, 4, 1); W(0x0C, 4, 0);                      // no VERSION_1: a legacy driver
        W(0x14, 1, 1 | 2 | 8);
        Assert.Equal(0UL, R(0x14, 1) & 8);
    }

    private FakeDriver Negotiate(bool msix)
    {
        var drv = new FakeDriver(_mem, 16, 0x1000);
        W(0x14, 1, 1 | 2);
        W(0x00, 4, 1);
        Assert.Equal(1UL, R(0x04, 4) & 1);                 // VERSION_1 offered (bit 32)
        W(0x08, 4, 1); W(0x0C, 4, 1);
        W(0x14, 1, 1 | 2 | 8);
        Assert.Equal(8UL, R(0x14, 1) & 8);
        if (msix)
        {
            var caps = Caps();
            CfgWrite(caps[0x111].Cap + 2, 2, 0x8000);      // MSI-X enable
            W(0x4000, 8, 0xFEE0_0000); W(0x4008, 4, 0x41); W(0x400C, 4, 0); // vector 0: unmasked
        }
        W(0x16, 2, 0);                                     // queue_select 0
        Assert.Equal(256UL, R(0x18, 2));
        W(0x18, 2, 16);
        if (msix) W(0x1A, 2, 0);
        W(0x20, 4, drv.Desc); W(0x24, 4, 0);               // 64-bit fields, in halves as Linux writes them
        W(0x28, 8, drv.Avail);
        W(0x30, 8, drv.Used);
        W(0x1C, 2, 1);
        Assert.Equal(1UL, R(0x1C, 2));
        W(0x14, 1, 1 | 2 | 8 | 4);                         // DRIVER_OK
        return drv;
    }

    private static void WaitFor(Func<bool> cond, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!cond())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            Thread.Yield();
        }
    }

    [Fact]
    public void AKickIsServedAndInterruptsThroughMsiX()
    {
        var drv = Negotiate(msix: true);
        Assert.Equal((0xFEE0_0000UL, 0x41u), _host.Routes[24]);
        drv.AddAndPublish([new Buf(0x40000, 16, true)]);
        _host.Kicks.Single().Fd.Signal();                  // what KVM does on the doorbell write
        WaitFor(() => drv.UsedIdx == 1, "the used ring");
        lock (_host.Fired) { while (_host.Fired.Count == 0) Monitor.Wait(_host.Fired, 10000); }
        Assert.Equal(24u, _host.Fired[0]);
        Assert.False(_host.IntxHigh);
    }

    [Fact]
    public void WithoutMsiXTheIsrAndIntxCarryTheInterrupt()
    {
        var drv = Negotiate(msix: false);
        drv.AddAndPublish([new Buf(0x40000, 16, true)]);
        W(0x3000, 4, 0);                                   // a 4-byte doorbell write KVM would not catch: our slow path
        WaitFor(() => _host.IntxHigh, "INTx");
        Assert.Equal(1UL, R(0x1000, 1));                   // ISR: queue interrupt; reading clears it
        Assert.False(_host.IntxHigh);
        Assert.Equal(0UL, R(0x1000, 1));
    }

    [Fact]
    public void AMalformedChainPutsTheDeviceInNeedsResetAndAResetRecovers()
    {
        var drv = Negotiate(msix: true);
        drv.WriteDesc(0, 0x40000, 16, VirtqAbi.VIRTQ_DESC_F_NEXT | VirtqAbi.VIRTQ_DESC_F_WRITE, next: 200); // next out of range
        drv.Publish(0);
        _host.Kicks.Single().Fd.Signal();
        WaitFor(() => (R(0x14, 1) & 0x40) != 0, "DEVICE_NEEDS_RESET");
        W(0x14, 1, 0);
        Assert.Equal(0UL, R(0x14, 1));
        var again = Negotiate(msix: true);                 // the same device works after the reset
        again.AddAndPublish([new Buf(0x40000, 16, true)]);
        _host.Kicks.Single().Fd.Signal();
        WaitFor(() => again.UsedIdx == 1, "service after reset");
    }

    [Fact]
    public void MaskedVectorsWaitInThePendingBitsUntilUnmasked()
    {
        var drv = Negotiate(msix: true);
        W(0x400C, 4, 1);                                   // mask vector 0
        drv.AddAndPublish([new Buf(0x40000, 16, true)]);
        _host.Kicks.Single().Fd.Signal();
        WaitFor(() => drv.UsedIdx == 1, "the used ring");
        WaitFor(() => (R(0x5000, 8) & 1) == 1, "the pending bit");
        Assert.Empty(_host.Fired);
        W(0x400C, 4, 0);                                   // unmask: the pending interrupt goes out
        Assert.Single(_host.Fired);
        Assert.Equal(0UL, R(0x5000, 8) & 1);
    }

    [Fact]
    public void ThePciConfigurationWindowReachesBar0()
    {
        var caps = Caps();
        int cap = caps[5].Cap;
        CfgWrite(cap + 4, 1, 0);                           // bar 0
        CfgWrite(cap + 8, 4, 0x12);                        // offset: num_queues
        CfgWrite(cap + 12, 4, 2);                          // length 2
        Assert.Equal(1u, Cfg(cap + 16) & 0xFFFF);
        CfgWrite(cap + 8, 4, 0x16);                        // queue_select, written through the window
        CfgWrite(cap + 16, 4, 7);
        Assert.Equal(7UL, R(0x16, 2));
        CfgWrite(cap + 12, 4, 3);                          // a length of 3 is not allowed: nothing happens
        CfgWrite(cap + 16, 4, 0);
        Assert.Equal(7UL, R(0x16, 2));
    }

    [Fact]
    public void HostileCommonConfigWritesDoNoHarm()
    {
        var rnd = new Random(3);
        for (int i = 0; i < 20000; i++)
        {
            ulong off = (ulong)rnd.Next(0, 0x8000);
            int size = new[] { 1, 2, 4, 8 }[rnd.Next(4)];
            if (off + (ulong)size > 0x8000) continue;
            if (rnd.Next(2) == 0) R(off, size);
            else W(off, size, (ulong)rnd.NextInt64());
        }
        W(0x14, 1, 0);                                     // and a reset still brings it back
        Assert.Equal(0UL, R(0x14, 1));
    }

    /*
     * A hostile guest let loose on configuration space: random bus/device/
     * register addresses, widths and values through 0xCF8/0xCFC, including
     * BAR sizing, BARs moved on top of each other and into RAM or the top of
     * the address space, command toggles, capability words and the cfg
     * window; MMIO to wherever BAR0 happens to be. Nothing may throw, and
     * the device must still come back after a reset.
     */
    [Fact]
    public void HostileConfigurationCyclesDoNoHarm()
    {
        var second = new VirtioPci(new RngDevice(), _mem, _host, BarBase + 0x8000);
        _pci.Add(second);
        var rnd = new Random(11);
        Span<byte> access = stackalloc byte[8]; // one buffer for the whole storm (CA2014: no stackalloc in a loop)
        for (int i = 0; i < 50000; i++)
        {
            uint addr = 0x8000_0000u | (uint)(rnd.Next(2) == 0 ? 0 : rnd.Next(256)) << 16 | (uint)rnd.Next(4) << 11 |
                        (uint)rnd.Next(8) << 8 | (uint)rnd.Next(256);
            if (rnd.Next(8) == 0) addr &= 0x7FFF_FFFF;                      // the enable bit off, too
            int size = new[] { 1, 2, 4 }[rnd.Next(3)];
            _pci.Write((ushort)rnd.Next(4), 4, addr);
            ushort port = (ushort)(4 + rnd.Next(4));
            uint value = rnd.Next(3) switch { 0 => 0xFFFF_FFFF, 1 => 0, _ => (uint)rnd.NextInt64() };
            if (rnd.Next(2) == 0) _pci.Read(port, size);
            else _pci.Write(port, size, value);
            if (i % 16 == 0)
            {
                ulong a = _fn.Bars[0].MappedAt;
                if (a != 0)
                {
                    ulong off = (ulong)rnd.Next(0x8000);
                    int len = new[] { 1, 2, 4, 8 }[rnd.Next(4)];
                    Span<byte> b = access;
                    if (rnd.Next(2) == 0) _mmio.Read(a + off, b[..len]);
                    else { BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)rnd.NextInt64()); _mmio.Write(a + off, b[..len]); }
                }
            }
        }
        // Put BAR0 back where the driver below expects it, decoding, and reset the device: it works again.
        CfgWrite(0x04, 2, 0);
        CfgWrite(0x10, 4, (uint)BarBase);
        CfgWrite(0x14, 4, 0);
        CfgWrite(0x04, 2, 0x6);
        W(0x14, 1, 0);
        var drv = Negotiate(msix: false);
        drv.AddAndPublish([new Buf(0x40000, 16, true)]);
        W(0x3000, 4, 0);
        WaitFor(() => drv.UsedIdx == 1, "service after the storm");
        second.Dispose();
    }
}
