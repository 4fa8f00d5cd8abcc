namespace LguestPS.Engine.Tests.EndToEnd;

/// <summary>The engine boots the project's test guest, and every check the guest makes of what it was handed passes.</summary>
public class BootTests
{
    public static TheoryData<string> Formats => new() { "bzImage", "elf" };
    private static string Image(string format) => format == "elf" ? TestGuest.Elf : TestGuest.BzImage;

    [SkippableTheory]
    [MemberData(nameof(Formats))]
    public void EveryGuestCheckPasses(string format)
    {
        KvmHost.Require();
        byte[] initrd = new byte[200 * 1024 + 123];
        new Random(42).NextBytes(initrd);
        string initrdPath = Path.GetTempFileName();
        File.WriteAllBytes(initrdPath, initrd);
        try
        {
            string[] kernelArgs = TestGuest.WithCmdSum(
                "tests=paging,bootparams,e820,cmdline,initrd,mptable,timer", "guest.mem=64",
                $"guest.initrd={Sum64.Hex(initrd)}:{initrd.Length}",
                "quoted=\"a b  c\"", "spaces", "", "", "x", new string('L', 1500));
            using var vm = EngineProcess.Start(["--on-reboot=exit", "--log-format=json", $"--initrd={initrdPath}", "64", Image(format), .. kernelArgs]);
            Assert.Equal(0, vm.WaitForExit());
            TestGuest.AssertPassed(vm.Stdout, "paging", "bootparams", "e820", "cmdline", "initrd", "mptable", "timer");
            Assert.Contains("TESTS DONE", vm.Stdout);
            Assert.Equal("reboot", vm.ExitEvent.GetProperty("reason").GetString());
            var ready = vm.Events.First(e => e.GetProperty("event").GetString() == "ready");
            Assert.Equal(format == "elf" ? "Elf" : "BzImage", ready.GetProperty("format").GetString());
            Assert.Equal(string.Join(' ', kernelArgs), ready.GetProperty("cmdline").GetString()); // not Linux: no quirks added
        }
        finally { File.Delete(initrdPath); }
    }

    [SkippableFact]
    public void LargeMemoryAboveTheHoleIsDescribed()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--on-reboot=exit", "4096", TestGuest.BzImage, "tests=e820,paging", "guest.mem=4096");
        Assert.Equal(0, vm.WaitForExit());
        TestGuest.AssertPassed(vm.Stdout, "e820", "paging");
    }

    [SkippableFact]
    public void RebootRestartsTheGuestByDefault()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--log-format=json", "64", TestGuest.BzImage, "tests=paging");
        vm.WaitForOutput("TESTS DONE", count: 2);
        vm.Signal(Tmds.Linux.LibC.SIGTERM);
        Assert.Equal(143, vm.WaitForExit());
        Assert.Contains(vm.Events, e => e.GetProperty("event").GetString() == "reboot");
        Assert.Equal("sigterm", vm.ExitEvent.GetProperty("reason").GetString());
    }

    [SkippableFact]
    public void TypedInputReachesTheGuestAndItsEchoComesBack()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--on-reboot=exit", "64", TestGuest.BzImage, "tests=mptable,serial");
        vm.WaitForOutput("READY serial");
        vm.WriteStdin("hello from the host\n");
        Assert.Equal(0, vm.WaitForExit());
        Assert.Contains("ECHO hello from the host", vm.Stdout);
        TestGuest.AssertPassed(vm.Stdout, "serial");
    }

    [SkippableFact]
    public void SigintStopsTheGuestWithItsOwnCode()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--log-format=json", "64", TestGuest.BzImage, "tests=mptable,serial");
        vm.WaitForOutput("READY serial");
        vm.Signal(Tmds.Linux.LibC.SIGINT);
        Assert.Equal(130, vm.WaitForExit());
        Assert.Equal("sigint", vm.ExitEvent.GetProperty("reason").GetString());
    }
}

/// <summary>Host quirks are for Linux only; our own guest must see exactly the command line it was given.</summary>
public class KernelIdentityTests
{
    [Fact]
    public void TheTestGuestIsNotLinux()
    {
        using var bz = LguestPS.Engine.Boot.KernelImage.Open(TestGuest.BzImage);
        using var elf = LguestPS.Engine.Boot.KernelImage.Open(TestGuest.Elf);
        Assert.False(bz.IsLinux);
        Assert.False(elf.IsLinux);
        Assert.Equal("lguest test guest", bz.VersionBanner);
    }
}

/// <summary>The seed's escape hatch: three ^C on the console stop the VM, whichever console the guest reads.</summary>
public class ConsoleEscapeTests
{
    [SkippableFact]
    public void ThreeCtrlCsStopTheVmWithTheirOwnCode()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--log-format=json", "64", TestGuest.BzImage, "tests=mptable,serial");
        vm.WaitForOutput("READY serial");
        vm.WriteStdin("\x03\x03\x03");
        Assert.Equal(8, vm.WaitForExit());
        Assert.Equal("console-interrupt", vm.ExitEvent.GetProperty("reason").GetString());
    }

    [SkippableFact]
    public void ACtrlCAloneGoesToTheGuest()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--on-reboot=exit", "64", TestGuest.BzImage, "tests=mptable,serial");
        vm.WaitForOutput("READY serial");
        vm.WriteStdin("\x03x\x03y\x03\n");     // never three in a row: all of it is the guest's
        Assert.Equal(0, vm.WaitForExit());
        Assert.Contains("ECHO", vm.Stdout);
    }
}

/// <summary>On a terminal the engine puts stdin in raw mode, and every way out puts it back.</summary>
public class TerminalTests
{
    [SkippableFact]
    public void TheTerminalIsRestoredAfterTheConsoleEscape()
    {
        KvmHost.Require();
        using var term = TerminalRun.Start($"{EngineProcess.Binary} 64 {TestGuest.BzImage} tests=mptable,serial; echo EXIT=$?; stty -a");
        term.WaitFor("READY serial");
        term.Type("\x03\x03\x03");   // raw mode: the ^C bytes reach the engine, which stops
        string text = term.Finish();
        Assert.Contains("EXIT=8", text);
        TerminalRun.AssertRestored(text);
    }
}
