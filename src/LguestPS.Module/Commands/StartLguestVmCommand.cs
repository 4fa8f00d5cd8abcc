using System;
using System.Management.Automation;
using System.Threading;
using LguestPS.Session;

namespace LguestPS.Commands;

/// <summary>
/// Start-LguestVm: runs each VM in its own engine process and returns a job
/// (PSJobTypeName LguestVmJob) whose output is the console; -Wait streams the
/// console down the pipeline instead and returns when the VM ends.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "LguestVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    DefaultParameterSetName = ParameterSets.VM)]
[OutputType(typeof(LguestVmJob))]
[OutputType(typeof(LguestConsoleLine))]
public sealed class StartLguestVmCommand : LguestVmCmdletBase
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Streams the console lines down the pipeline and returns when the VM ends, instead of returning a job.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    protected override void ProcessRecord()
    {
        var options = new VmRunOptions
        {
            Verbose = MyInvocation.BoundParameters.TryGetValue("Verbose", out var v) && v is SwitchParameter { IsPresent: true },
        };
        foreach (var vm in TargetVms())
        {
            if (!ShouldProcess(vm.Name, "Start VM")) continue;
            try
            {
                if (Wait)
                {
                    foreach (var record in RunFeed.Follow(vm, options, _stopping.Token)) Write(record);
                    continue;
                }
                var job = LguestVmJob.Start(vm, options);
                JobRepository.Add(job);
                WriteObject(job);
            }
            catch (LguestException e)
            {
                WriteLguestError(e, vm);
            }
        }
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

    /// <summary>Ctrl+C during -Wait: the feed ends, and stops the VM on its way out.</summary>
    protected override void StopProcessing() => _stopping.Cancel();
}
