using System.Text.Json;
using LguestPS.Engine.Tests.EndToEnd;
using Xunit.Abstractions;

namespace LguestPS.Engine.Tests.RealLinux;

/*
 * The boot timer end to end: the busybox guest's /init writes the signal
 * byte to the port its command line names (LguestPS.Contract.BootTimer), and
 * the engine says when, once per boot. The guest then writes the byte again
 * (ignored) and reboots; the second boot reports again, as boot 1.
 */
public sealed class BootTimerTests(BusyboxFixture fx, ITestOutputHelper log) : IClassFixture<BusyboxFixture>
{
    private const string ShellLine = "lguestps: root shell on /dev/";

    [SkippableFact]
    public void EachBootReportsPowerOnToUserspaceOnce()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--log-format=json", "--on-reboot=restart", $"--initrd={fx.Initramfs}", "128", fx.Kernel.Vmlinux,
            "console=ttyS0", "rodata=off", "panic=-1", "reboot=k", BootTimer.KernelArgument);
        vm.WaitForOutput(ShellLine, timeout: BusyboxGuest.BootTimeout);
        vm.WaitForOutput("/ # ", timeout: BusyboxGuest.BootTimeout); // the prompt on hvc0: typing goes there now
        // The signal again (the same boot: ignored), then a reboot.
        vm.WriteStdin($"printf '\\173' | dd of=/dev/port bs=1 seek=$(({BootTimer.Port})) count=1; reboot -f\n");
        vm.WaitForOutput(ShellLine, count: 2, timeout: BusyboxGuest.BootTimeout);
        vm.Signal(Tmds.Linux.LibC.SIGTERM);
        Assert.Equal(ExitReason.SigTerm.Code, vm.WaitForExit());

        var events = vm.Events;
        double Time(JsonElement e) => e.GetProperty(Events.TimeField).GetDouble();
        string Name(JsonElement e) => e.GetProperty(Events.EventField).GetString()!;
        var timed = events.Where(e => Name(e) == Events.BootTime.Name).ToList();
        foreach (var t in timed) log.WriteLine(t.ToString());
        Assert.Equal(new[] { 0, 1 }, timed.Select(e => e.GetProperty(Events.BootTime.Boot).GetInt32()));
        var ready = events.Single(e => Name(e) == Events.Ready.Name);
        var reboot = events.Single(e => Name(e) == Events.Reboot.Name);
        Assert.InRange(Time(ready), 0, Time(timed[0]));            // the guest ran after the engine was ready
        Assert.InRange(Time(reboot), Time(timed[0]), Time(timed[1]));
        foreach (var t in timed)
        {
            double fromPowerOn = t.GetProperty(Events.BootTime.FromPowerOn).GetDouble();
            Assert.True(fromPowerOn > 0, $"no time passed before userspace: {t}");
            Assert.True(fromPowerOn < Time(t), $"power-on before the engine started: {t}");
        }
        // The second boot's power-on came after the reboot: its count starts there.
        Assert.True(timed[1].GetProperty(Events.BootTime.FromPowerOn).GetDouble() < Time(timed[1]) - Time(reboot),
            $"boot 1 timed from before its reboot: {timed[1]}");
    }
}
