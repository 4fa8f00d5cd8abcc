using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using LguestPS.Contract;
using LguestPS.Jobs;
using LguestPS.Session;

namespace LguestPS.Commands;

/// <summary>
/// Start-LguestVm: runs each VM in its own engine process and returns a job
/// (PSJobTypeName LguestVmJob) whose output is the console, once the engine
/// said the guest is about to run; -Wait streams the consoles of all the VMs
/// down the pipeline instead and returns when they have ended.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "LguestVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    DefaultParameterSetName = ParameterSets.VM)]
[OutputType(typeof(LguestVmJob))]
[OutputType(typeof(LguestConsoleLine))]
public sealed class StartLguestVmCommand : LguestVmCmdletBase
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<LguestVm> _following = new();
    private VmRunOptions _options = null!;

    /// <summary>Streams the console lines down the pipeline and returns when the VMs end, instead of returning jobs.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>With -Wait: how many seconds the VMs may run; each one still running then is stopped, with a WaitTimeout error.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [ValidateRange(-1, int.MaxValue)]
    public int Timeout { get; set; } = -1;

    protected override void BeginProcessing()
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) && !Wait)
            ThrowLguestError(LguestErrors.Fail(ErrorId.InvalidArgument,
                "-Timeout bounds Start-LguestVm -Wait. For a VM started as a job, use Wait-LguestVm -Timeout or Wait-Job -Timeout."), Timeout);
        _options = new VmRunOptions
        {
            Verbose = MyInvocation.BoundParameters.TryGetValue("Verbose", out var v) && v is SwitchParameter { IsPresent: true },
        };
    }

    protected override void ProcessRecord()
    {
        foreach (var vm in TargetVms())
        {
            if (!ShouldProcess(vm.Name, "Start VM")) continue;
            if (Wait)
            {
                _following.Add(vm); // started together in EndProcessing, so their consoles stream at once
                continue;
            }
            try
            {
                var job = LguestVmJob.Start(vm, _options, _stopping.Token, out var refused);
                if (_stopping.IsCancellationRequested)
                {
                    job.Dispose(); // Ctrl+C while waiting: the VM was stopped, and no job is handed out
                    return;
                }
                if (refused != null)
                {
                    foreach (var w in job.Warning) WriteWarning(w.Message);
                    foreach (var d in job.Verbose) WriteVerbose(d.Message);
                    job.Dispose();
                    WriteLguestError(refused, vm);
                    continue;
                }
                LguestVmJobSourceAdapter.Add(job, JobManager, JobRepository);
                WriteObject(job);
            }
            catch (LguestException e)
            {
                WriteLguestError(e, vm);
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_following.Count == 0) return;
        var timeout = Timeout < 0 ? System.Threading.Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(Timeout);
        foreach (var record in RunFeed.Follow(_following, _options, timeout, _stopping.Token)) Write(record);
    }

    private void Write(object record)
    {
        switch (record)
        {
            case ErrorRecord e: WriteError(e); break;
            case WarningRecord w: WriteWarning(w.Message); break;
            case VerboseRecord v: WriteVerbose(v.Message); break;
            default: WriteObject(record); break;
        }
    }

    /// <summary>Ctrl+C: a start that waits for the engine gives up and stops its VM; -Wait's feed ends and stops its VMs.</summary>
    protected override void StopProcessing() => _stopping.Cancel();
}
