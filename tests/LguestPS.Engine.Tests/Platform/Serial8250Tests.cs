using LguestPS.Engine.Platform;

namespace LguestPS.Engine.Tests.Platform;

public class Serial8250Tests
{
    private static (Serial8250, RecordingSink) Make()
    {
        var s = new RecordingSink();
        return (new Serial8250(s, s), s);
    }

    [Fact]
    public void TransmitsToTheConsole()
    {
        var (u, s) = Make();
        foreach (char c in "hi\n") u.Write(0, 1, c);
        Assert.Equal("hi\n"u8.ToArray(), s.Out);
        Assert.Equal(0x60u, u.Read(5, 1) & 0x60); // THRE and TEMT: always ready to send
    }

    [Fact]
    public void ReceivedDataRaisesIrq4OnlyWhenEnabled()
    {
        var (u, s) = Make();
        u.Receive("ab"u8);
        Assert.Empty(s.Irq);                 // IER says nothing yet
        Assert.Equal(1u, u.Read(5, 1) & 1);  // but LSR shows data ready
        u.Write(1, 1, 0x01);                 // enable received-data interrupts
        Assert.Equal([true], s.Irq);
        Assert.Equal(0x04u, u.Read(2, 1) & 0x0F); // IIR: received data available
        Assert.Equal((uint)'a', u.Read(0, 1));
        Assert.Equal((uint)'b', u.Read(0, 1));
        Assert.Equal([true, false], s.Irq);
        Assert.Equal(0x01u, u.Read(2, 1) & 0x0F); // nothing pending
    }

    [Fact]
    public void ThreInterruptIsAcknowledgedByReadingIir()
    {
        var (u, s) = Make();
        u.Write(1, 1, 0x02);
        Assert.Equal([true], s.Irq);
        Assert.Equal(0x02u, u.Read(2, 1) & 0x0F);
        Assert.Equal([true, false], s.Irq);
        u.Write(0, 1, 'x');                   // sending refills and empties THR: another interrupt
        Assert.Equal([true, false, true], s.Irq);
    }

    [Fact]
    public void LoopbackPassesLinuxsProbe()
    {
        var (u, s) = Make();
        u.Write(4, 1, 0x10 | 0x0A);          // LOOP | OUT2 | RTS: what Linux's autoconfig writes
        Assert.Equal(0x90u, u.Read(6, 1) & 0xF0);
        u.Write(0, 1, 'z');                   // in loopback, sent bytes come back, not out
        Assert.Empty(s.Out);
        Assert.Equal((uint)'z', u.Read(0, 1));
        u.Write(7, 1, 0xA5);
        Assert.Equal(0xA5u, u.Read(7, 1));   // scratch register
    }

    [Fact]
    public void ReceiveQueueAppliesBackpressure()
    {
        var (u, _) = Make();
        byte[] big = new byte[10000];
        int taken = u.Receive(big);
        Assert.Equal(4096, taken);
        Assert.Equal(0, u.RxSpace);
        bool drained = false;
        u.RxDrained += () => drained = true;
        for (int i = 0; i < taken; i++) u.Read(0, 1);
        Assert.True(drained);
    }
}
