using System.Text.Json;

namespace LguestPS.Engine.Tests.EndToEnd;

/*
 * How a guest ends itself through the firmware the engine gives it: the ACPI
 * tables it walks to find the power registers, an S5 write (power-off), the
 * reset register, Ctrl+Alt+Del typed by the engine, and a panic reported
 * through pvpanic. The test guest does what Linux does in each case, in a
 * few thousand instructions.
 */
public class LifecycleTests
{
    private static JsonElement? Event(EngineProcess vm, string name) =>
        vm.Events.Cast<JsonElement?>().FirstOrDefault(e => e!.Value.GetProperty(Events.EventField).GetString() == name);

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(16)]
    public void TheAcpiTablesAndTheMpTableDescribeTheSameMachineWhoseCpusAllStart(int cpus)
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--on-reboot=exit", $"--cpus={cpus}", "64", TestGuest.BzImage, "tests=mptable,acpi,smp");
        Assert.Equal(0, vm.WaitForExit());
        TestGuest.AssertPassed(vm.Stdout, "mptable", "acpi", "smp");
        Assert.Contains(cpus == 1 ? "1 cpu (MADT)" : $"{cpus - 1} application processor", TestGuest.Results(vm.Stdout)["smp"].Detail);
        string acpi = TestGuest.Results(vm.Stdout)["acpi"].Detail;
        Assert.Contains($"{cpus} cpu", acpi);
        Assert.Contains("hardware-reduced: sleep port 0x600/0x601, reset 0x602=1", acpi);
        Assert.Contains("BIOS area, boot_params agrees", acpi);
    }

    [SkippableFact]
    public void AnS5WriteToTheSleepControlRegisterPowersOff()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--log-format=json", "64", TestGuest.BzImage, "tests=acpi-poweroff");
        Assert.Equal(0, vm.WaitForExit());
        Assert.Contains("POWEROFF sleep control 0x600 <- 0x34", vm.Stdout);
        Assert.DoesNotContain("TEST acpi-poweroff", vm.Stdout);   // nothing ran after the write
        Assert.Equal(ExitReason.PowerOff.Name, vm.ExitEvent.GetProperty(Events.Exit.Reason).GetString());
        Assert.Null(Event(vm, Events.Reboot.Name));               // off, not restarted, though --on-reboot is restart
    }

    [SkippableTheory]
    [InlineData("exit")]
    [InlineData("restart")]
    public void TheAcpiResetRegisterRebootsLikeTheKeyboardControllerDoes(string onReboot)
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--log-format=json", $"--on-reboot={onReboot}", "64", TestGuest.BzImage, "tests=acpi-reset");
        if (onReboot == "restart")
        {
            vm.WaitForOutput("RESET port 0x602 <- 0x1", count: 2); // it came back and did it again
            vm.Signal(Tmds.Linux.LibC.SIGTERM);
            Assert.Equal(ExitReason.SigTerm.Code, vm.WaitForExit());
            Assert.Equal(Events.Reboot.Reasons.Reset, Event(vm, Events.Reboot.Name)!.Value.GetProperty(Events.Reboot.Reason).GetString());
            return;
        }
        Assert.Equal(0, vm.WaitForExit());
        Assert.Contains("RESET port 0x602 <- 0x1", vm.Stdout);
        Assert.DoesNotContain("TEST acpi-reset", vm.Stdout);
        Assert.Equal(ExitReason.Reboot.Name, vm.ExitEvent.GetProperty(Events.Exit.Reason).GetString());
    }

    [SkippableFact]
    public void CtrlAltDelReachesAGuestThatListensAndTheResetThatFollowsEndsTheVm()
    {
        KvmHost.Require();
        string dir = Directory.CreateTempSubdirectory("lguest-cad").FullName;
        try
        {
            string socket = Path.Combine(dir, "control");
            using var vm = EngineProcess.Start("--log-format=json", $"--control={socket}", "64", TestGuest.BzImage, "tests=ctrl-alt-del");
            vm.WaitForOutput("READY ctrl-alt-del");
            using (var control = new ControlClient(socket)) control.Do(Control.Ops.CtrlAltDel);
            Assert.Equal(0, vm.WaitForExit());
            TestGuest.AssertPassed(vm.Stdout, "ctrl-alt-del");
            Assert.Equal(ExitReason.Reboot.Name, vm.ExitEvent.GetProperty(Events.Exit.Reason).GetString());
            Assert.Null(Event(vm, Events.Reboot.Name)); // ended, not restarted, though --on-reboot is restart
        }
        finally { Directory.Delete(dir, true); }
    }

    [SkippableFact]
    public void APanicReportedThroughPvPanicEndsTheVmWithItsOwnCode()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--log-format=json", "64", TestGuest.BzImage, "tests=crash-panic");
        Assert.Equal(ExitReason.Panic.Code, vm.WaitForExit());
        Assert.Contains("CRASH pvpanic 00:02.0 0xc0008000 events 0x7", vm.Stdout); // after the console, in the next slot
        Assert.DoesNotContain("TEST crash-panic", vm.Stdout);
        var panic = Event(vm, Events.Panic.Name);
        Assert.NotNull(panic);
        Assert.False(panic.Value.GetProperty(Events.Panic.CrashKernel).GetBoolean());
        Assert.Equal("", panic.Value.GetProperty(Events.Panic.Line).GetString()); // the test guest prints no "Kernel panic" line
        Assert.Equal(ExitReason.Panic.Name, vm.ExitEvent.GetProperty(Events.Exit.Reason).GetString());
        Assert.Equal(ExitReason.Panic.Code, vm.ExitEvent.GetProperty(Events.Exit.Code).GetInt32());
    }

    [SkippableFact]
    public void InTextModeThePanicIsTheLastLineOnStderr()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("64", TestGuest.BzImage, "tests=crash-panic");
        Assert.Equal(ExitReason.Panic.Code, vm.WaitForExit());
        Assert.EndsWith("lguest: the guest kernel panicked\n", vm.Stderr);
    }
}
