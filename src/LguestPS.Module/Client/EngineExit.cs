using System;
using LguestPS.Contract;

namespace LguestPS.Client;

/// <summary>How one run of the engine ended: its exit code, the `exit` event and the last `error` event.</summary>
internal sealed class EngineExit
{
    /// <summary>
    /// The reason words of an engine that died without its `exit` event and
    /// with a code the contract does not use: killed by SIGKILL (128 + 9), or
    /// anything else (a runtime crash, another signal).
    /// </summary>
    internal const string Killed = "killed", Crashed = "crashed";

    private const int KilledCode = 128 + 9;

    internal EngineExit(int exitCode, string reason, string message, string? errorId, string? errorMessage, bool stopRequested, TimeSpan time)
    {
        ExitCode = exitCode;
        Reason = reason;
        Message = message;
        ErrorId = errorId;
        ErrorMessage = errorMessage;
        StopRequested = stopRequested;
        Time = time;
        Kind = ExitReason.FromName(reason) ?? ExitReason.FromCode(exitCode);
    }

    /// <summary>
    /// What the engine said about its end, or, when it died without saying
    /// (killed, crashed), what its exit code and its last words on stderr tell.
    /// </summary>
    internal static EngineExit Read(int exitCode, EventReader events, bool stopRequested, TimeSpan time) => new(
        exitCode,
        events.ExitEvent?.GetString(Events.Exit.Reason) ?? ReasonForCode(exitCode),
        events.ExitEvent?.GetString(Events.Exit.Message) ?? events.TextTail ?? $"the engine exited with code {exitCode} and said nothing",
        events.LastError?.GetString(Events.Error.Id),
        events.LastError?.GetString(Events.Error.Message),
        stopRequested,
        time);

    /// <summary>The reason word for an exit code, when the engine exited without its `exit` event.</summary>
    internal static string ReasonForCode(int exitCode) =>
        ExitReason.FromCode(exitCode)?.Name ?? (exitCode == KilledCode ? Killed : Crashed);

    /// <summary>The process's exit code (128 + N when signal N killed it).</summary>
    internal int ExitCode { get; }

    /// <summary>The `exit` event's reason word, or one derived from the exit code when the engine died without saying.</summary>
    internal string Reason { get; }

    /// <summary>
    /// The contract's row for <see cref="Reason"/>, or for the exit code when
    /// the word is one this module does not know (a newer engine's); null for
    /// killed and crashed.
    /// </summary>
    internal ExitReason? Kind { get; }

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
    /// What the end means (the contract's outcome of the exit reason), except
    /// that a stop we asked for is a stop however the engine went, unless the
    /// guest had already ended cleanly.
    /// </summary>
    internal RunOutcome Outcome => (Kind?.Outcome, StopRequested) switch
    {
        (ExitOutcome.Clean, _) => RunOutcome.Completed,
        (_, true) => RunOutcome.Stopped,
        (ExitOutcome.Stop, _) => RunOutcome.Stopped,
        _ => RunOutcome.Failed,
    };

    /// <summary>The error of a failed run (its errorId from LguestErrors); null when the run did not fail.</summary>
    internal LguestException? ToError(string vmName) =>
        Outcome != RunOutcome.Failed ? null
        : LguestErrors.Fail(LguestErrors.ForFailedRun(ErrorId, Kind, Reason == Killed),
            $"VM '{vmName}': {ErrorMessage ?? Message} (engine exit code {ExitCode}, {Reason})");
}
