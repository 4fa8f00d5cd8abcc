using LguestPS.Engine.Bus;
using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Tests.Pci;

/// <summary>Bus 0's INTA# wiring: one home (PciIntx), told to the guest by each function's Interrupt Line.</summary>
public class PciIntxTests
{
    [Fact]
    public void SlotsSpreadOverPins16To23()
    {
        Assert.Equal(16, PciIntx.GsiFor(1));
        Assert.Equal(23, PciIntx.GsiFor(8));
        Assert.Equal(16, PciIntx.GsiFor(9));
        Assert.Equal(22, PciIntx.GsiFor(31));
        Assert.All(Enumerable.Range(1, 31), d => Assert.InRange(PciIntx.GsiFor(d), 16, 23));
        Assert.Throws<ArgumentOutOfRangeException>(() => PciIntx.GsiFor(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PciIntx.GsiFor(32));
    }

    private sealed class Function(byte pin) : PciFunction("test", 0x1234, 0x5678, 0xFF, 0, 0)
    {
        public byte Line => Config[InterruptLine];
        public void UsePin() => Config[InterruptPin] = pin;
    }

    [Fact]
    public void AFunctionWithAnInterruptPinLearnsItsLineWhenPlaced()
    {
        var pci = new PciRoot(new MmioBus());
        var silent = new Function(0);
        pci.Add(silent);
        var functions = Enumerable.Range(0, 12).Select(_ => new Function(1)).ToList();
        foreach (var f in functions) { f.UsePin(); pci.Add(f); }
        Assert.Equal(0, silent.Line); // no pin: the line means nothing and stays 0
        Assert.All(functions, f => Assert.Equal(PciIntx.GsiFor(f.Slot), f.Line));
    }
}
