using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;

namespace LguestPS.Session;

/*
 * Start-LguestVm -Wait: runs without a job. Every run's listener is one
 * queue, and the cmdlet's own thread (the only one allowed to write to its
 * pipeline) takes from it: console lines, Verbose and Warning records, and
 * a run's error when it fails. With several VMs they all start at once and
 * their records arrive interleaved, as the guests write them (each line
 * says which VM it is from), not one VM after another.
 *
 * The VMs never outlive the pipeline that owns them: when the enumeration
 * stops early (Ctrl+C, a downstream Select-Object -First, an error), the
 * runs still going are stopped before the cmdlet returns. A timeout ends
 * them the same way, as timeout(1) ends a command: each VM still running
 * is stopped (SIGTERM, so its disks are flushed) with a WaitTimeout error,
 * and its last lines and its end still come through.
 */
internal sealed class RunFeed : IVmRunListener
{
    private readonly BlockingCollection<object> _records = new();
    private int _live = 1; // runs not yet ended, plus one for the starting itself: no run's end completes the feed early

    private RunFeed() { }

    /// <summary>
    /// Starts a run of each VM and yields what they report until all have
    /// ended, <paramref name="timeout"/> has stopped them, or
    /// <paramref name="cancel"/> fires: LguestConsoleLine, VerboseRecord,
    /// WarningRecord, and an ErrorRecord for a VM that could not start, was
    /// timed out, or failed.
    /// </summary>
    internal static IEnumerable<object> Follow(IReadOnlyList<LguestVm> vms, VmRunOptions options, TimeSpan timeout, CancellationToken cancel)
    {
        var feed = new RunFeed();
        var runs = new List<VmRun>();
        var refused = new List<ErrorRecord>();
        foreach (var vm in vms)
        {
            try
            {
                var run = VmRun.Prepare(vm, options);
                Interlocked.Increment(ref feed._live);
                try { run.Start(feed); }
                catch { feed.Ended(); throw; }
                runs.Add(run);
            }
            catch (LguestException e)
            {
                refused.Add(e.ToErrorRecord(vm));
            }
        }
        feed.Ended(); // the starting is over

        try
        {
            foreach (var error in refused) yield return error;
            var deadline = timeout == Timeout.InfiniteTimeSpan ? DateTime.MaxValue : DateTime.UtcNow + timeout;
            while (true)
            {
                var left = deadline == DateTime.MaxValue ? Timeout.InfiniteTimeSpan
                    : deadline - DateTime.UtcNow is var l && l > TimeSpan.Zero ? l : TimeSpan.Zero;
                var (taken, record, done) = feed.Take(left, cancel);
                if (done) yield break;
                if (taken)
                {
                    yield return record!;
                    continue;
                }
                // The timeout: every run still going is stopped, and its end still comes through the feed.
                deadline = DateTime.MaxValue;
                foreach (var run in runs.Where(r => !r.HasEnded))
                {
                    run.RequestStop(StopMode.Terminate);
                    yield return LguestErrors.Fail("WaitTimeout",
                        $"VM '{run.Vm.Name}' was still running after -Timeout {timeout.TotalSeconds:0.###} s, so it was stopped.").ToErrorRecord(run.Vm);
                }
            }
        }
        finally
        {
            var going = runs.Where(r => !r.HasEnded).ToList();
            foreach (var run in going) run.RequestStop(StopMode.Terminate);
            foreach (var run in going) run.WaitForEnd(Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The next record; taken false when <paramref name="wait"/> passed first; done when every run has ended or the wait was cancelled.</summary>
    private (bool Taken, object? Record, bool Done) Take(TimeSpan wait, CancellationToken cancel)
    {
        try
        {
            if (_records.TryTake(out var record, (int)Math.Min(wait.TotalMilliseconds, int.MaxValue), cancel)) return (true, record, false);
            return (false, null, _records.IsCompleted);
        }
        catch (OperationCanceledException)
        {
            return (false, null, true);
        }
    }

    private void Ended()
    {
        if (Interlocked.Decrement(ref _live) == 0) _records.CompleteAdding();
    }

    void IVmRunListener.OnConsoleLine(LguestConsoleLine line) => _records.Add(line);

    void IVmRunListener.OnDiagnostic(InformationalRecord record) => _records.Add(record);

    void IVmRunListener.OnEnded(VmRun run)
    {
        if (run.Error != null) _records.Add(run.Error.ToErrorRecord(run.Vm));
        Ended();
    }
}
