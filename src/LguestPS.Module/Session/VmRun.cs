using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using LguestPS.Client;

namespace LguestPS.Session;

/// <summary>Who hears about a run: its job.</summary>
internal interface IVmRunListener
{
    void OnConsoleLine(LguestConsoleLine line);
    void OnEvent(EngineEvent e);
    void OnExit(RunOutcome outcome, LguestException? error, EngineExit exit);
}

/// <summary>
/// One run of a VM: one engine process from start to exit. It keeps the VM's
/// state in step with the engine's events, records the console for pattern
/// waits, and tells its listener (the VM's job) everything in order.
/// </summary>
internal sealed class VmRun : IEngineListener
{
    private readonly ManualResetEventSlim _ended = new(false);
    private readonly object _gate = new();
    private bool _exiting;
    private IVmRunListener? _listener;

    internal VmRun(LguestVm vm, string enginePath, IReadOnlyList<string> arguments)
    {
        Vm = vm;
        EnginePath = enginePath;
        Arguments = arguments;
    }

    internal LguestVm Vm { get; }
    internal string EnginePath { get; }
    internal IReadOnlyList<string> Arguments { get; }
    internal ConsoleHistory History { get; } = new();
    internal VmProcess? Process { get; private set; }
    internal RunOutcome? Outcome { get; private set; }
    internal LguestException? Error { get; private set; }
    internal bool HasEnded => _ended.IsSet;
    internal WaitHandle EndedHandle => _ended.WaitHandle;

    /// <summary>The engine's command line, for the job's Command and for people.</summary>
    internal string CommandLine => string.Join(" ", new[] { EnginePath }.Concat(Arguments));

    /// <summary>Set once, before Start: everything the run reports goes there.</summary>
    internal void SetListener(IVmRunListener listener) => _listener = listener;

    /// <summary>Starts the engine. The VM is Starting until the engine reports the guest ready.</summary>
    internal void Start()
    {
        var previous = (Vm.Run, Vm.State, Vm.ExitReason, Vm.ExitCode);
        Vm.Run = this;
        Vm.State = LguestVmState.Starting;
        Vm.ExitReason = null;
        Vm.ExitCode = null;
        try
        {
            Process = VmProcess.Start(EnginePath, Arguments, Vm.Name, this);
        }
        catch
        {
            (Vm.Run, Vm.State, Vm.ExitReason, Vm.ExitCode) = previous;
            throw;
        }
    }

    /// <summary>Stops the engine (SIGTERM, SIGKILL after the grace period; at once with force) and waits for the end.</summary>
    internal void Stop(bool force, TimeSpan grace)
    {
        RequestStop(force, grace);
        if (Process != null) _ended.Wait();
    }

    /// <summary>Like Stop, but returns at once.</summary>
    internal void RequestStop(bool force, TimeSpan grace)
    {
        lock (_gate)
        {
            // Once the end is being reported, the VM's state is the end's to set.
            if (Process == null || _exiting) return;
            Vm.State = LguestVmState.Stopping;
        }
        Process.RequestStop(force, grace);
    }

    internal bool WaitForEnd(TimeSpan timeout) => _ended.Wait(timeout);

    void IEngineListener.OnConsoleLine(LguestConsoleLine line)
    {
        // The job first: whoever a pattern wait wakes must find the line in Receive-Job already.
        _listener?.OnConsoleLine(line);
        History.Add(line);
    }

    void IEngineListener.OnEvent(EngineEvent e)
    {
        if (e.Name == EngineEvent.Ready && Vm.State == LguestVmState.Starting) Vm.State = LguestVmState.Running;
        _listener?.OnEvent(e);
    }

    void IEngineListener.OnExit(EngineExit exit)
    {
        lock (_gate) _exiting = true;
        var outcome = LguestErrors.Classify(exit, Vm.Name, out var error);
        Outcome = outcome;
        Error = error;
        Vm.ExitCode = exit.ExitCode;
        Vm.ExitReason = exit.Reason;
        Vm.State = outcome == RunOutcome.Failed ? LguestVmState.Failed : LguestVmState.Off;
        History.Close();
        try { _listener?.OnExit(outcome, error, exit); }
        finally { _ended.Set(); }
    }
}
