using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Tests.Pci;

public class PciRootTests
{
    private static uint Cfg(PciRoot pci, int dev, int reg, int size = 4, int func = 0, int bus = 0)
    {
        pci.Write(0, 4, 0x8000_0000u | (uint)(bus << 16) | (uint)(dev << 11) | (uint)(func << 8) | (uint)(reg & 0xFC));
        return pci.Read((ushort)(4 + (reg & 3)), size);
    }

    [Fact]
    public void HostBridgeSitsAt00_00_0()
    {
        var pci = new PciRoot(new LguestPS.Engine.Bus.MmioBus());
        Assert.Equal(0x0008_1B36u, Cfg(pci, 0, 0));
        Assert.Equal(0x06u, Cfg(pci, 0, 0x0B, 1));     // class: bridge
        Assert.Equal(0x00u, Cfg(pci, 0, 0x0A, 1));     // subclass: host
        Assert.Equal(0x0600u, Cfg(pci, 0, 0x0A, 2));
    }

    [Fact]
    public void EmptySlotsOtherFunctionsAndBusesFloatHigh()
    {
        var pci = new PciRoot(new LguestPS.Engine.Bus.MmioBus());
        Assert.Equal(0xFFFF_FFFFu, Cfg(pci, 5, 0));
        Assert.Equal(0xFFFF_FFFFu, Cfg(pci, 0, 0, func: 1));
        Assert.Equal(0xFFFF_FFFFu, Cfg(pci, 0, 0, bus: 1));
    }

    [Fact]
    public void AddressRegisterIsOnlyA32BitAccessAtCf8()
    {
        var pci = new PciRoot(new LguestPS.Engine.Bus.MmioBus());
        pci.Write(3, 1, 0x01);                        // Linux's probe: a byte at 0xCFB is not the address
        pci.Write(0, 4, 0x8000_0000);
        Assert.Equal(0x8000_0000u, pci.Read(0, 4));
        pci.Write(0, 4, 0x8000_0003);                 // the low two bits are not part of the address
        Assert.Equal(0x8000_0000u, pci.Read(0, 4));
    }

    [Fact]
    public void ReadOnlyRegistersStayReadOnly()
    {
        var pci = new PciRoot(new LguestPS.Engine.Bus.MmioBus());
        pci.Write(0, 4, 0x8000_0000);
        pci.Write(4, 4, 0xDEAD_BEEF);                 // vendor/device
        Assert.Equal(0x0008_1B36u, Cfg(pci, 0, 0));
        pci.Write(0, 4, 0x8000_003C);
        pci.Write(4, 1, 11);                          // interrupt line is scratch
        Assert.Equal(11u, Cfg(pci, 0, 0x3C, 1));
    }

    [Fact]
    public void MisalignedDataAccessesAreIgnored()
    {
        var pci = new PciRoot(new LguestPS.Engine.Bus.MmioBus());
        pci.Write(0, 4, 0x8000_0000);
        Assert.Equal(0xFFFFu, pci.Read(5, 2));       // a 16-bit read at offset 1 does not exist
    }
}
