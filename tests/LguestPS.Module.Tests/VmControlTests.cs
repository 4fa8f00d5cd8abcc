using System.Collections.Concurrent;
using System.Management.Automation;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using LguestPS.Client;
using LguestPS.Contract;
using LguestPS.Session;
using static LguestPS.Module.Tests.FakeEngine;

namespace LguestPS.Module.Tests;

/*
 * Stop-LguestVm's graceful stop, Suspend-LguestVm and Resume-LguestVm
 * against an engine whose control channel this test serves: which requests
 * the module makes and in what order, what it does with each answer (power
 * button, then Ctrl+Alt+Del, then turning the VM off with a warning; a
 * refusal is an error), the VM's state and the job's end. The guest's side
 * (acpid, init's ctrlaltdel action, the pause gate) runs only under KVM
 * (ControlLinuxTests, the Lifecycle spec); the module's decisions are
 * checked here, on every machine.
 *
 * The fake engine links the socket path the module gives it (--control) to
 * the test's listening socket (connect follows symlinks) and "shuts down" on
 * a signal from the test: SIGUSR1 powers off, SIGUSR2 reboots.
 */
[Collection(EngineCollection.Name)]
public sealed class VmControlTests : IClassFixture<PowerShellSession>, IDisposable
{
    private readonly PowerShellSession _ps;
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-stop").FullName;
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
    private readonly ConcurrentQueue<string> _requests = new();
    private string SocketPath => Path.Combine(_dir, "control");
    private string PidFile => Path.Combine(_dir, "pid");
    private FakeEngine? _engine;
    private const int SigUsr1 = 10, SigUsr2 = 12; // x86-64 Linux

    public VmControlTests(PowerShellSession ps)
    {
        _ps = ps;
        _ps.Reset();
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(4);
    }

    public void Dispose()
    {
        _ps.Reset();
        _engine?.Dispose();
        _listener.Dispose();
        Directory.Delete(_dir, true);
    }

    /// <summary>A guest that answers each request with <paramref name="answer"/> (null: ok) and then maybe shuts down by a signal.</summary>
    private void Serve(Func<string, (string? Error, int Signal)> answer) => Task.Run(() =>
    {
        while (true)
        {
            Socket c;
            try { c = _listener.Accept(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            using (c)
            {
                var buf = new byte[Control.MaxMessage];
                int n = c.Receive(buf);
                string op = JsonDocument.Parse(buf.AsMemory(0, n)).RootElement.GetProperty(Control.Op).GetString()!;
                _requests.Enqueue(op);
                var (error, signal) = answer(op);
                string reply = error == null ? $"{{\"{Control.Ok}\":true}}" : JsonSerializer.Serialize(new Dictionary<string, object> { [Control.Ok] = false, [Control.Error] = error });
                c.Send(Encoding.UTF8.GetBytes(reply));
                if (signal != 0) Posix.Kill(int.Parse(File.ReadAllText(PidFile).Trim()), signal);
            }
        }
    });

    private LguestVmJob Start()
    {
        const string controlArg = "${a#--control=}";
        // The fake idles in `read` on a FIFO nobody writes: a trapped signal ends the read, and no child of
        // its own outlives it holding the console pipes (a real engine has none).
        string fifo = Path.Combine(_dir, "idle");
        Tool.Run("mkfifo", fifo).Ok();
        _engine = Script(_ps.WorkDir, $"""
            for a in "$@"; do case "$a" in --control=*) ln -s '{SocketPath}' "{controlArg}" ;; esac; done
            echo $$ > '{PidFile}'
            {Function("poweroff", ExitReason.PowerOff)}
            {Function("reboot", ExitReason.Reboot)}
            {Function("sigterm", ExitReason.SigTerm)}
            trap poweroff USR1
            trap reboot USR2
            trap sigterm TERM
            exec 3<>'{fifo}'
            {Ready}
            while :; do read x <&3; done
            """);
        var r = _ps.Invoke("New-LguestVm -Name gs -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm");
        r.AssertNoErrors();
        var job = r.Single<LguestVmJob>();
        return job;
    }

    /// <summary>A shell function that ends the fake engine for this reason (a trap's action cannot quote the event's JSON).</summary>
    private static string Function(string name, ExitReason reason) => $"{name}() {{ {ExitEvent(reason)}; }}";

    private (string Warnings, LguestVm Vm) Stop(string options = "")
    {
        var r = _ps.Invoke($"Stop-LguestVm -Name gs {options} -WarningVariable w -WarningAction SilentlyContinue; \"$w\"; Get-LguestVm gs");
        r.AssertNoErrors();
        return (r.Objects<string>().Single(), r.Single<LguestVm>());
    }

    [Fact]
    public void AGuestThatHearsThePowerButtonPowersOffAndItsJobCompletes()
    {
        Serve(op => op == Control.Ops.PowerButton ? (null, SigUsr1) : (null, 0));
        var job = Start();
        var (warnings, vm) = Stop();
        Assert.Equal("", warnings);
        Assert.Equal(new[] { Control.Ops.Resume, Control.Ops.PowerButton }, _requests);
        Assert.Equal((LguestVmState.Off, ExitReason.PowerOff.Name), (vm.State, vm.ExitReason));
        Assert.Equal(JobState.Completed, job.JobStateInfo.State);
    }

    [Fact]
    public void AGuestWithoutAcpiGetsCtrlAltDelAndItsRebootEndsTheJob()
    {
        Serve(op => op switch
        {
            Control.Ops.PowerButton => ("the guest does not listen to its ACPI power button", 0),
            Control.Ops.CtrlAltDel => (null, SigUsr2),
            _ => (null, 0),
        });
        var job = Start();
        var (warnings, vm) = Stop();
        Assert.Equal("", warnings);
        Assert.Equal(new[] { Control.Ops.Resume, Control.Ops.PowerButton, Control.Ops.CtrlAltDel }, _requests);
        Assert.Equal((LguestVmState.Off, ExitReason.Reboot.Name), (vm.State, vm.ExitReason));
        Assert.Equal(JobState.Completed, job.JobStateInfo.State);
    }

    [Fact]
    public void AGuestThatHearsNeitherIsTurnedOffAtOnceWithAWarningThatSaysWhy()
    {
        Serve(op => op == Control.Ops.Resume ? (null, 0) : ($"no driver for {op}", 0));
        var job = Start();
        var (warnings, vm) = Stop("-Timeout 600");
        Assert.Contains("takes no shutdown request (power button: no driver for power-button; Ctrl+Alt+Del: no driver for ctrl-alt-del)", warnings);
        Assert.Contains("turning it off", warnings);
        Assert.Equal((LguestVmState.Off, ExitReason.SigTerm.Name), (vm.State, vm.ExitReason));
        Assert.Equal(JobState.Stopped, job.JobStateInfo.State);
    }

    [Fact]
    public void AGuestThatIsNotDoneInTimeIsTurnedOffWithAWarning()
    {
        Serve(_ => (null, 0)); // hears the button, never shuts down
        var job = Start();
        var (warnings, vm) = Stop("-Timeout 1");
        Assert.Contains("did not shut down within 1 s of being asked to: turning it off", warnings);
        Assert.Equal((LguestVmState.Off, ExitReason.SigTerm.Name), (vm.State, vm.ExitReason));
        Assert.Equal(JobState.Stopped, job.JobStateInfo.State);
    }

    [Fact]
    public void TurnOffAsksNothing()
    {
        Serve(_ => (null, 0));
        var job = Start();
        var (warnings, vm) = Stop("-TurnOff");
        Assert.Equal("", warnings);
        Assert.Empty(_requests);
        Assert.Equal(LguestVmState.Off, vm.State);
        Assert.Equal(JobState.Stopped, job.JobStateInfo.State);
    }

    [Fact]
    public void SuspendAndResumeAskTheEngineAndFollowItsAnswer()
    {
        bool refuse = false;
        Serve(op => (refuse ? "cannot pause: the guest is stopping" : null, 0));
        Start();
        Assert.Equal(LguestVmState.Paused, _ps.Invoke("Suspend-LguestVm -Name gs -PassThru").Single<LguestVm>().State);
        Assert.Equal(LguestVmState.Running, _ps.Invoke("Resume-LguestVm -Name gs -PassThru").Single<LguestVm>().State);
        refuse = true;
        var r = _ps.Invoke("Suspend-LguestVm -Name gs");
        Assert.Equal("VmControlRefused,LguestPS.Commands.SuspendLguestVmCommand", r.SingleError.FullyQualifiedErrorId);
        Assert.Contains("cannot pause: the guest is stopping", r.SingleError.ToString());
        Assert.Equal(LguestVmState.Running, _ps.Invoke("(Get-LguestVm gs).State").Single<LguestVmState>());
        Assert.Equal(new[] { Control.Ops.Pause, Control.Ops.Resume, Control.Ops.Pause }, _requests);
    }
}
