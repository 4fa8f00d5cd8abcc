using System.Management.Automation;
using LguestPS.Contract;
using static LguestPS.Module.Tests.FakeEngine;

namespace LguestPS.Module.Tests;

/*
 * The engine's boot-time event (docs/engine.md "Boot timer") as a user sees
 * it: the VM's BootTime, and a verbose line on the job. Fake engines say
 * the events in the contract's words; the real event is the engine tests'.
 */
[Collection(EngineCollection.Name)]
public class BootTimeTests : IClassFixture<PowerShellSession>, IDisposable
{
    private readonly PowerShellSession _ps;

    public BootTimeTests(PowerShellSession ps)
    {
        _ps = ps;
        _ps.Reset();
    }

    public void Dispose() => _ps.Reset();

    private static string BootTimeEvent(double time, double fromPowerOn, int boot) =>
        Say(Json(Events.BootTime.Name, time, (Events.BootTime.FromPowerOn, fromPowerOn), (Events.BootTime.Boot, boot)));

    private LguestVmJob RunToEnd(string engineBody)
    {
        using var _ = Script(_ps.WorkDir, engineBody);
        var r = _ps.Invoke("$job = Start-LguestVm -Name bt; $job | Wait-Job -Timeout 10 | Out-Null; $job");
        r.AssertNoErrors();
        var job = r.Single<LguestVmJob>();
        Assert.Equal(JobState.Completed, job.JobStateInfo.State);
        return job;
    }

    [Fact]
    public void TheLatestBootsTimeIsTheVmsBootTimeAndANewRunForgetsIt()
    {
        _ps.Invoke("New-LguestVm -Name bt -MemoryMB 64 -Kernel ./vmlinuz").AssertNoErrors();
        var job = RunToEnd($"""
            {Ready}
            {BootTimeEvent(0.75, 0.5, 0)}
            {BootTimeEvent(1.5, 0.25, 1)}
            {ExitEvent(ExitReason.PowerOff, "the guest powered off")}
            """);
        Assert.Equal(TimeSpan.FromSeconds(0.25), job.VM.BootTime);
        Assert.Contains(job.Verbose, v => v.Message == "bt: guest reached userspace 0.500 s after power-on (boot 0), 0.750 s after the engine started");
        Assert.Equal(TimeSpan.FromSeconds(0.25), _ps.Invoke("(Get-LguestVm -Name bt).BootTime").Single<TimeSpan>());

        // A guest that never signals: the next run has no boot time, not the last run's.
        job = RunToEnd($"""
            {Ready}
            {ExitEvent(ExitReason.PowerOff, "the guest powered off")}
            """);
        Assert.Null(job.VM.BootTime);
    }
}
