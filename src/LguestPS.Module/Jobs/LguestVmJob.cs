using System;
using System.ComponentModel;
using System.Management.Automation;
using System.Reflection;
using System.Threading;
using LguestPS.Client;
using LguestPS.Session;

namespace LguestPS;

/*
 * A VM as a PowerShell job. Start-LguestVm puts one in the session's job
 * repository, so the job cmdlets people already know work on VMs:
 * Receive-Job yields the console lines as they arrive (-Wait streams them
 * until the VM ends), Wait-Job waits for the end, Stop-Job stops the VM and
 * Remove-Job forgets it. The state follows the VM: Completed on power-off,
 * Stopped when stopped, Failed with JobStateInfo.Reason and an ErrorRecord
 * when the engine or the guest failed.
 */
/// <summary>The job Start-LguestVm returns: one run of a VM.</summary>
public sealed class LguestVmJob : Job2, IVmRunListener
{
    /// <summary>The PSJobTypeName of every VM job.</summary>
    public const string JobTypeName = "LguestVmJob";

    private static readonly MethodInfo? SetJobStateWithReason = FindSetJobStateWithReason();

    private readonly VmRun _run;
    private readonly object _stateLock = new();
    private volatile bool _finished; // written under _stateLock; read without it by Dispose

    /// <summary>The job whose end this thread is announcing (see LguestVmJobSourceAdapter.GetJobByInstanceId).</summary>
    [ThreadStatic] internal static LguestVmJob? Finishing;

    private LguestVmJob(VmRun run) : base(run.CommandLine, run.Vm.Name)
    {
        _run = run;
        PSJobTypeName = JobTypeName;
    }

    /// <summary>
    /// Starts a run of the VM as a job and returns once the engine said ready
    /// (the job is Running) or the run ended. When the engine refused to
    /// start the guest, <paramref name="refused"/> says why: the job is then
    /// Failed, and its Warning and Verbose streams hold what the engine said.
    /// When <paramref name="cancel"/> fires first, the VM is stopped. Throws
    /// LguestException if the engine cannot be found or launched.
    /// </summary>
    internal static LguestVmJob Start(LguestVm vm, VmRunOptions options, CancellationToken cancel, out LguestException? refused)
    {
        var job = new LguestVmJob(VmRun.Prepare(vm, options));
        job.StartJob();
        refused = null;
        if (!job._run.WaitUntilRunning(cancel))
        {
            if (!job._run.HasEnded) job._run.Stop(StopMode.Terminate); // cancelled: no one will hold a job for this VM
            refused = job._run.Error;
        }
        return job;
    }

    /// <summary>The VM this job runs.</summary>
    public LguestVm VM => _run.Vm;

    public override string Location => "localhost";

    public override string StatusMessage => VM.ExitReason ?? VM.State.ToString();

    public override bool HasMoreData =>
        Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0;

    /// <summary>Starts the engine. Throws, and the job fails, if the process cannot start.</summary>
    public override void StartJob()
    {
        // Running first: a quick engine may be gone, and the job finished, before Start returns.
        SetJobState(JobState.Running);
        try
        {
            _run.Start(this);
        }
        catch (LguestException e)
        {
            Finish(JobState.Failed, e);
            throw;
        }
    }

    public override void StartJobAsync()
    {
        ThreadPool.QueueUserWorkItem(_ =>
        {
            Exception? error = null;
            try { StartJob(); }
            catch (Exception e) { error = e; }
            OnStartJobCompleted(new AsyncCompletedEventArgs(error, false, null));
        });
    }

    /// <summary>Stops the VM: SIGTERM so the engine flushes its disks, SIGKILL if it does not go. Returns when it is gone.</summary>
    public override void StopJob() => StopJob(force: false, reason: null);

    /// <summary>Stops the VM; with force, kills the engine at once.</summary>
    public override void StopJob(bool force, string? reason)
    {
        lock (_stateLock)
        {
            if (_finished) return;
            if (JobStateInfo.State == JobState.NotStarted)
            {
                Finish(JobState.Stopped, null);
                return;
            }
            if (JobStateInfo.State != JobState.Stopping) SetJobState(JobState.Stopping);
        }
        _run.Stop(force ? StopMode.Kill : StopMode.Terminate);
    }

    public override void StopJobAsync() => StopJobAsync(force: false, reason: null);

    public override void StopJobAsync(bool force, string? reason)
    {
        ThreadPool.QueueUserWorkItem(_ =>
        {
            Exception? error = null;
            try { StopJob(force, reason); }
            catch (Exception e) { error = e; }
            OnStopJobCompleted(new AsyncCompletedEventArgs(error, false, null));
        });
    }

    // A job's suspension is PowerShell's workflow checkpointing, not a paused VM: Suspend-LguestVm is that.
    public override void SuspendJob() => throw NotSupported();
    public override void SuspendJobAsync() => throw NotSupported();
    public override void SuspendJob(bool force, string? reason) => throw NotSupported();
    public override void SuspendJobAsync(bool force, string? reason) => throw NotSupported();
    public override void ResumeJob() => throw NotSupported();
    public override void ResumeJobAsync() => throw NotSupported();
    public override void UnblockJob() => throw NotSupported();
    public override void UnblockJobAsync() => throw NotSupported();

    private static NotSupportedException NotSupported() =>
        new("A VM job cannot be suspended, resumed or unblocked: pause the VM with Suspend-LguestVm and Resume-LguestVm, stop it with Stop-Job or Stop-LguestVm.");

    void IVmRunListener.OnConsoleLine(LguestConsoleLine line) => Output.Add(PSObject.AsPSObject(line));

    void IVmRunListener.OnDiagnostic(InformationalRecord record)
    {
        if (record is WarningRecord warning) Warning.Add(warning);
        else if (record is VerboseRecord verbose) Verbose.Add(verbose);
    }

    void IVmRunListener.OnEnded(VmRun run)
    {
        switch (run.Outcome)
        {
            case RunOutcome.Completed: Finish(JobState.Completed, null); break;
            case RunOutcome.Stopped: Finish(JobState.Stopped, null); break;
            default:
                Error.Add(run.Error!.ToErrorRecord(VM));
                Finish(JobState.Failed, run.Error);
                break;
        }
    }

    /// <summary>The one way a job ends: once, under the lock StopJob takes, so a stop never lands on a finished job.</summary>
    private void Finish(JobState state, Exception? reason)
    {
        lock (_stateLock)
        {
            if (_finished) return;
            _finished = true;
            Finishing = this;
            try
            {
                if (reason != null && SetJobStateWithReason != null)
                    SetJobStateWithReason.Invoke(this, new object[] { state, reason });
                else
                    SetJobState(state);
            }
            finally { Finishing = null; }
        }
    }

    /// <summary>
    /// PowerShellStandard hides SetJobState(JobState, Exception), the only way
    /// to give a failed job its JobStateInfo.Reason; every PowerShell 7 has it
    /// on Job2 (protected), so it is looked up once, by reflection.
    /// </summary>
    private static MethodInfo? FindSetJobStateWithReason()
    {
        for (var t = typeof(LguestVmJob).BaseType; t != null; t = t.BaseType)
        {
            var m = t.GetMethod("SetJobState", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly,
                null, new[] { typeof(JobState), typeof(Exception) }, null);
            if (m != null) return m;
        }
        return null;
    }

    /*
     * Receive-Job -Wait -AutoRemoveJob disposes the job on its pipeline's
     * thread while Finish, on the run's own thread, is still inside
     * SetJobState, where PowerShell's handler waits for that pipeline thread:
     * Dispose must take no lock Finish holds (it did, and Receive-Job hung for
     * good about one run in four), and must not wait for the run, which ends
     * only when Finish returns. A finished job has nothing left to stop.
     */
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_finished && !_run.HasEnded) _run.Stop(StopMode.Terminate);
        base.Dispose(disposing);
    }
}
