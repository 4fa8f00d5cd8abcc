using System.Diagnostics;
using LguestPS.Engine.Platform;

namespace LguestPS.Engine.Tests.Platform;

/// <summary>The boot timer's port without KVM: what the guest may write, and what the engine hears.</summary>
public class BootTimerPortTests
{
    [Fact]
    public void OnlyTheSignalByteReportsAndOnlyTheFirstTime()
    {
        var reports = new List<TimeSpan>();
        var port = new BootTimerPort(reports.Add);
        var outer = Stopwatch.StartNew();      // started before power-on: a bound the report cannot pass
        port.PowerOn();
        port.Write(0, 1, 0);
        port.Write(0, 1, 122);
        port.Write(0, 2, 123 | 0x100);         // a word that merely ends in 123 is not the signal
        Assert.Empty(reports);
        Assert.Equal(0xFFu, port.Read(0, 1));  // reads float high, as an empty port does
        port.Write(0, 1, 123);
        var bound = outer.Elapsed;
        var t = Assert.Single(reports);
        Assert.InRange(t, TimeSpan.Zero, bound);
        port.Write(0, 1, 123);                 // a second signal in the same boot is ignored
        Assert.Single(reports);
    }

    [Fact]
    public void AGuestHammeringThePortFromEveryCpuGetsOneReport()
    {
        int reports = 0;
        var port = new BootTimerPort(_ => Interlocked.Increment(ref reports));
        port.PowerOn();
        Parallel.For(0, 8, _ => { for (int i = 0; i < 10_000; i++) port.Write(0, 1, 123); });
        Assert.Equal(1, reports);
    }
}
