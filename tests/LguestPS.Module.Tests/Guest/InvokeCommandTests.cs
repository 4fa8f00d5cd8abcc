using System.Management.Automation;

namespace LguestPS.Module.Tests;

/*
 * Invoke-LguestVmCommand as a user calls it, on "VMs" whose engine is a fake
 * that speaks the contract and puts a real busybox shell on a real terminal
 * behind its stdin and stdout (script(1)): the cmdlet, the run's console
 * claim, the job and the pattern waits all take part; only the booting is
 * skipped. The busybox guest on KVM runs the same in ProvisioningTests.
 */
[Collection(EngineCollection.Name)]
public sealed class InvokeCommandTests : IClassFixture<PowerShellSession>, IDisposable
{
    private readonly PowerShellSession _ps;
    private readonly FakeEngine _engine;

    public InvokeCommandTests(PowerShellSession ps)
    {
        _ps = ps;
        _ps.Reset();
        _engine = FakeEngine.BusyBoxShell(ps.WorkDir, "/tmp");
    }

    public void Dispose()
    {
        _ps.Reset();
        _engine.Dispose();
    }

    private PsResult Run(string script, params (string, object?)[] vars) => _ps.Invoke(script, vars);

    private LguestVmJob Start(string name) =>
        Run($"New-LguestVm -Name {name} -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm").Single<LguestVmJob>();

    private static ErrorRecord Error(PsResult r, string errorId, ErrorCategory category)
    {
        var e = r.Errors.LastOrDefault();
        Assert.True(e != null, $"expected {errorId}, got no error");
        Assert.Equal((errorId, category), (e!.FullyQualifiedErrorId.Split(',')[0], e.CategoryInfo.Category));
        return e;
    }

    [Fact]
    public void ReturnsTheOutputAndExitCodeAsAResult()
    {
        Start("sh1");
        var r = Run("Invoke-LguestVmCommand -VMName sh1 -Command 'echo one; echo two >&2' -Timeout 60");
        r.AssertNoErrors();
        var result = r.Single<LguestCommandResult>();
        Assert.Equal(("sh1", "echo one; echo two >&2", 0, true), (result.VmName, result.Command, result.ExitCode, result.Succeeded));
        Assert.Equal(new[] { "one", "two" }, result.Output);
        Assert.True(result.Duration > TimeSpan.Zero);
        Assert.Equal("one\ntwo", result.ToString());

        // From the pipeline, and positionally.
        var piped = Run("Get-LguestVm sh1 | Invoke-LguestVmCommand 'pwd'").Single<LguestCommandResult>();
        Assert.Equal(new[] { "/tmp" }, piped.Output);
    }

    [Fact]
    public void ANonZeroExitIsAResultAndANonTerminatingError()
    {
        Start("sh2");
        var r = Run("$r = Invoke-LguestVmCommand -VMName sh2 'echo partial; exit 3' -ErrorVariable ev -ErrorAction SilentlyContinue; $r; $ev");
        var result = r.Objects<LguestCommandResult>().Single();
        Assert.Equal((3, false), (result.ExitCode, result.Succeeded));
        var error = r.Objects<ErrorRecord>().Single();
        Assert.Equal(("GuestCommandFailed", ErrorCategory.InvalidResult), (error.FullyQualifiedErrorId.Split(',')[0], error.CategoryInfo.Category));
        Assert.Same(result, error.TargetObject);
        Assert.Contains("exited with code 3", error.Exception.Message);
        Assert.Contains("partial", error.Exception.Message);

        // -ErrorAction Stop makes a provisioning script stop at the failing step.
        var stopped = Run("Invoke-LguestVmCommand -VMName sh2 'exit 1' -ErrorAction Stop; 'after'");
        Assert.DoesNotContain("after", stopped.Objects<string>());
        Error(stopped, "GuestCommandFailed", ErrorCategory.InvalidResult);
    }

    [Fact]
    public void CommandLinesStayOutOfPatternWaitsButNotOutOfTheJob()
    {
        var job = Start("sh3");
        Run("Invoke-LguestVmCommand -VMName sh3 'echo before-$((40+2))' -Timeout 60").AssertNoErrors();
        var r = Run("Invoke-LguestVmCommand -VMName sh3 'echo token-$((6*7))' -Timeout 60");
        Assert.Equal(new[] { "token-42" }, r.Single<LguestCommandResult>().Output);
        Error(Run("Wait-LguestVm -Name sh3 -Pattern 'token-42|LGPS' -Timeout 1"), "WaitTimeout", ErrorCategory.OperationTimeout);
        var console = Run("Receive-Job $job -Keep", ("job", job)).Objects<LguestConsoleLine>().Select(l => l.Text).ToList();
        Assert.Contains("token-42", console);
        // What the guest prints outside a command is the console's as always. The conversation
        // left the terminal's echo off (ShellSession), so the typed line is not shown and the
        // answer follows the prompt on its line.
        Run("Send-LguestVmConsole -VMName sh3 -Text 'echo free-$((1+1))'").AssertNoErrors();
        Assert.Equal("/tmp # free-2", Run("Wait-LguestVm -Name sh3 -Pattern 'free-2$' -Timeout 30").Single<LguestConsoleLine>().Text);
        // After typing by hand the shell is probed again before the next command.
        Assert.Equal(new[] { "again" }, Run("Invoke-LguestVmCommand -VMName sh3 'echo again' -Timeout 60").Single<LguestCommandResult>().Output);
    }

    [Fact]
    public void CommandsToOneVmRunOneAtATimeAndVmsRunTogether()
    {
        Start("sh4");
        Start("sh5");
        // The same VM twice: if the two ran together, one would find the other's lock directory
        // (named after the console shell's pid: these "VMs" share the host's /tmp).
        const string Exclusive = "mkdir /tmp/held-$$ 2>/dev/null || { echo OVERLAP; exit 1; }; sleep 1; rmdir /tmp/held-$$; echo done";
        var r = Run("Invoke-LguestVmCommand -VMName sh4, sh4, sh5 -Command $c -Timeout 60", ("c", Exclusive));
        r.AssertNoErrors();
        var results = r.Objects<LguestCommandResult>().ToList();
        Assert.Equal(new[] { "sh4", "sh4", "sh5" }, results.Select(x => x.VmName));
        Assert.All(results, x => Assert.Equal(new[] { "done" }, x.Output));
    }

    [Fact]
    public void ATimeoutIsAnErrorWithWhatWasPrintedAndTheNextCommandWorks()
    {
        Start("sh6");
        var r = Run("Invoke-LguestVmCommand -VMName sh6 'echo begun; sleep 60' -Timeout 3");
        Assert.Empty(r.Objects<LguestCommandResult>());
        var e = Error(r, "GuestCommandTimedOut", ErrorCategory.OperationTimeout);
        var partial = Assert.IsType<LguestCommandResult>(e.TargetObject);
        Assert.Equal(new[] { "begun" }, partial.Output);
        Assert.Null(partial.ExitCode);
        Assert.Equal(new[] { "ok" }, Run("Invoke-LguestVmCommand -VMName sh6 'echo ok' -Timeout 60").Single<LguestCommandResult>().Output);
    }

    [Fact]
    public void AVmThatIsNotRunningOrEndsMidCommandIsAClearError()
    {
        Run("New-LguestVm -Name off -MemoryMB 64 -Kernel ./vmlinuz | Out-Null").AssertNoErrors();
        Error(Run("Invoke-LguestVmCommand -VMName off 'true'"), "VmNotRunning", ErrorCategory.InvalidOperation);
        Error(Run("Invoke-LguestVmCommand -VMName nosuch 'true'"), "VmNotFound", ErrorCategory.ObjectNotFound);

        Start("sh7");
        var e = Error(Run("Invoke-LguestVmCommand -VMName sh7 'echo bye; kill -9 $$' -Timeout 60"), "VmExitedDuringCommand", ErrorCategory.OperationStopped);
        Assert.Contains("bye", ((LguestCommandResult)e.TargetObject).Output);
    }

    [Fact]
    public void WhatIfRunsNothing()
    {
        var job = Start("sh8");
        var r = Run("Invoke-LguestVmCommand -VMName sh8 'echo should-not-run' -WhatIf");
        r.AssertNoErrors();
        Assert.Empty(r.Output);
        Run("Invoke-LguestVmCommand -VMName sh8 'true' -Timeout 60").AssertNoErrors();
        Assert.DoesNotContain(Run("Receive-Job $job -Keep", ("job", job)).Objects<LguestConsoleLine>(), l => l.Text.Contains("should-not-run"));
    }

    [Fact]
    public void ResultsRenderAsATable()
    {
        Start("sh9");
        string text = _ps.Render("Invoke-LguestVmCommand -VMName sh9 'echo alpha; echo beta' -Timeout 60");
        var lines = text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();
        Assert.Matches(@"^VmName\s+ExitCode\s+Duration\s+Output$", lines[0]);
        Assert.Matches(@"^sh9\s+0\s+\d+\.\d{3} s alpha$", lines[2]);
        Assert.Matches(@"^\s+beta$", lines[3]);
    }
}
