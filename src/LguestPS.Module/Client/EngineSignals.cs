using System;
using System.Threading;

namespace LguestPS.Client;

/*
 * The one way to signal an engine. Once the process is reaped its pid may
 * be handed to someone else's process, so no signal is sent after
 * MarkReaped: the check and the kill happen under one lock.
 *
 * Terminate is SIGTERM (the engine flushes its disks, writes its `exit`
 * event and goes), with SIGKILL after a grace period for an engine that
 * does not; Kill is SIGKILL at once (no flush: pulling the plug). A later
 * power-button stop would ask over the control channel first and come here
 * only when its own timeout runs out.
 */
internal sealed class EngineSignals
{
    private readonly object _lock = new();
    private readonly ManualResetEventSlim _reaped = new(false);
    private Timer? _killTimer;

    internal EngineSignals(int processId) => ProcessId = processId;

    internal int ProcessId { get; }

    internal bool IsReaped => _reaped.IsSet;

    /// <summary>SIGTERM now and SIGKILL after <paramref name="grace"/>, unless the engine is gone by then. Returns at once.</summary>
    internal void Terminate(TimeSpan grace)
    {
        lock (_lock)
        {
            if (!Send(Posix.SIGTERM) || _killTimer != null) return;
            _killTimer = new Timer(_ => Kill(), null, grace, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>SIGKILL now.</summary>
    internal void Kill()
    {
        lock (_lock) Send(Posix.SIGKILL);
    }

    /// <summary>The process was reaped: from here on its pid is not ours to signal.</summary>
    internal void MarkReaped()
    {
        lock (_lock)
        {
            _reaped.Set();
            _killTimer?.Dispose();
        }
    }

    internal bool WaitReaped(TimeSpan timeout) => _reaped.Wait(timeout);

    private bool Send(int signal) => !IsReaped && Posix.Kill(ProcessId, signal);
}
