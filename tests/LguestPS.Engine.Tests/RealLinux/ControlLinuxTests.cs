using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LguestPS.Engine.Tests.EndToEnd;
using Xunit.Abstractions;

namespace LguestPS.Engine.Tests.RealLinux;

/*
 * The control channel against the busybox guest: the power button, and
 * Ctrl+Alt+Del for a guest without ACPI, shut it down cleanly with what it
 * wrote to its disk really on the disk; a pause
 * freezes it, console and clock, and a resume carries on where it stopped.
 */
public sealed class ControlLinuxTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-ctl").FullName;
    private string Socket => Path.Combine(_dir, "control");

    public void Dispose() => Directory.Delete(_dir, true);

    private BusyboxGuest Boot(string[] options, params string[] kernelArgs)
    {
        KvmHost.Require();
        var fx = new BusyboxFixture();
        fx.Kernel.Require("CONFIG_ACPI", "CONFIG_ACPI_BUTTON", "CONFIG_INPUT_EVDEV", "CONFIG_VT");
        var g = new BusyboxGuest(fx.Kernel.Vmlinux, fx.Initramfs, ["--log-format=json", $"--control={Socket}", .. options], kernelArgs);
        log.WriteLine($"{g.CommandLine}\npower-on to the first command's answer: {g.BootTime.TotalSeconds:F1} s");
        return g;
    }

    private static bool Has(EngineProcess vm, string ev) => vm.Events.Any(e => e.GetProperty(Events.EventField).GetString() == ev);

    /*
     * A shutdown request: the guest's init syncs and unmounts before the
     * power goes (acpid's power-button handler), or before the reboot that is
     * its answer to Ctrl+Alt+Del (busybox init's ctrlaltdel action), and either
     * way the engine exits 0 with what the guest wrote on the disk, unsynced
     * until then, really there and the file system clean.
     */
    [SkippableFact]
    public void ThePowerButtonShutsTheGuestDownCleanlyWithItsDiskWritesOnTheDisk() =>
        ShutsDownCleanly(Control.Ops.PowerButton, ExitReason.PowerOff, "poweroff");

    [SkippableFact]
    public void CtrlAltDelShutsAGuestWithoutAcpiDownCleanlyAndItsRebootEndsTheVm() =>
        ShutsDownCleanly(Control.Ops.CtrlAltDel, ExitReason.Reboot, "reboot", "acpi=off");

    private void ShutsDownCleanly(string op, ExitReason reason, string stopLine, params string[] kernelArgs)
    {
        string disk = Path.Combine(_dir, "disk.img");
        string secret = $"written-by-the-guest-{Guid.NewGuid():N}";
        BusyboxGuestBoot.Mke2fs(Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName, disk);
        using var g = Boot([$"--block={disk}"], kernelArgs);
        // Written and not synced: only the guest's clean shutdown puts it on the disk.
        var (_, code) = g.Run($"mkdir -p /mnt && mount -t ext4 /dev/vda /mnt && echo {secret} >/mnt/secret.txt");
        Assert.Equal(0, code);
        using var control = new ControlClient(Socket);
        var sw = Stopwatch.StartNew();
        control.Do(op);
        int exit = g.Engine.WaitForExit(BusyboxGuest.BootTimeout);
        log.WriteLine($"{op} to the engine's exit: {sw.Elapsed.TotalSeconds:F2} s");
        Assert.True(exit == 0, $"exit {exit}\n{g.Engine.Stderr}\n{g.Engine.Stdout}");
        Assert.Equal(reason.Name, g.Engine.ExitEvent.GetProperty(Events.Exit.Reason).GetString());
        Assert.Contains(g.Engine.Events, e => e.GetProperty(Events.EventField).GetString() == Events.ShutdownRequested.Name
            && e.GetProperty(Events.ShutdownRequested.Method).GetString() == op);
        Assert.Contains($"lguestps: syncing disks before {stopLine}", g.Engine.Stdout);
        Assert.Contains(secret, Host("debugfs", "-R", "cat /secret.txt", disk));
        Host("e2fsck", "-fn", disk); // clean: unmounted before the power went
        // The sandbox allows no unlink, so the socket's file may stay (the next engine at the path takes it over),
        // but nothing answers on it any more.
        using var after = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Seqpacket, 0);
        Assert.False(File.Exists(Socket) && Connects(after), "the control channel outlived the engine");
    }

    private bool Connects(System.Net.Sockets.Socket s)
    {
        try { s.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(Socket)); return true; }
        catch (System.Net.Sockets.SocketException) { return false; }
    }

    [SkippableFact]
    public void APauseFreezesTheConsoleAndTheClockAndResumeCarriesOn()
    {
        using var g = Boot([]);
        var (src, _) = g.Run("cat /sys/devices/system/clocksource/clocksource0/current_clocksource");
        log.WriteLine($"guest clocksource: {src.Trim()}");
        double before = Uptime(g);
        var wallBefore = Stopwatch.StartNew();
        using var control = new ControlClient(Socket);
        Assert.Contains("unknown operation", control.Send("{\"op\":\"snapshot\"}")); // a live engine refuses nonsense, and runs on
        var sw = Stopwatch.StartNew();
        control.Do(Control.Ops.Pause);
        log.WriteLine($"pause latency: {sw.Elapsed.TotalMilliseconds:F1} ms");
        int quiet = g.Engine.Stdout.Length;
        g.Engine.WriteStdin("echo typed-while-paused\n");
        // The pause itself is the stimulus (its length is what the clock must skip), not a wait for anything.
        Thread.Sleep(TimeSpan.FromSeconds(4));
        var paused = sw.Elapsed;
        Assert.Equal(quiet, g.Engine.Stdout.Length); // not even the echo of what was typed
        control.Do(Control.Ops.Pause);               // pausing a paused guest is no error
        sw.Restart();
        control.Do(Control.Ops.Resume);
        log.WriteLine($"resume latency: {sw.Elapsed.TotalMilliseconds:F1} ms");
        g.Engine.WaitForOutput("typed-while-paused", count: 2);   // the echo, then the output
        double after = Uptime(g);
        double wall = wallBefore.Elapsed.TotalSeconds;
        log.WriteLine($"guest uptime advanced {after - before:F2} s over {wall:F2} s of wall time with {paused.TotalSeconds:F2} s paused");
        Assert.True(after > before, "the guest's clock went backwards");
        Assert.True(Has(g.Engine, Events.Paused.Name) && Has(g.Engine, Events.Resumed.Name));
        var resumed = g.Engine.Events.Last(e => e.GetProperty(Events.EventField).GetString() == Events.Resumed.Name);
        Assert.True(resumed.GetProperty(Events.Resumed.PausedSeconds).GetDouble() >= 4);
        if (src.Trim() == "kvm-clock")
            Assert.True(after - before < wall - 3, "the guest's kvmclock counted the pause");
        Assert.DoesNotMatch("soft lockup|rcu.*stall", g.Engine.Stdout);
    }

    private static double Uptime(BusyboxGuest g)
    {
        var (output, code) = g.Run("cat /proc/uptime");
        Assert.Equal(0, code);
        return double.Parse(output.Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static string Host(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd(), err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} {string.Join(' ', args)}: exit {p.ExitCode}\n{output}{err}");
        return output;
    }
}
