using LguestPS.Engine.Bus;
using LguestPS.Engine.Platform;

namespace LguestPS.Engine.Tests.Platform;

/// <summary>The ports behind the FADT's sleep and reset registers and the GED, as a guest (and the engine) drive them.</summary>
public class AcpiPowerDeviceTests
{
    private sealed class Line : IIrqLine
    {
        public bool High { get; private set; }
        public int Changes { get; private set; }
        public void Set(bool high) { High = high; Changes++; }
    }

    private sealed class Board
    {
        public int PowerOffs, Resets;
        public readonly Line Ged = new();
        public readonly AcpiPowerDevice Dev;
        public Board() => Dev = new AcpiPowerDevice(() => PowerOffs++, () => Resets++, Ged);
    }

    [Fact]
    public void S5WithSlpEnPowersOff()
    {
        var b = new Board();
        b.Dev.Write(0, 1, (5 << 2) | (1 << 5));   // what ACPICA's acpi_hw_extended_sleep writes for \_S5 = 5
        Assert.Equal((1, 0), (b.PowerOffs, b.Resets));
    }

    [Fact]
    public void S5WithoutSlpEnOrAnotherStateDoesNotPowerOffButWakesTheWaiter()
    {
        var b = new Board();
        b.Dev.Write(0, 1, 5 << 2);                // SLP_TYP without SLP_EN: nothing happens
        Assert.Equal(0u, b.Dev.Read(1, 1));
        b.Dev.Write(0, 1, (3 << 2) | (1 << 5));   // S3, which we never offered
        Assert.Equal(0, b.PowerOffs);
        Assert.Equal(0x80u, b.Dev.Read(1, 1));    // WAK_STS: the guest "woke" at once
        b.Dev.Write(1, 1, 0x80);                  // write 1 to clear
        Assert.Equal(0u, b.Dev.Read(1, 1));
    }

    [Fact]
    public void OnlyTheResetValueResets()
    {
        var b = new Board();
        foreach (uint v in new uint[] { 0, 2, 0xFE, 0xFF }) b.Dev.Write(2, 1, v);
        Assert.Equal(0, b.Resets);
        b.Dev.Write(2, 1, 1);
        Assert.Equal((0, 1), (b.PowerOffs, b.Resets));
    }

    [Fact]
    public void ThePowerButtonHoldsTheGedLineUntilTheGuestReadsTheEvent()
    {
        var b = new Board();
        Assert.Equal(0u, b.Dev.Read(3, 1));
        b.Dev.PressPowerButton();
        Assert.True(b.Ged.High);
        b.Dev.PressPowerButton();                 // a second press before the guest looked: still one event bit
        Assert.Equal(1u, b.Dev.Read(3, 1));       // _EVT reads the register...
        Assert.False(b.Ged.High);                 // ...which clears it and drops the line
        Assert.Equal(0u, b.Dev.Read(3, 1));
        b.Dev.Write(3, 1, 0xFF);                  // the register is read-only
        Assert.Equal(0u, b.Dev.Read(3, 1));
        Assert.Equal((0, 0), (b.PowerOffs, b.Resets));
    }

    [Fact]
    public void WideAccessesReachEachPortInTurn()
    {
        var b = new Board();
        b.Dev.PressPowerButton();
        b.Dev.Write(0, 1, (3 << 2) | (1 << 5));   // set WAK_STS
        Assert.Equal(0x0100_8000u, b.Dev.Read(0, 4)); // control 0, status 0x80, reset 0, events 1
        Assert.False(b.Ged.High);
        b.Dev.Write(1, 2, 0x01_80);               // clear WAK_STS and write the reset value, one 16-bit OUT
        Assert.Equal(1, b.Resets);
        Assert.Equal(0u, b.Dev.Read(1, 1));
    }

    [Fact]
    public void GarbageWritesNeitherPowerOffNorReset()
    {
        var b = new Board();
        var rng = new Random(11);
        for (int i = 0; i < 10_000; i++)
        {
            uint v = (uint)rng.Next();
            if ((v & 0x3C) == 0x34) v ^= 0x04;   // leave out exactly S5 + SLP_EN in the control byte...
            if ((v >> 16 & 0xFF) == 1) v ^= 0x0002_0000; // ...and the reset value in the reset byte
            b.Dev.Write(0, 4, v);
        }
        Assert.Equal((0, 0), (b.PowerOffs, b.Resets));
    }
}
