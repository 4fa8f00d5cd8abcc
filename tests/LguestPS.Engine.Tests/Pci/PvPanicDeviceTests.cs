using LguestPS.Engine.Bus;
using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Tests.Pci;

/// <summary>pvpanic-pci as Linux's driver sees it: IDs, one memory BAR, and the event byte in it (QEMU's docs/specs/pvpanic.rst).</summary>
public class PvPanicDeviceTests
{
    private static uint Cfg(PciRoot pci, int dev, int reg, int size = 4)
    {
        pci.Write(0, 4, 0x8000_0000u | (uint)(dev << 11) | (uint)(reg & 0xFC));
        return pci.Read((ushort)(4 + (reg & 3)), size);
    }

    private static void CfgWrite(PciRoot pci, int dev, int reg, uint value)
    {
        pci.Write(0, 4, 0x8000_0000u | (uint)(dev << 11) | (uint)reg);
        pci.Write(4, 4, value);
    }

    [Fact]
    public void LinuxFindsItByIdAndMapsBar0()
    {
        var mmio = new MmioBus();
        var pci = new PciRoot(mmio);
        var events = new List<byte>();
        int slot = pci.Add(new PvPanicDevice(0xC000_0000, events.Add));
        Assert.Equal(0x0011_1B36u, Cfg(pci, slot, 0));             // PCI_VENDOR_ID_REDHAT, PCI_DEVICE_ID_REDHAT_PVPANIC
        Assert.Equal(0x0880u, Cfg(pci, slot, 0x0A, 2));            // class 08/80: other system peripheral
        Assert.Equal(0xC000_0000u, Cfg(pci, slot, 0x10));          // BAR0: 32-bit memory, placed
        Assert.NotEqual(0u, Cfg(pci, slot, 0x04, 2) & 2);          // memory decoding on
        CfgWrite(pci, slot, 0x10, 0xFFFF_FFFF);                    // size it
        Assert.Equal(0xFFFF_FFF0u, Cfg(pci, slot, 0x10));          // 16 bytes
        CfgWrite(pci, slot, 0x10, 0xC000_0000);

        Span<byte> b = stackalloc byte[1];
        mmio.Read(0xC000_0000, b);
        Assert.Equal(0b111, b[0]);                                 // PANICKED, CRASH_LOADED, SHUTDOWN known
        mmio.Write(0xC000_0000, [1]);
        Assert.Equal([1], events);
    }

    [Fact]
    public void UnknownBitsAndOtherOffsetsAreIgnored()
    {
        var events = new List<byte>();
        var dev = new PvPanicDevice(0xC000_0000, events.Add);
        dev.Write(0, [0xF8]);                                      // nothing we know
        dev.Write(4, [1]);                                         // not the register
        dev.Write(0, []);
        Assert.Empty(events);
        dev.Write(0, [0xFA]);                                      // CRASH_LOADED among junk
        Assert.Equal([2], events);
        Span<byte> wide = stackalloc byte[8];
        wide.Fill(0xAA);
        dev.Read(0, wide);                                         // a wide read: the byte, then zeros
        Assert.Equal([7, 0, 0, 0, 0, 0, 0, 0], wide.ToArray());
        dev.Read(8, wide);
        Assert.Equal(new byte[8], wide.ToArray());
    }
}
