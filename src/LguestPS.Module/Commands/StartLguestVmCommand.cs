using System;
using System.Management.Automation;
using System.Threading;
using LguestPS.Client;
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
    private volatile LguestVmJob? _streaming;

    /// <summary>Streams the console lines down the pipeline and returns when the VM ends, instead of returning a job.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var vm in TargetVms())
        {
            if (vm.IsActive)
            {
                WriteLguestError(LguestErrors.Fail("VmRunning", $"VM '{vm.Name}' is already {vm.State}."), vm);
                continue;
            }
            if (!ShouldProcess(vm.Name, "Start VM")) continue;

            LguestVmJob job;
            try
            {
                string engine = LguestEngine.FindExecutable();
                bool verbose = MyInvocation.BoundParameters.TryGetValue("Verbose", out var v) && v is SwitchParameter { IsPresent: true };
                job = new LguestVmJob(new VmRun(vm, engine, LguestEngine.BuildArguments(vm, verbose)));
                if (Wait)
                {
                    StreamUntilEnd(job);
                    continue;
                }
                job.StartJob();
            }
            catch (LguestException e)
            {
                WriteLguestError(e, vm);
                continue;
            }
            JobRepository.Add(job);
            WriteObject(job);
        }
    }

    /// <summary>-Wait: the job is ours alone; drain its streams into the pipeline until it finishes.</summary>
    private void StreamUntilEnd(LguestVmJob job)
    {
        using var signal = new AutoResetEvent(false);
        job.Output.DataAdded += (_, _) => signal.Set();
        job.Error.DataAdded += (_, _) => signal.Set();
        job.Warning.DataAdded += (_, _) => signal.Set();
        job.Verbose.DataAdded += (_, _) => signal.Set();
        job.StateChanged += (_, _) => signal.Set();
        _streaming = job;
        try
        {
            job.StartJob();
            while (true)
            {
                // Read the state first: whatever the job adds before finishing is then drained below.
                bool finished = job.IsFinished;
                foreach (var line in job.Output.ReadAll()) WriteObject(line);
                foreach (var w in job.Warning.ReadAll()) WriteWarning(w.Message);
                foreach (var v in job.Verbose.ReadAll()) WriteVerbose(v.Message);
                foreach (var e in job.Error.ReadAll()) WriteError(e);
                if (finished) break;
                signal.WaitOne(250);
            }
        }
        finally
        {
            _streaming = null;
            // Stopped (^C) or failed while writing: the VM must not outlive the pipeline that owned it.
            if (!job.IsFinished) job.StopJob();
            job.Dispose();
        }
    }

    protected override void StopProcessing() => _streaming?.StopJob();
}
