using LguestPS.Engine.Bus;
using LguestPS.Engine.Platform;

namespace LguestPS.Engine.Tests.Platform;

/*
 * The keyboard controller driven the way Linux's i8042 and atkbd drivers
 * drive it at boot, then Ctrl+Alt+Del typed into it: what the guest reads,
 * and the IRQ 1 edges that tell it to read.
 */
public class I8042Tests
{
    private const ushort Data = 0, Status = 4;

    private sealed class Edges : IIrqLine
    {
        public int Rising;
        private bool _high;
        public void Set(bool high)
        {
            if (high && !_high) Rising++;
            _high = high;
        }
    }

    private static byte ReadData(I8042 k)
    {
        Assert.True((k.Read(Status, 1) & 1) != 0, "the output buffer is empty");
        return (byte)k.Read(Data, 1);
    }

    private static byte[] Drain(I8042 k)
    {
        var got = new List<byte>();
        while ((k.Read(Status, 1) & 1) != 0) got.Add((byte)k.Read(Data, 1));
        return got.ToArray();
    }

    /// <summary>What Linux's probe does: flush, self-test, read and write the CTR, then atkbd's reset, id and enable.</summary>
    private static (I8042 Kbd, Edges Irq) Probed(bool translate)
    {
        var irq = new Edges();
        var k = new I8042(() => { }, irq);
        Assert.Equal(0u, k.Read(Status, 1) & 1);              // nothing to flush
        Assert.NotEqual(0xFFu, k.Read(Status, 1));           // 0xFF would mean "no controller"
        k.Write(Status, 1, 0xAA);
        Assert.Equal(0x55, ReadData(k));                     // controller self-test passed
        k.Write(Status, 1, 0x20);
        byte ctr = ReadData(k);
        Assert.Equal(0x40, ctr & 0x40);                      // translation on, as a BIOS leaves it
        ctr = (byte)((ctr | 0x01) & ~0x10);                  // keyboard interrupt on, interface enabled
        if (!translate) ctr = (byte)(ctr & ~0x40);
        k.Write(Status, 1, 0x60);
        k.Write(Data, 1, ctr);
        k.Write(Status, 1, 0x20);
        Assert.Equal(ctr, ReadData(k));
        k.Write(Data, 1, 0xF2);                              // GETID
        Assert.Equal([0xFA, 0xAB, 0x83], Drain(k));
        k.Write(Data, 1, 0xED);                              // LEDs, then their parameter
        k.Write(Data, 1, 0x00);
        k.Write(Data, 1, 0xF4);                              // enable scanning
        Assert.Equal([0xFA, 0xFA, 0xFA], Drain(k));
        k.Write(Data, 1, 0xFF);                              // reset
        Assert.Equal([0xFA, 0xAA], Drain(k));
        return (k, irq);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CtrlAltDelArrivesInTheSetTheGuestReadsWithAnInterruptPerByte(bool translate)
    {
        var (k, irq) = Probed(translate);
        int before = irq.Rising;
        k.TypeCtrlAltDel();
        var expected = translate ? PsKeyboard.CtrlAltDelSet1 : PsKeyboard.CtrlAltDelSet2;
        var got = new List<byte>();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(before + i + 1, irq.Rising);        // one edge before each byte, as Linux reads one per interrupt
            got.Add(ReadData(k));
        }
        Assert.Equal(expected, got);
        Assert.Equal(0u, k.Read(Status, 1) & 1);
        Assert.Equal(before + expected.Length, irq.Rising);  // and none after the last
        Assert.Equal(translate ? [0x1D, 0x38, 0xE0, 0x53] : [0x14, 0x11, 0xE0, 0x71], expected[..4]); // Ctrl, Alt, Delete made
    }

    [Fact]
    public void WithTheKeyboardInterruptOffNothingInterrupts()
    {
        var irq = new Edges();
        var k = new I8042(() => { }, irq);
        k.Write(Status, 1, 0x60);
        k.Write(Data, 1, 0x44);                              // CTR: system flag and translation, no interrupt
        k.TypeCtrlAltDel();
        Assert.Equal(0, irq.Rising);
        Assert.Equal(PsKeyboard.CtrlAltDelSet1, Drain(k));   // polled, the bytes are still there
    }

    [Fact]
    public void AGuestThatNeverReadsCannotGrowTheBuffer()
    {
        var k = new I8042(() => { }, new Edges());
        for (int i = 0; i < 100_000; i++) k.Write(Data, 1, 0xFF); // two bytes of answer each
        Assert.Equal(64, Drain(k).Length);
    }
}
