using System.Diagnostics;
using System.Management.Automation;
using LguestPS.Contract;
using LguestPS.Client;
using LguestPS.Session;
using static LguestPS.Module.Tests.FakeEngine;

namespace LguestPS.Module.Tests;

/*
 * The engine client, the VM job and the error mapping against real child
 * processes that speak the engine's contract (console on stdout, JSON events
 * on stderr, documented exit codes): everything about running a VM except
 * the booting, which EndToEndTests covers with the real engine.
 */
[Collection(EngineCollection.Name)]
public class FakeEngineTests : IClassFixture<PowerShellSession>, IDisposable
{
    private readonly PowerShellSession _ps;

    public FakeEngineTests(PowerShellSession ps)
    {
        _ps = ps;
        _ps.Reset();
    }

    public void Dispose() => _ps.Reset();

    private FakeEngine Engine(string body) => Script(_ps.WorkDir, body);

    private PsResult Run(string script, params (string, object?)[] vars) => _ps.Invoke(script, vars);

    private LguestVmJob StartJob(string name = "fk", string extra = "")
    {
        var r = Run($"New-LguestVm -Name {name} -MemoryMB 64 -Kernel ./vmlinuz {extra} | Start-LguestVm");
        r.AssertNoErrors();
        return r.Single<LguestVmJob>();
    }

    private static void WaitFinished(Job job, int seconds = 10) =>
        Assert.True(job.Finished.WaitOne(TimeSpan.FromSeconds(seconds)), $"the job is still {job.JobStateInfo.State}");

    [Fact]
    public void AVmRunsAsAJobWhoseOutputIsTheConsole()
    {
        using var _ = Engine($"""
            {Ready}
            printf 'hello\r\nworld\r\n'
            for a in "$@"; do echo "arg:$a"; done
            {ExitEvent(ExitReason.PowerOff, "the guest powered off")}
            """);
        var r = Run("""
            $job = New-LguestVm -Name fk -MemoryMB 64 -Kernel ./vmlinuz -KernelArguments 'console=hvc0  a="b c"' | Add-LguestRng | Start-LguestVm
            $job | Wait-Job -Timeout 10 | Out-Null
            $job
            """);
        r.AssertNoErrors();
        var job = r.Single<LguestVmJob>();
        Assert.Equal("LguestVmJob", job.PSJobTypeName);
        Assert.Equal("fk", job.Name);
        Assert.Equal(JobState.Completed, job.JobStateInfo.State);
        Assert.Same(job, Run("Get-Job -Name fk").Single<LguestVmJob>());
        Assert.Contains(job.Verbose, v => v.Message.Contains("guest ready after"));

        var lines = Run("Receive-Job -Name fk").Objects<LguestConsoleLine>().ToList();
        Assert.Equal(new[] { "hello", "world" }, lines.Take(2).Select(l => l.Text));
        Assert.All(lines, l => Assert.Equal("fk", l.VmName));
        Assert.True(lines[0].Time > TimeSpan.Zero && lines[0].Time < TimeSpan.FromSeconds(5));
        // The kernel command line reaches the engine as one argument, exactly as written.
        var args = EngineCommandLine.Parse(lines.Where(l => l.Text.StartsWith("arg:")).Select(l => l.Text[4..]).ToList());
        Assert.Equal((LogFormat.Json, true, 64UL, Path.Combine(_ps.WorkDir, "vmlinuz")), (args.LogFormat, args.Rng, args.MemoryMiB, args.Kernel));
        Assert.Equal(new[] { "console=hvc0  a=\"b c\"" }, args.KernelArgs);
        Assert.False(Run("(Get-Job -Name fk).HasMoreData").Single<bool>());

        var vm = job.VM;
        Assert.Equal((LguestVmState.Off, ExitReason.PowerOff.Name, (int?)ExitReason.PowerOff.Code, (int?)null), (vm.State, vm.ExitReason, vm.ExitCode, vm.ProcessId));
        Run("Remove-Job -Name fk").AssertNoErrors();
        Assert.Empty(Run("Get-Job").Output);
    }

    [Fact]
    public void ConsoleLinesMatchAsText()
    {
        using var _ = Engine($"{Ready}\necho 'TEST boot: ok'\necho 'TEST timer: FAIL no tick'\n{ExitEvent(ExitReason.PowerOff)}");
        var job = StartJob();
        WaitFinished(job);
        var r = Run("Receive-Job -Name fk | Where-Object { $_ -match 'FAIL' } | ForEach-Object { \"$_\" }");
        Assert.Equal("TEST timer: FAIL no tick", Assert.Single(r.Output).ToString());
    }

    /// <summary>Every failure of the contract: each engine error id with the exit its start-up ends in, and each failing exit reason alone.</summary>
    public static TheoryData<string, string> Failures()
    {
        var data = new TheoryData<string, string>();
        foreach (var id in ErrorIds.All) data.Add(id.Name(), id.ExitOf().Name);
        foreach (var r in ExitReason.All.Where(r => r.Outcome == ExitOutcome.Failure)) data.Add("", r.Name);
        return data;
    }

    /// <summary>A failure after the engine said ready (the guest ran) fails the job, with the contract's errorId.</summary>
    [Theory]
    [MemberData(nameof(Failures))]
    public void AFailedRunFailsTheJobWithAStableErrorId(string engineErrorId, string reasonName)
    {
        var reason = ExitReason.FromName(reasonName)!;
        var id = ErrorIds.FromName(engineErrorId);
        string errorId = id?.Name() ?? reason.FailureId!;
        string error = id is { } known ? ErrorEvent(known, "what the engine said") : "";
        using var _ = Engine($"{Ready}\n{error}\n{ExitEvent(reason, "what the engine said")}");
        var job = StartJob();
        WaitFinished(job);

        Assert.Equal(JobState.Failed, job.JobStateInfo.State);
        var reasonEx = Assert.IsType<LguestException>(job.JobStateInfo.Reason);
        Assert.Equal(errorId, reasonEx.ErrorId);
        Assert.Contains("what the engine said", reasonEx.Message);

        // The job's error, then (as for any failed job) PowerShell's JobStateFailed wrapping the same exception.
        var r = Run("Receive-Job -Name fk");
        Assert.Equal(2, r.Errors.Count);
        var record = r.Errors[0];
        Assert.Equal(errorId, record.FullyQualifiedErrorId);
        Assert.Equal("JobStateFailed", r.Errors[1].FullyQualifiedErrorId);
        Assert.Same(reasonEx, r.Errors[1].Exception);
        Assert.Equal(LguestErrors.CategoryOf(errorId), record.CategoryInfo.Category);
        Assert.Same(job.VM, record.TargetObject);
        Assert.Equal((LguestVmState.Failed, reason.Name, (int?)reason.Code), (job.VM.State, job.VM.ExitReason, job.VM.ExitCode));
    }

    /// <summary>
    /// A failure before the engine said ready (what the engine refuses at
    /// start) is an error of Start-LguestVm itself, with the same errorId: no
    /// job is left behind, and -ErrorAction Stop stops the script there.
    /// </summary>
    [Theory]
    [MemberData(nameof(Failures))]
    public void AStartUpFailureIsAnErrorOfStartLguestVm(string engineErrorId, string reasonName)
    {
        var reason = ExitReason.FromName(reasonName)!;
        var id = ErrorIds.FromName(engineErrorId);
        string errorId = id?.Name() ?? reason.FailureId!;
        string error = id is { } known ? ErrorEvent(known, "what the engine refused") : "";
        using var _ = Engine($"{LogEvent(Events.Log.Levels.Warning, "said on the way out")}\n{error}\n{ExitEvent(reason, "what the engine refused")}");

        var r = Run("New-LguestVm -Name fk -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm -WarningVariable w -WarningAction SilentlyContinue; $w");
        var e = r.SingleError;
        Assert.Equal($"{errorId},LguestPS.Commands.StartLguestVmCommand", e.FullyQualifiedErrorId);
        Assert.Equal(LguestErrors.CategoryOf(errorId), e.CategoryInfo.Category);
        Assert.Contains("what the engine refused", e.Exception.Message);
        Assert.Equal("fk: said on the way out", Assert.Single(r.Objects<WarningRecord>()).Message);
        Assert.Empty(Run("Get-Job").Output);
        Assert.Equal((LguestVmState.Failed, reason.Name), (Run("Get-LguestVm fk").Single<LguestVm>().State, Run("(Get-LguestVm fk).ExitReason").Single<string>()));

        var stopped = Run("Start-LguestVm -Name fk -ErrorAction Stop; 'after the failed start'");
        Assert.Empty(stopped.Output);
        Assert.Equal(errorId, Assert.Single(stopped.Errors).FullyQualifiedErrorId.Split(',')[0]);
    }

    [Fact]
    public void AnEngineThatDiesWithoutAWordStillFailsWithWhatItLastSaid()
    {
        using var _ = Engine($"{Ready}\necho 'Segmentation fault in the device model' >&2; kill -SEGV $$");
        var job = StartJob();
        WaitFinished(job);
        Assert.Equal(JobState.Failed, job.JobStateInfo.State);
        var e = Assert.IsType<LguestException>(job.JobStateInfo.Reason);
        Assert.Equal("EngineCrashed", e.ErrorId);
        Assert.Contains("Segmentation fault in the device model", e.Message);
        Assert.Equal(139, job.VM.ExitCode);
        Assert.Contains(job.Warning, w => w.Message.Contains("Segmentation fault"));

        // The same death before the engine said ready is Start-LguestVm's error.
        using var early = Engine("echo 'Segmentation fault in the loader' >&2; kill -SEGV $$");
        var r = Run("Start-LguestVm -Name fk -WarningAction SilentlyContinue");
        Assert.Equal("EngineCrashed", r.SingleError.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("Segmentation fault in the loader", r.SingleError.Exception.Message);
    }

    /// <summary>Start-LguestVm returns once the engine said ready, not before: the VM is Running when the job is handed out.</summary>
    [Fact]
    public void StartReturnsOnceTheEngineIsReady()
    {
        using var _ = Engine($"echo booting\nread line\n{Ready}\n{RunUntilTerm}");
        var vm = Run("New-LguestVm -Name fk -MemoryMB 64 -Kernel ./vmlinuz").Single<LguestVm>();
        using var ps = PowerShell.Create(_ps.Runspace);
        ps.AddScript("$vm | Start-LguestVm");
        _ps.Runspace.SessionStateProxy.SetVariable("vm", vm);
        var started = ps.BeginInvoke();
        WaitFor(() => vm.ProcessId is not null ? vm : null);
        WaitFor(() => LguestPS.Session.VmRun.Of(vm)!.History.Count > 0 ? vm : null); // the engine runs: it wrote "booting"
        Assert.False(started.IsCompleted, "Start-LguestVm returned before the engine said ready");
        Assert.Equal(LguestVmState.Starting, vm.State);
        LguestPS.Session.VmRun.Of(vm)!.Send("go\n"); // the fake engine says ready once it reads a line
        var job = Assert.IsType<LguestVmJob>(Assert.Single(ps.EndInvoke(started)).BaseObject);
        Assert.Equal((JobState.Running, LguestVmState.Running), (job.JobStateInfo.State, vm.State));
        Assert.Equal("booting", Run("Receive-Job -Name fk").Single<LguestConsoleLine>().Text);
    }

    /// <summary>Ctrl+C while Start-LguestVm waits for the engine stops the VM: nobody holds a job for it.</summary>
    [Fact]
    public void StoppingAStartThatWaitsStopsTheVm()
    {
        using var _ = Engine($"echo booting\n{RunUntilTerm}");
        var vm = Run("New-LguestVm -Name fk -MemoryMB 64 -Kernel ./vmlinuz").Single<LguestVm>();
        using var ps = PowerShell.Create(_ps.Runspace);
        ps.AddScript("$vm | Start-LguestVm");
        _ps.Runspace.SessionStateProxy.SetVariable("vm", vm);
        var started = ps.BeginInvoke();
        WaitFor(() => LguestPS.Session.VmRun.Of(vm) is { } run && run.History.Count > 0 ? vm : null);
        int pid = vm.ProcessId!.Value;
        ps.Stop();
        Assert.True(started.IsCompleted);
        Assert.False(Proc.Exists(pid), $"engine {pid} outlived the start that was stopped");
        Assert.Equal(LguestVmState.Off, vm.State);
        Assert.Empty(Run("Get-Job").Output);
    }

    /// <summary>Polls a condition (the timeout only bounds a failure).</summary>
    private static T WaitFor<T>(Func<T?> probe, int seconds = 10) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } found) return found;
            Thread.Sleep(20);
        }
        throw new TimeoutException("the condition did not come true");
    }

    [Fact]
    public void StopJobStopsTheVmAndLeavesNoProcess()
    {
        using var _ = Engine($"{Ready}\necho started\n{RunUntilTerm}");
        var job = StartJob();
        Assert.NotNull(Run("Wait-LguestVm -Name fk -Pattern started -Timeout 10").Single<LguestConsoleLine>());
        var vm = job.VM;
        Assert.Equal(LguestVmState.Running, vm.State);
        int pid = vm.ProcessId!.Value;
        Assert.Equal(pid, Proc.ProcessGroupId(pid)); // a process group of its own: ^C at the prompt does not reach it
        Assert.Contains("fake-engine", File.ReadAllText($"/proc/{pid}/cmdline")); // and the pid is the engine's

        Run("Stop-Job -Name fk").AssertNoErrors();
        Assert.Equal(JobState.Stopped, job.JobStateInfo.State);
        Assert.False(Proc.Exists(pid), $"engine {pid} is still there");
        Assert.Equal((LguestVmState.Off, ExitReason.SigTerm.Name, (int?)ExitReason.SigTerm.Code), (vm.State, vm.ExitReason, vm.ExitCode));
        Assert.Empty(job.Error);
    }

    [Fact]
    public void AnEngineThatIsNotExecutableIsAStartError()
    {
        using var engine = Engine("exit 0");
        File.SetUnixFileMode(engine.Path_, UnixFileMode.UserRead);
        var e = Run("New-LguestVm -Name fk -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm").SingleError;
        Assert.Equal(("EngineStartError,LguestPS.Commands.StartLguestVmCommand", ErrorCategory.OpenError), (e.FullyQualifiedErrorId, e.CategoryInfo.Category));
        Assert.Empty(Run("Get-Job").Output);
        Assert.Equal(LguestVmState.Off, Run("Get-LguestVm fk").Single<LguestVm>().State);
    }

    [Fact]
    public void StopLguestVmWaitsForTheEngine()
    {
        using var _ = Engine($"{Ready}\necho started\n{RunUntilTerm}");
        var job = StartJob();
        Run("Wait-LguestVm -Name fk -Pattern started -Timeout 10").AssertNoErrors();
        int pid = job.VM.ProcessId!.Value;
        var vm = Run("Stop-LguestVm -Name fk -PassThru").Single<LguestVm>();
        Assert.Equal(LguestVmState.Off, vm.State);
        Assert.Equal(JobState.Stopped, job.JobStateInfo.State);
        Assert.False(Proc.Exists(pid));
    }

    [Fact]
    public void AnEngineThatIgnoresSigtermIsKilledAfterTheGracePeriod()
    {
        using var _ = Engine($"{Ready}\ntrap '' TERM\necho started\nwhile :; do sleep 0.05; done");
        var grace = VmRun.StopGrace;
        VmRun.StopGrace = TimeSpan.FromSeconds(1);
        try
        {
            var job = StartJob();
            Run("Wait-LguestVm -Name fk -Pattern started -Timeout 10").AssertNoErrors();
            int pid = job.VM.ProcessId!.Value;
            var clock = Stopwatch.StartNew();
            Run("Stop-LguestVm -Name fk").AssertNoErrors();
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
            Assert.False(Proc.Exists(pid));
            Assert.Equal(JobState.Stopped, job.JobStateInfo.State);
            Assert.Equal(137, job.VM.ExitCode);
        }
        finally
        {
            VmRun.StopGrace = grace;
        }
    }

    [Fact]
    public void TurnOffKillsAtOnce()
    {
        using var _ = Engine($"{Ready}\ntrap '' TERM\necho started\nwhile :; do sleep 0.05; done");
        var job = StartJob();
        Run("Wait-LguestVm -Name fk -Pattern started -Timeout 10").AssertNoErrors();
        int pid = job.VM.ProcessId!.Value;
        var clock = Stopwatch.StartNew();
        Run("Stop-LguestVm -Name fk -TurnOff").AssertNoErrors();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3));
        Assert.False(Proc.Exists(pid));
        Assert.Equal((JobState.Stopped, EngineExit.Killed), (job.JobStateInfo.State, job.VM.ExitReason));
    }

    [Fact]
    public void SignalsFromOutsideStopOrFailTheJob()
    {
        using var _ = Engine($"{Ready}\necho started\n{RunUntilTerm}");
        var job = StartJob("term");
        Run("Wait-LguestVm -Name term -Pattern started -Timeout 10").AssertNoErrors();
        Posix.Kill(job.VM.ProcessId!.Value, Posix.SIGTERM);
        WaitFinished(job);
        Assert.Equal(JobState.Stopped, job.JobStateInfo.State);

        var killed = StartJob("kill");
        Run("Wait-LguestVm -Name kill -Pattern started -Timeout 10").AssertNoErrors();
        Posix.Kill(killed.VM.ProcessId!.Value, Posix.SIGKILL);
        WaitFinished(killed);
        Assert.Equal(JobState.Failed, killed.JobStateInfo.State);
        Assert.Equal("EngineKilled", ((LguestException)killed.JobStateInfo.Reason).ErrorId);
    }

    [Fact]
    public void APromptWithoutANewlineArrivesAfterAShortIdle()
    {
        using var _ = Engine($"{Ready}\nprintf 'login: '\nexec sleep 30");
        StartJob();
        var clock = Stopwatch.StartNew();
        var line = Run("Wait-LguestVm -Name fk -Pattern 'login:\\s*$' -Timeout 10").Single<LguestConsoleLine>();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.True(line.IsPartial);
        Assert.Equal("login: ", line.Text);
    }

    [Fact]
    public void TypedTextReachesTheGuestAndPatternWaitsWalkForward()
    {
        using var _ = Engine($"""
            {Ready}
            echo 'READY serial'
            read first; echo "ECHO $first"
            printf 'prompt> '
            read second; echo "ECHO $second"
            {ExitEvent(ExitReason.PowerOff)}
            """);
        var job = StartJob();
        var r = Run("""
            Wait-LguestVm -Name fk -Pattern 'READY serial' -Timeout 10 | Out-Null
            Send-LguestVmConsole -VMName fk -Text 'hello world'
            Wait-LguestVm -Name fk -Pattern '^ECHO (.*)' -Timeout 10
            Wait-LguestVm -Name fk -Pattern 'prompt>' -Timeout 10
            Get-LguestVm fk | Send-LguestVmConsole 'again' -PassThru | Wait-LguestVm -Pattern 'ECHO again' -Timeout 10
            """);
        r.AssertNoErrors();
        var lines = r.Objects<LguestConsoleLine>().Select(l => l.Text).ToList();
        // The echo continues the prompt's line, as on a terminal.
        Assert.Equal(new[] { "ECHO hello world", "prompt> ", "prompt> ECHO again" }, lines);
        WaitFinished(job);
        Assert.Equal(JobState.Completed, job.JobStateInfo.State);
        // After the VM ended its console is still there to wait on, but the pattern must be new.
        Assert.Equal("VmExitedBeforeMatch", Run("Wait-LguestVm -Name fk -Pattern 'never' -Timeout 5").SingleError.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal("VmNotRunning", Run("Send-LguestVmConsole -VMName fk -Text late").SingleError.FullyQualifiedErrorId.Split(',')[0]);
    }

    [Fact]
    public void WaitLguestVmTimesOut()
    {
        using var _ = Engine($"{Ready}\n{RunUntilTerm}");
        StartJob();
        var clock = Stopwatch.StartNew();
        var e = Run("Wait-LguestVm -Name fk -Timeout 1").SingleError;
        Assert.Equal("WaitTimeout,LguestPS.Commands.WaitLguestVmCommand", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.OperationTimeout, e.CategoryInfo.Category);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.Equal("WaitTimeout", Run("Wait-LguestVm -Name fk -Pattern nothing -Timeout 1").SingleError.FullyQualifiedErrorId.Split(',')[0]);
    }

    [Fact]
    public void WaitLguestVmWaitsForTheEnd()
    {
        using var _ = Engine($"{Ready}\nsleep 0.5\n{ExitEvent(ExitReason.Reboot)}");
        StartJob(extra: "-OnReboot Exit");
        var vm = Run("Wait-LguestVm -Name fk -Timeout 10 -PassThru").Single<LguestVm>();
        Assert.Equal((LguestVmState.Off, ExitReason.Reboot.Name), (vm.State, vm.ExitReason));
    }

    [Fact]
    public void ReceiveJobWaitStreamsUntilTheVmEnds()
    {
        using var _ = Engine($"{Ready}\necho one\nsleep 0.3\necho two\nsleep 0.3\necho three\n{ExitEvent(ExitReason.PowerOff)}");
        var r = Run("New-LguestVm -Name fk -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm | Receive-Job -Wait");
        r.AssertNoErrors();
        Assert.Equal(new[] { "one", "two", "three" }, r.Objects<LguestConsoleLine>().Select(l => l.Text));
    }

    [Fact]
    public void StartWaitStreamsTheConsoleDownThePipeline()
    {
        using var _ = Engine($"{Ready}\necho one\nsleep 0.2\necho two\n{ExitEvent(ExitReason.PowerOff)}");
        var r = Run("New-LguestVm -Name fk -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm -Wait | ForEach-Object { $_.Text.ToUpper() }");
        r.AssertNoErrors();
        Assert.Equal(new[] { "ONE", "TWO" }, r.Output.Select(o => o.ToString()));
        Assert.Empty(Run("Get-Job").Output);
        Assert.Equal(LguestVmState.Off, Run("Get-LguestVm fk").Single<LguestVm>().State);
    }

    /// <summary>Ctrl+C during Start-LguestVm -Wait stops the pipeline, and the VM with it: nothing outlives the pipeline.</summary>
    [Fact]
    public void StoppingStartWaitStopsTheVm()
    {
        using var _ = Engine($"{Ready}\necho started\n{RunUntilTerm}");
        using var ps = PowerShell.Create(_ps.Runspace);
        ps.AddScript("$vm = New-LguestVm -Name fk -MemoryMB 64 -Kernel ./vmlinuz; $vm; $vm | Start-LguestVm -Wait");
        var output = new PSDataCollection<PSObject>();
        using var firstLine = new ManualResetEventSlim(false);
        output.DataAdded += (_, _) => { if (output.Count == 2) firstLine.Set(); };
        var running = ps.BeginInvoke<PSObject, PSObject>(null, output);
        Assert.True(firstLine.Wait(TimeSpan.FromSeconds(10)), "the console never reached the pipeline");
        var vm = (LguestVm)output[0].BaseObject;
        int pid = vm.ProcessId!.Value;

        ps.Stop(); // what Ctrl+C does to the running pipeline
        Assert.True(running.IsCompleted);
        Assert.False(Proc.Exists(pid), $"engine {pid} outlived the pipeline that ran it");
        Assert.Equal((LguestVmState.Off, ExitReason.SigTerm.Name), (vm.State, vm.ExitReason));
        Assert.Equal("started", output[1].ToString());
        Assert.Equal(2, output.Count);
        Assert.Empty(Run("Get-Job").Output);
    }

    [Fact]
    public void StartWaitWritesTheFailure()
    {
        using var _ = Engine($"{ErrorEvent(ErrorId.KernelInvalid, "not a kernel")}\n{ExitEvent(ExitReason.Error, "not a kernel")}");
        var r = Run("New-LguestVm -Name fk -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm -Wait");
        Assert.Equal("KernelInvalid,LguestPS.Commands.StartLguestVmCommand", r.SingleError.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, r.SingleError.CategoryInfo.Category);
    }

    [Fact]
    public void ARunningVmCannotBeStartedChangedOrRemoved()
    {
        using var _ = Engine($"{Ready}\necho started\n{RunUntilTerm}");
        var job = StartJob();
        Run("Wait-LguestVm -Name fk -Pattern started -Timeout 10").AssertNoErrors();
        Assert.Equal("VmRunning", Run("Start-LguestVm -Name fk").SingleError.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal("VmRunning", Run("Add-LguestRng -VMName fk").SingleError.FullyQualifiedErrorId.Split(',')[0]);
        var e = Run("Remove-LguestVm -Name fk").SingleError;
        Assert.Equal(("VmRunning", ErrorCategory.InvalidOperation), (e.FullyQualifiedErrorId.Split(',')[0], e.CategoryInfo.Category));
        int pid = job.VM.ProcessId!.Value;
        Run("Remove-LguestVm -Name fk -Force").AssertNoErrors();
        Assert.False(Proc.Exists(pid));
        Assert.Empty(Run("Get-LguestVm").Output);
        Assert.Equal(JobState.Stopped, job.JobStateInfo.State);
    }

    [Fact]
    public void AVmThatEndedCanBeStartedAgain()
    {
        using var _ = Engine($"{Ready}\necho run\n{ExitEvent(ExitReason.PowerOff)}");
        var first = StartJob();
        WaitFinished(first);
        var second = Run("Start-LguestVm -Name fk").Single<LguestVmJob>();
        WaitFinished(second);
        Assert.NotSame(first, second);
        Assert.Equal(JobState.Completed, second.JobStateInfo.State);
        Assert.Equal(2, Run("Get-Job -Name fk").Output.Count);
    }

    [Fact]
    public void RemoveJobForceStopsARunningVm()
    {
        using var _ = Engine($"{Ready}\necho started\n{RunUntilTerm}");
        var job = StartJob();
        Run("Wait-LguestVm -Name fk -Pattern started -Timeout 10").AssertNoErrors();
        int pid = job.VM.ProcessId!.Value;
        Run("Remove-Job -Name fk -Force").AssertNoErrors();
        Proc.WaitGone(pid, TimeSpan.FromSeconds(5));
        Assert.False(Proc.Exists(pid));
        Assert.Equal(LguestVmState.Off, job.VM.State);
    }

    [Fact]
    public void ClosingTheRunspaceStopsItsVms()
    {
        using var _ = Engine($"{Ready}\necho started\n{RunUntilTerm}");
        var runspace = ModuleSession.Open(new TextHost(TextWriter.Null, TextWriter.Null), Layout.Manifest);
        runspace.SessionStateProxy.Path.SetLocation(_ps.WorkDir);
        using (var ps = PowerShell.Create(runspace))
        {
            ps.AddScript("New-LguestVm -Name closing -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm | Out-Null; Wait-LguestVm -Name closing -Pattern started -Timeout 10 | Out-Null; (Get-LguestVm closing).ProcessId");
            int pid = (int)ps.Invoke().Single().BaseObject;
            Assert.True(Proc.Exists(pid));
            runspace.Close();
            Proc.WaitGone(pid, TimeSpan.FromSeconds(15));
            Assert.False(Proc.Exists(pid), "closing the runspace left the engine running");
        }
        runspace.Dispose();
    }

    [Fact]
    public void StartVerboseAsksTheEngineForDiagnostics()
    {
        using var _ = Engine($$"""
            {{Ready}}
            case "$*" in *--{{OptionNames.Verbose}}*) {{LogEvent(Events.Log.Levels.Verbose, "unknown port 0x80")}} ;; esac
            {{LogEvent(Events.Log.Levels.Warning, "guest poked something")}}
            echo 'a stray line' >&2
            {{ExitEvent(ExitReason.PowerOff)}}
            """);
        var job = Run("New-LguestVm -Name fk -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm -Verbose").Single<LguestVmJob>();
        WaitFinished(job);
        Assert.Contains(job.Verbose, v => v.Message == "fk: unknown port 0x80");
        Assert.Contains(job.Warning, w => w.Message == "fk: guest poked something");
        Assert.Contains(job.Warning, w => w.Message == "fk: a stray line");
    }
}
