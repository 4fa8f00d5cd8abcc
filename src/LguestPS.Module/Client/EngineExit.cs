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

    /// <summary>
    /// What the engine said about its end, or, when it died without saying
    /// (killed, crashed), what its exit code and its last words on stderr tell.
    /// </summary>
    internal static EngineExit Read(int exitCode, EventReader events, bool stopRequested, TimeSpan time) => new(
        exitCode,
        events.ExitEvent?.GetString("reason") ?? LguestErrors.ExitReasonForCode(exitCode),
        events.ExitEvent?.GetString("message") ?? events.TextTail ?? $"the engine exited with code {exitCode} and said nothing",
        events.LastError?.GetString("id"),
        events.LastError?.GetString("message"),
        stopRequested,
        time);

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

    /// <summary>
    /// A clean exit completes; a stop we asked for, or one from outside the
    /// guest (a signal, three ^C), stops; anything else failed.
    /// </summary>
    internal RunOutcome Outcome =>
        ExitCode == 0 ? RunOutcome.Completed
        : StopRequested || LguestErrors.ErrorIdForExitReason(Reason) == null ? RunOutcome.Stopped
        : RunOutcome.Failed;

    /// <summary>
    /// The error of a failed run: the engine's own error id when it gave one
    /// (KernelNotFound says more than "start-up failed"), else the one for the
    /// exit reason. Null when the run did not fail.
    /// </summary>
    internal LguestException? ToError(string vmName) =>
        Outcome != RunOutcome.Failed ? null
        : LguestErrors.Fail(ErrorId ?? LguestErrors.ErrorIdForExitReason(Reason)!,
            $"VM '{vmName}': {ErrorMessage ?? Message} (engine exit code {ExitCode}, {Reason})");
}
