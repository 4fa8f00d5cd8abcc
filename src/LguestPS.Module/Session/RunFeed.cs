using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;

namespace LguestPS.Session;

/*
 * Start-LguestVm -Wait: a run without a job. The run's listener is a queue,
 * and the cmdlet's own thread (the only one allowed to write to its
 * pipeline) takes from it: console lines, Verbose and Warning records, and
 * at the end the run's error if it failed. The VM never outlives the
 * pipeline that owns it: when the enumeration stops early (Ctrl+C, a
 * downstream Select-Object -First, an error), the run is stopped before the
 * cmdlet returns.
 */
internal sealed class RunFeed : IVmRunListener
{
    private readonly BlockingCollection<object> _records = new();

    private RunFeed() { }

    /// <summary>
    /// Starts a run of the VM and yields what it reports until it ends or
    /// <paramref name="cancel"/> fires: LguestConsoleLine, VerboseRecord,
    /// WarningRecord and, last, an ErrorRecord if the run failed. Throws
    /// LguestException if the VM cannot start.
    /// </summary>
    internal static IEnumerable<object> Follow(LguestVm vm, VmRunOptions options, CancellationToken cancel)
    {
        var run = VmRun.Prepare(vm, options);
        var feed = new RunFeed();
        run.Start(feed);
        try
        {
            while (feed.TryTake(out var record, cancel)) yield return record;
        }
        finally
        {
            if (!run.HasEnded) run.Stop(StopMode.Terminate);
        }
    }

    private bool TryTake(out object record, CancellationToken cancel)
    {
        try
        {
            return _records.TryTake(out record!, Timeout.Infinite, cancel);
        }
        catch (OperationCanceledException)
        {
            record = null!;
            return false;
        }
    }

    void IVmRunListener.OnConsoleLine(LguestConsoleLine line) => _records.Add(line);

    void IVmRunListener.OnDiagnostic(InformationalRecord record) => _records.Add(record);

    void IVmRunListener.OnEnded(VmRun run)
    {
        if (run.Error != null) _records.Add(run.Error.ToErrorRecord(run.Vm));
        _records.CompleteAdding();
    }
}
