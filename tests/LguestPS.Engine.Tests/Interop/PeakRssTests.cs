using System.Text;
using LguestPS.Engine.Interop;

namespace LguestPS.Engine.Tests.Interop;

/*
 * The peak resident set --verbose reports comes from VmHWM in
 * /proc/self/status, not from getrusage's ru_maxrss, which Linux carries
 * across execve: an engine spawned by a large process would report that
 * process's resident set as its own peak.
 */
public class PeakRssTests
{
    [Theory]
    [InlineData("Name:\tlguest\nVmPeak:\t  200000 kB\nVmHWM:\t   31716 kB\nVmRSS:\t   31000 kB\n", 31716UL)]
    [InlineData("VmHWM:\t5 kB\n", 5UL)]
    [InlineData("Name:\tlguest\nVmRSS:\t1 kB\n", null)]
    [InlineData("XVmHWM:\t7 kB\n", null)]
    [InlineData("VmHWM:\t kB\n", null)]
    public void TheStatusLineIsReadByItsKey(string status, ulong? expected) =>
        Assert.Equal(expected, Sys.StatusKiB(Encoding.ASCII.GetBytes(status), "VmHWM:"u8));

    [Fact]
    public void ThePeakIsThisProcesssOwnVmHwm()
    {
        Sys.KeepStatusOpen();
        ulong peak = Sys.PeakRssKiB();
        ulong fromFile = Sys.StatusKiB(File.ReadAllBytes("/proc/self/status"), "VmHWM:"u8)!.Value;
        Assert.InRange(peak, 1UL, fromFile); // read a moment earlier: the high-water mark only grows
        Assert.True(fromFile - peak < 64 * 1024, $"peak {peak} KiB, VmHWM now {fromFile} KiB");
    }
}
