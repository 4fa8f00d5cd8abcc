using System.Diagnostics;
using System.Management.Automation;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace LguestPS.Module.Tests;

/*
 * The real thing: the cmdlets drive the Native AOT engine from the module
 * folder, which boots the project's test guest (tests/guest) on KVM. These
 * run wherever /dev/kvm exists and are skipped, saying why, where it does
 * not. A missing engine or guest is a failure: the test build makes both.
 */
[Collection(EngineCollection.Name)]
[Trait("Category", "EndToEnd")]
public class EndToEndTests : IClassFixture<PowerShellSession>, IDisposable
{
    private static readonly Regex TestLine = new(@"^TEST (\S+): (ok|FAIL)( .*)?$");
    private readonly PowerShellSession _ps;
    private readonly ITestOutputHelper _out;

    public EndToEndTests(PowerShellSession ps, ITestOutputHelper output)
    {
        _ps = ps;
        _out = output;
        _ps.Reset();
    }

    public void Dispose() => _ps.Reset();

    private PsResult Run(string script, params (string, object?)[] vars) => _ps.Invoke(script, vars);

    private static void Ready()
    {
        Layout.RequireKvm();
        Layout.RequireBuilt();
    }

    private static void AssertAllTestsPassed(IEnumerable<LguestConsoleLine> console)
    {
        var lines = console.Where(l => !l.IsPartial).Select(l => l.Text).ToList();
        var verdicts = lines.Where(l => TestLine.IsMatch(l)).ToList();
        Assert.NotEmpty(verdicts);
        Assert.DoesNotContain(verdicts, v => v.Contains(": FAIL"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^TESTS DONE passed=\d+ failed=0$"));
    }

    [SkippableFact]
    public void TheClientsPipelineBootsTheTestGuest()
    {
        Ready();
        var job = Run("New-LguestVm -MemoryMB 64 -Kernel $guest | Add-LguestRng | Start-LguestVm", ("guest", Layout.GuestBzImage)).Single<LguestVmJob>();
        Assert.Equal("LguestVmJob", job.PSJobTypeName);
        var done = Run("Wait-LguestVm -VM $job.VM -Pattern '^TESTS DONE' -Timeout 120", ("job", job)).Single<LguestConsoleLine>();
        Assert.Matches(@"^TESTS DONE passed=\d+ failed=0$", done.Text);
        Assert.Equal(LguestVmState.Running, job.VM.State);
        int pid = job.VM.ProcessId!.Value;

        var console = Run("Receive-Job $job", ("job", job)).Objects<LguestConsoleLine>().ToList();
        Assert.All(console, l => Assert.Equal("guest", l.VmName));
        Assert.StartsWith("lguest test guest: loaded at 0x", console[0].Text);
        Assert.True(console.Any(l => l.Text.StartsWith("TEST virtio-rng: ok")), string.Join("\n", console.Select(l => $"{l.LineNumber} {l.IsPartial} {l.Text}")));
        AssertAllTestsPassed(console);

        Run("Stop-Job $job", ("job", job)).AssertNoErrors();
        Assert.Equal(JobState.Stopped, job.JobStateInfo.State);
        Assert.False(Proc.Exists(pid), "Stop-Job left the engine running");
        Run("Remove-Job $job", ("job", job)).AssertNoErrors();
    }

    [SkippableTheory]
    [InlineData("guest.bzImage", "bzImage-64")]
    [InlineData("guest.elf", "elf-64")]
    public void ARebootWithOnRebootExitCompletesTheJob(string image, string entry)
    {
        Ready();
        var r = Run("""
            $job = New-LguestVm -MemoryMB 64 -Kernel $kernel -OnReboot Exit | Add-LguestRng | Start-LguestVm
            $job | Wait-Job -Timeout 120 | Receive-Job
            """, ("kernel", Path.Combine(Layout.GuestDir, image)));
        r.AssertNoErrors();
        var console = r.Objects<LguestConsoleLine>().ToList();
        Assert.EndsWith($"entry {entry}", console[0].Text);
        AssertAllTestsPassed(console);
        var job = Run("Get-Job").Single<LguestVmJob>();
        Assert.Equal(JobState.Completed, job.JobStateInfo.State);
        Assert.Equal((LguestVmState.Off, "reboot", (int?)0), (job.VM.State, job.VM.ExitReason, job.VM.ExitCode));
    }

    [SkippableFact]
    public void ReceiveJobWaitStreamsUntilTheGuestEnds()
    {
        Ready();
        var r = Run("New-LguestVm -MemoryMB 64 -Kernel ./guest.bzImage -OnReboot Exit | Start-LguestVm | Receive-Job -Wait");
        r.AssertNoErrors();
        AssertAllTestsPassed(r.Objects<LguestConsoleLine>());
    }

    [SkippableFact]
    public void StartWaitStreamsTheConsoleDownThePipeline()
    {
        Ready();
        var r = Run("New-LguestVm -MemoryMB 64 -Kernel ./guest.bzImage -OnReboot Exit | Add-LguestRng | Start-LguestVm -Wait | Where-Object Text -match '^TEST '");
        r.AssertNoErrors();
        var lines = r.Objects<LguestConsoleLine>().Select(l => l.Text).ToList();
        Assert.Contains(lines, l => l.StartsWith("TEST virtio-rng: ok"));
        Assert.All(lines, l => Assert.Matches(TestLine, l));
        Assert.Empty(Run("Get-Job").Output);
    }

    [SkippableFact]
    public void TextTypedIntoTheConsoleIsEchoedByTheGuest()
    {
        Ready();
        var r = Run("""
            $job = New-LguestVm -Name echo -MemoryMB 64 -Kernel ./guest.bzImage -KernelArguments 'tests=serial' -OnReboot Exit | Start-LguestVm
            Wait-LguestVm -Name echo -Pattern '^READY serial' -Timeout 120 | Out-Null
            Send-LguestVmConsole -VMName echo -Text 'hello from LguestPS'
            Wait-LguestVm -Name echo -Pattern '^ECHO (.*)$' -Timeout 60
            Wait-LguestVm -Name echo -Pattern '^TEST serial: ' -Timeout 60
            $job | Wait-Job -Timeout 60 | Out-Null
            """);
        r.AssertNoErrors();
        var lines = r.Objects<LguestConsoleLine>().Select(l => l.Text).ToList();
        Assert.Equal("ECHO hello from LguestPS", lines[0]);
        Assert.StartsWith("TEST serial: ok", lines[1]);
        Assert.Equal(JobState.Completed, Run("Get-Job -Name echo").Single<LguestVmJob>().JobStateInfo.State);
    }

    [SkippableFact]
    public void ARestartingGuestBootsAgainUntilStopped()
    {
        Ready();
        var job = Run("New-LguestVm -Name again -MemoryMB 64 -Kernel ./guest.bzImage | Start-LguestVm").Single<LguestVmJob>();
        // The default -OnReboot Restart: the guest's reboot boots it again, so its report comes twice.
        var r = Run("1..2 | ForEach-Object { Wait-LguestVm -Name again -Pattern '^TESTS DONE' -Timeout 120 }");
        r.AssertNoErrors();
        Assert.Equal(2, r.Objects<LguestConsoleLine>().Count());
        Assert.Contains(job.Verbose, v => v.Message.Contains("guest rebooted (reset)"));
        int pid = job.VM.ProcessId!.Value;
        Run("Stop-LguestVm -Name again").AssertNoErrors();
        Assert.False(Proc.Exists(pid), "Stop-LguestVm left the engine running");
        Assert.Equal((JobState.Stopped, LguestVmState.Off, "sigterm"), (job.JobStateInfo.State, job.VM.State, job.VM.ExitReason));
    }

    [SkippableFact]
    public void DisksReachTheGuest()
    {
        Ready();
        using (var f = File.Create(Path.Combine(_ps.WorkDir, "e2e-rw.img"))) f.SetLength(1 << 20);
        using (var f = File.Create(Path.Combine(_ps.WorkDir, "e2e-ro.img"))) f.SetLength(1 << 20);
        var r = Run("""
            New-LguestVm -MemoryMB 64 -Kernel ./guest.bzImage -OnReboot Exit |
                Add-LguestBlockDevice -Path ./e2e-rw.img |
                Add-LguestBlockDevice -Path ./e2e-ro.img -ReadOnly |
                Start-LguestVm -Wait
            """);
        r.AssertNoErrors();
        var console = r.Objects<LguestConsoleLine>().ToList();
        var blk = console.Single(l => l.Text.StartsWith("TEST virtio-blk:")).Text;
        Assert.StartsWith("TEST virtio-blk: ok (2 disks", blk);
        Assert.Contains(" ro ", blk);
        AssertAllTestsPassed(console);
    }

    [SkippableFact]
    public void AStoppedVmLeavesNoLockOnItsDisk()
    {
        Ready();
        using (var f = File.Create(Path.Combine(_ps.WorkDir, "e2e-lock.img"))) f.SetLength(1 << 20);
        var r = Run("""
            New-LguestVm -Name first -MemoryMB 64 -Kernel ./guest.bzImage | Add-LguestBlockDevice -Path ./e2e-lock.img | Start-LguestVm | Out-Null
            Wait-LguestVm -Name first -Pattern '^TESTS DONE' -Timeout 120 | Out-Null
            Stop-LguestVm -Name first
            New-LguestVm -Name second -MemoryMB 64 -Kernel ./guest.bzImage -OnReboot Exit | Add-LguestBlockDevice -Path ./e2e-lock.img | Start-LguestVm -Wait
            """);
        r.AssertNoErrors();
        Assert.Contains(r.Objects<LguestConsoleLine>(), l => l.Text.StartsWith("TEST virtio-blk: ok ("));
    }

    [SkippableTheory]
    [InlineData("tests=crash-triple", "GuestTripleFault", ErrorCategory.OperationStopped, 4)]
    [InlineData("tests=crash-mmio-exec", "GuestEmulationFailure", ErrorCategory.NotImplemented, 5)]
    public void AGuestThatCrashesFailsTheJob(string args, string errorId, ErrorCategory category, int exitCode)
    {
        Ready();
        var job = Run("New-LguestVm -Name crash -MemoryMB 64 -Kernel ./guest.bzImage -KernelArguments $a -OnReboot Exit | Start-LguestVm", ("a", args)).Single<LguestVmJob>();
        Assert.True(job.Finished.WaitOne(TimeSpan.FromSeconds(120)));
        Assert.Equal(JobState.Failed, job.JobStateInfo.State);
        Assert.Equal(errorId, Assert.IsType<LguestException>(job.JobStateInfo.Reason).ErrorId);
        var r = Run("Receive-Job -Name crash");
        Assert.Contains(r.Objects<LguestConsoleLine>(), l => l.Text.StartsWith("CRASH "));
        Assert.Equal(errorId, r.Errors[0].FullyQualifiedErrorId);
        Assert.Equal(category, r.Errors[0].CategoryInfo.Category);
        Assert.Equal((LguestVmState.Failed, (int?)exitCode), (job.VM.State, job.VM.ExitCode));
    }

    [SkippableFact]
    public void TheEnginesOwnChecksBecomeTypedErrors()
    {
        Ready();
        // New-LguestVm cannot know how much room this kernel needs; the engine can, and says MemoryTooSmall
        // before the guest runs: an error of Start-LguestVm itself, with no job left behind.
        var e = Run("New-LguestVm -Name small -MemoryMB 2 -Kernel ./guest.bzImage | Start-LguestVm").SingleError;
        Assert.Equal(("MemoryTooSmall,LguestPS.Commands.StartLguestVmCommand", ErrorCategory.InvalidArgument), (e.FullyQualifiedErrorId, e.CategoryInfo.Category));
        Assert.Empty(Run("Get-Job").Output);
    }

    public static TheoryData<string, string> BootingExamples => DocExamples.Data(boots: true);

    [SkippableTheory]
    [MemberData(nameof(BootingExamples))]
    public void TheDocsExamplesThatBootRun(string cmdlet, string title)
    {
        Ready();
        string code = DocExamples.Code(cmdlet, title);
        DocExamples.SkipUnlessRunnableHere(_ps, code);
        DocExamples.Run(_ps, code);
    }

    /// <summary>The minimal Linux of tests/fixtures (built once, cached), from its build script's KEY= lines.</summary>
    private static string MinimalKernel()
    {
        var psi = new ProcessStartInfo("bash", [Path.Combine(Layout.Root, "tests/fixtures/minimal-kernel/build.sh")])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(1_800_000) && p.ExitCode == 0, "the kernel fixture failed: " + err.Result);
        return output.Split('\n').Single(l => l.StartsWith("VMLINUX=")).Substring("VMLINUX=".Length).Trim();
    }

    /// <summary>Real Linux through the cmdlets: its kernel log arrives as records, its disk and rng are found, it reboots.</summary>
    [SkippableFact]
    public void TheMinimalLinuxKernelBootsThroughTheCmdlets()
    {
        Ready();
        string kernel = MinimalKernel();
        string disk = Path.Combine(Path.GetTempPath(), $"lguestps-linux-{Guid.NewGuid():N}.img");
        File.WriteAllBytes(disk, new byte[8 << 20]);
        try
        {
            var console = Run("New-LguestVm -Name linux -MemoryMB 128 -Kernel $k -KernelArguments 'console=ttyS0 rodata=off panic=-1 reboot=k' -OnReboot Exit |" +
                              " Add-LguestBlockDevice -Path $d | Add-LguestRng | Start-LguestVm -Wait",
                ("k", kernel), ("d", disk)).Objects<LguestConsoleLine>().Select(l => l.Text).ToList();
            _out.WriteLine($"{console.Count} console lines");
            Assert.Contains(console, l => l.Contains("Linux version 6.1"));
            Assert.Contains(console, l => l.Contains("virtio_blk virtio1: [vda] 16384 512-byte logical blocks"));
            Assert.Contains(console, l => l.Contains("Unable to mount root fs"));
            Assert.Equal(LguestVmState.Off, Run("(Get-LguestVm -Name linux).State").Single<LguestVmState>()); // ended cleanly: not Failed
        }
        finally { File.Delete(disk); }
    }
}
