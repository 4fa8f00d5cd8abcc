using LguestPS.Engine.Cli;
using LguestPS.Engine.Interop;

namespace LguestPS.Engine.Tests.Cli;

public class OptionsTests
{
    [Fact]
    public void ParsesTheSeedsCommandLine()
    {
        var o = Options.Parse(["--verbose", "--block=a.img", "--block", "b.img,ro", "--rng", "--initrd=i.cpio",
            "--tunnet=169.254.1.1:02:00:00:00:00:01", "--tunnet=bridge:br0", "64", "vmlinux", "console=ttyS0", "-x", "a b"]);
        Assert.True(o.Verbose);
        Assert.Equal([new BlockOption("a.img", false), new BlockOption("b.img", true)], o.Blocks);
        Assert.True(o.Rng);
        Assert.Equal("i.cpio", o.Initrd);
        Assert.Equal(new TunnetOption("169.254.1.1", null, "02:00:00:00:00:01"), o.Tunnets[0]);
        Assert.Equal(new TunnetOption(null, "br0", null), o.Tunnets[1]);
        Assert.Equal(64UL, o.MemoryMiB);
        Assert.Equal("vmlinux", o.Kernel);
        Assert.Equal("console=ttyS0 -x a b", o.CommandLine); // kernel args may start with a dash
    }

    [Fact]
    public void ExtensionsHaveDefaults()
    {
        var o = Options.Parse(["16", "k"]);
        Assert.Equal(1, o.Cpus);
        Assert.Equal(RebootPolicy.Restart, o.OnReboot);
        Assert.Equal(LogFormat.Text, o.LogFormat);
        Assert.True(o.HostQuirks);
        Assert.Equal("", o.CommandLine);
        o = Options.Parse(["--cpus=2", "--on-reboot=exit", "--log-format=json", "--no-host-quirks", "16", "k"]);
        Assert.Equal((2, RebootPolicy.Exit, LogFormat.Json, false), (o.Cpus, o.OnReboot, o.LogFormat, o.HostQuirks));
    }

    [Theory]
    [InlineData("unknown option '--frobnicate'", "--frobnicate", "64", "k")]
    [InlineData("missing <mem-in-mb> and <kernel>")]
    [InlineData("missing <kernel>", "64")]
    [InlineData("is not a memory size", "lots", "k")]
    [InlineData("is not a memory size", "0", "k")]
    [InlineData("needs a value", "--block")]
    [InlineData("takes no value", "--rng=yes", "64", "k")]
    [InlineData("from 1 to 254", "--cpus=0", "64", "k")]
    [InlineData("'restart' or 'exit'", "--on-reboot=maybe", "64", "k")]
    [InlineData("needs a file name", "--block=,ro", "64", "k")]
    [InlineData("needs a bridge name", "--tunnet=bridge:", "64", "k")]
    public void RefusesBadCommandLinesWithAUsageError(string expected, params string[] args)
    {
        var e = Assert.Throws<EngineException>(() => Options.Parse(args));
        Assert.Equal(ErrorId.UsageError, e.Id);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AbsurdMemoryIsTooLarge()
    {
        var e = Assert.Throws<EngineException>(() => Options.Parse(["99999999999", "k"]));
        Assert.Equal(ErrorId.MemoryTooLarge, e.Id);
    }
}
