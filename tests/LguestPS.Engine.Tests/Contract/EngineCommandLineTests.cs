namespace LguestPS.Engine.Tests.Contract;

/// <summary>The engine's command line, parsed as the engine parses it and written as the module writes it.</summary>
public class EngineCommandLineTests
{
    [Fact]
    public void ParsesTheSeedsCommandLine()
    {
        var o = EngineCommandLine.Parse(["--verbose", "--block=a.img", "--block", "b.img,ro", "--rng", "--initrd=i.cpio",
            "--tunnet=169.254.1.1:02:00:00:00:00:01", "--tunnet=bridge:br0", "64", "vmlinux", "console=ttyS0", "-x", "a b"]);
        Assert.True(o.Verbose);
        Assert.Equal([new BlockOption("a.img", false), new BlockOption("b.img", true)], o.Blocks);
        Assert.True(o.Rng);
        Assert.Equal("i.cpio", o.Initrd);
        Assert.Equal(new TunnetOption("169.254.1.1", null, "02:00:00:00:00:01"), o.Tunnets[0]);
        Assert.Equal(new TunnetOption(null, "br0", null), o.Tunnets[1]);
        Assert.Equal(64UL, o.MemoryMiB);
        Assert.Equal("vmlinux", o.Kernel);
        Assert.Equal("console=ttyS0 -x a b", o.KernelCommandLine); // kernel args may start with a dash
    }

    [Fact]
    public void ExtensionsHaveDefaults()
    {
        var o = EngineCommandLine.Parse(["16", "k"]);
        Assert.Equal(1, o.Cpus);
        Assert.Equal(RebootPolicy.Restart, o.OnReboot);
        Assert.Equal(LogFormat.Text, o.LogFormat);
        Assert.True(o.HostQuirks);
        Assert.True(o.Sandbox);
        Assert.Equal("", o.KernelCommandLine);
        o = EngineCommandLine.Parse(["--cpus=2", "--on-reboot=exit", "--log-format=json", "--no-host-quirks", "--no-sandbox", "16", "k"]);
        Assert.Equal((2, RebootPolicy.Exit, LogFormat.Json, false, false), (o.Cpus, o.OnReboot, o.LogFormat, o.HostQuirks, o.Sandbox));
        // --sandbox, from when the sandbox was opt-in, still reads: it says the default.
        Assert.True(EngineCommandLine.Parse(["--sandbox", "16", "k"]).Sandbox);
    }

    [Theory]
    [InlineData("unknown option '--frobnicate'", "--frobnicate", "64", "k")]
    [InlineData("missing <mem-in-mb> and <kernel>")]
    [InlineData("missing <kernel>", "64")]
    [InlineData("is not a memory size", "lots", "k")]
    [InlineData("is not a memory size", "-5", "k")]
    [InlineData("needs a value", "--block")]
    [InlineData("takes no value", "--rng=yes", "64", "k")]
    [InlineData("from 1 to 254", "--cpus=0", "64", "k")]
    [InlineData("from 1 to 254", "--cpus=255", "64", "k")]
    [InlineData("'restart' or 'exit'", "--on-reboot=maybe", "64", "k")]
    [InlineData("needs a file name", "--block=,ro", "64", "k")]
    [InlineData("needs a bridge name", "--tunnet=bridge:", "64", "k")]
    [InlineData("--sandbox and --no-sandbox contradict each other", "--no-sandbox", "--sandbox", "64", "k")]
    public void RefusesBadCommandLinesWithAUsageError(string expected, params string[] args)
    {
        var e = Assert.Throws<CommandLineException>(() => EngineCommandLine.Parse(args));
        Assert.Equal(ErrorId.UsageError, e.Id);
        Assert.Contains(expected, e.Message);
    }

    /// <summary>Only the device options repeat; any other given twice is refused, naming it, in whatever spelling.</summary>
    [Theory]
    [InlineData("--rng", "--rng")]
    [InlineData("--cpus=2", "--cpus=3")]
    [InlineData("--initrd=a", "--initrd", "b")]
    [InlineData("-v", "--verbose")]
    [InlineData("--log-format=json", "--log-format=text")]
    [InlineData("--parent-pid=1", "--parent-pid=1")]
    public void AnOptionGivenTwiceIsRefused(params string[] options)
    {
        var e = Assert.Throws<CommandLineException>(() => EngineCommandLine.Parse([.. options, "64", "k"]));
        Assert.Equal(ErrorId.UsageError, e.Id);
        Assert.Contains("is given twice", e.Message);
        var twice = EngineCommandLine.Parse(["--block=a", "--block=b", "--tunnet=bridge:x", "--tunnet=bridge:y", "64", "k"]);
        Assert.Equal((2, 2), (twice.Blocks.Count, twice.Tunnets.Count));
        Assert.Equal(OptionNames.Repeatable.Order(), new[] { OptionNames.Block, OptionNames.Tunnet }.Order());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("me")]
    [InlineData("99999999999")]
    public void AParentPidIsAProcessId(string pid)
    {
        var e = Assert.Throws<CommandLineException>(() => EngineCommandLine.Parse(["--parent-pid=" + pid, "64", "k"]));
        Assert.Contains("--parent-pid=" + pid, e.Message);
        Assert.Equal(4242, EngineCommandLine.Parse(["--parent-pid=4242", "64", "k"]).ParentPid);
        Assert.Null(EngineCommandLine.Parse(["64", "k"]).ParentPid);
    }

    [Fact]
    public void MemoryOutsideTheLimitsIsTooSmallOrTooLarge()
    {
        Assert.Equal(ErrorId.MemoryTooSmall, Assert.Throws<CommandLineException>(() => EngineCommandLine.Parse(["0", "k"])).Id);
        Assert.Equal(ErrorId.MemoryTooLarge, Assert.Throws<CommandLineException>(() => EngineCommandLine.Parse(["99999999999", "k"])).Id);
        Assert.Equal(ErrorId.MemoryTooLarge,
            Assert.Throws<CommandLineException>(() => EngineCommandLine.Parse([(Limits.MaxMemoryMiB + 1L).ToString(), "k"])).Id);
        Assert.Equal((ulong)Limits.MaxMemoryMiB, EngineCommandLine.Parse([Limits.MaxMemoryMiB.ToString(), "k"]).MemoryMiB);
    }

    [Fact]
    public void TheLogFormatIsSeenBeforeTheCommandLineParses()
    {
        Assert.Equal(LogFormat.Json, EngineCommandLine.PeekLogFormat(["--log-format=json", "--frobnicate"]));
        Assert.Equal(LogFormat.Json, EngineCommandLine.PeekLogFormat(["--log-format", "json", "64"]));
        Assert.Equal(LogFormat.Text, EngineCommandLine.PeekLogFormat(["64", "k", "--", "--log-format=json"]));
    }

    /// <summary>What the module writes, the engine reads back as the same thing: every field, awkward names included.</summary>
    [Fact]
    public void WhatIsWrittenParsesBackTheSame()
    {
        var o = new EngineCommandLine
        {
            Verbose = true, Rng = true, Initrd = "/boot/initrd=x.img", Username = "nobody", Chroot = "/var/empty",
            Cpus = 4, OnReboot = RebootPolicy.Exit, LogFormat = LogFormat.Json, HostQuirks = false,
            MemoryMiB = 256, Kernel = "-kernel with spaces",
        };
        o.Blocks.Add(new BlockOption("/srv/plain.img", false));
        o.Blocks.Add(new BlockOption("/srv/named,ro", false)); // a writable disk whose own name ends in ",ro"
        o.Blocks.Add(new BlockOption("/srv/named,rw", true));
        o.Blocks.Add(new BlockOption("/srv/d,ro", true));
        o.Tunnets.Add(new TunnetOption("10.0.0.1/30", null, "02:00:00:00:00:01"));
        o.Tunnets.Add(new TunnetOption(null, "br0", null));
        o.KernelArgs.Add("console=hvc0 quiet  'two  spaces'");
        o.KernelArgs.Add("--not-an-option");

        var back = EngineCommandLine.Parse(o.ToArguments());

        Assert.Equal((o.Verbose, o.Rng, o.Initrd, o.Username, o.Chroot, o.Cpus, o.OnReboot, o.LogFormat, o.HostQuirks, o.MemoryMiB),
            (back.Verbose, back.Rng, back.Initrd, back.Username, back.Chroot, back.Cpus, back.OnReboot, back.LogFormat, back.HostQuirks, back.MemoryMiB));
        Assert.Equal(o.Kernel, back.Kernel);
        Assert.Equal(o.Blocks, back.Blocks);
        Assert.Equal(o.Tunnets, back.Tunnets);
        Assert.Equal(o.KernelArgs, back.KernelArgs);
    }

    [Fact]
    public void DefaultsAreLeftUnsaid()
    {
        var o = new EngineCommandLine { MemoryMiB = 64, Kernel = "vmlinux" };
        Assert.Equal(["64", "vmlinux"], o.ToArguments());
        Assert.Equal("--block=/d.img,ro", new BlockOption("/d.img", true).ToString());
        Assert.Equal("--tunnet=bridge:br0:02:00:00:00:00:01", new TunnetOption(null, "br0", "02:00:00:00:00:01").ToString());
    }

    [Theory]
    [InlineData("fe80::1", null)]
    [InlineData(null, "br:0")]
    [InlineData(null, null)]
    [InlineData("10.0.0.1", "br0")]
    public void ATapThatCannotBeWrittenIsRefusedWhenMade(string? address, string? bridge) =>
        Assert.Throws<ArgumentException>(() => new TunnetOption(address, bridge, null));
}
