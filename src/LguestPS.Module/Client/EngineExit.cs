using System;

namespace LguestPS.Client;

/// <summary>How one run of the engine ended: its exit code, the `exit` event and the last `error` event.</summary>
internal sealed class EngineExit
{
    internal EngineExit(int exitCode, string reason, string message, string? errorId, string? errorMessage, bool stopRequested, TimeSpan time)
    {
        ExitCode = exitCode;
        Reason = reason;
        Message = message;
        ErrorId = errorId;
        ErrorMessage = errorMessage;
        StopRequested = stopRequested;
        Time = time;
    }

    /// <summary>The process's exit code (128 + N when signal N killed it).</summary>
    internal int ExitCode { get; }

    /// <summary>The `exit` event's reason (docs/engine.md), or one derived from the exit code when the engine died without saying.</summary>
    internal string Reason { get; }

    /// <summary>The `exit` event's message, or what the engine last said on stderr.</summary>
    internal string Message { get; }

    /// <summary>The stable id of the last `error` event, if there was one.</summary>
    internal string? ErrorId { get; }

    internal string? ErrorMessage { get; }

    /// <summary>True when the module asked the engine to stop (Stop-LguestVm, Stop-Job, the runspace closing).</summary>
    internal bool StopRequested { get; }

    /// <summary>How long the engine ran.</summary>
    internal TimeSpan Time { get; }
}

/// <summary>What a run's end means for its job.</summary>
internal enum RunOutcome
{
    /// <summary>The guest powered off, or rebooted with -OnReboot Exit.</summary>
    Completed,
    /// <summary>Someone stopped it: Stop-LguestVm, Stop-Job, a signal, three ^C on the console.</summary>
    Stopped,
    /// <summary>The engine or the guest failed; an error says why.</summary>
    Failed,
}
