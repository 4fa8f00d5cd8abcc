using System;
using System.Collections.Generic;
using System.Management.Automation;
using LguestPS.Client;

namespace LguestPS;

/// <summary>
/// A failure with a stable errorId. Thrown by validation and the engine
/// client; cmdlets and jobs turn it into an ErrorRecord through
/// <see cref="LguestErrors"/>, so every errorId has exactly one category.
/// </summary>
public sealed class LguestException : Exception, IContainsErrorRecord
{
    internal LguestException(string errorId, string message, Exception? inner = null) : base(message, inner)
    {
        ErrorId = errorId;
        Category = LguestErrors.CategoryOf(errorId);
    }

    /// <summary>The stable errorId, e.g. KernelNotFound. It is the ErrorRecord's FullyQualifiedErrorId's first part.</summary>
    public string ErrorId { get; }

    /// <summary>The ErrorCategory that goes with the errorId.</summary>
    public ErrorCategory Category { get; }

    /// <summary>The VM (or path, or name) the failure is about.</summary>
    internal object? Target { get; set; }

    /// <summary>
    /// What PowerShell shows for this exception wherever it surfaces, e.g.
    /// Receive-Job writing a failed job's JobStateInfo.Reason: the stable errorId and category.
    /// </summary>
    public ErrorRecord ErrorRecord => new(this, ErrorId, Category, Target);
}

/*
 * The one place where failures get their errorId and ErrorCategory: module
 * validation, the engine's JSON `error` ids (docs/engine.md, kept verbatim so
 * a user can search for either), and the engine's exit reasons. Add ids,
 * never rename them: scripts match on them.
 */
internal static class LguestErrors
{
    private static readonly Dictionary<string, ErrorCategory> Categories = new(StringComparer.Ordinal)
    {
        // The engine's stable error ids (JSON `error` events).
        ["UsageError"] = ErrorCategory.InvalidArgument,
        ["InvalidArgument"] = ErrorCategory.InvalidArgument,
        ["KernelNotFound"] = ErrorCategory.ObjectNotFound,
        ["KernelUnreadable"] = ErrorCategory.ReadError,
        ["KernelInvalid"] = ErrorCategory.InvalidData,
        ["InitrdNotFound"] = ErrorCategory.ObjectNotFound,
        ["InitrdUnreadable"] = ErrorCategory.ReadError,
        ["InitrdTooLarge"] = ErrorCategory.LimitsExceeded,
        ["MemoryTooSmall"] = ErrorCategory.InvalidArgument,
        ["MemoryTooLarge"] = ErrorCategory.InvalidArgument,
        ["KvmUnavailable"] = ErrorCategory.ResourceUnavailable,
        ["KvmFailed"] = ErrorCategory.DeviceError,
        ["PermissionDenied"] = ErrorCategory.PermissionDenied,
        ["DeviceInvalid"] = ErrorCategory.InvalidArgument,
        ["DiskInUse"] = ErrorCategory.ResourceBusy,
        ["InternalError"] = ErrorCategory.NotSpecified,

        // How a run ended, when the engine said no more than its exit reason.
        ["EngineStartFailed"] = ErrorCategory.NotSpecified,
        ["GuestTripleFault"] = ErrorCategory.OperationStopped,
        ["GuestEmulationFailure"] = ErrorCategory.NotImplemented,
        ["GuestDriverMisbehaved"] = ErrorCategory.ProtocolError,
        ["EngineFailed"] = ErrorCategory.NotSpecified,
        ["EngineKilled"] = ErrorCategory.OperationStopped,
        ["EngineCrashed"] = ErrorCategory.NotSpecified,

        // The module's own checks.
        ["EngineNotFound"] = ErrorCategory.ObjectNotFound,
        ["EngineStartError"] = ErrorCategory.OpenError,
        ["BlockDeviceNotFound"] = ErrorCategory.ObjectNotFound,
        ["BlockDeviceInvalid"] = ErrorCategory.InvalidArgument,
        ["DeviceAlreadyAttached"] = ErrorCategory.ResourceExists,
        ["InitrdInvalid"] = ErrorCategory.InvalidArgument,
        ["TapAddressInvalid"] = ErrorCategory.InvalidArgument,
        ["BridgeNotFound"] = ErrorCategory.ObjectNotFound,
        ["TapUnavailable"] = ErrorCategory.ResourceUnavailable,
        ["VmNameInUse"] = ErrorCategory.ResourceExists,
        ["VmNotFound"] = ErrorCategory.ObjectNotFound,
        ["VmRunning"] = ErrorCategory.InvalidOperation,
        ["VmNotRunning"] = ErrorCategory.InvalidOperation,
        ["VmRemoved"] = ErrorCategory.InvalidOperation,
        ["PatternInvalid"] = ErrorCategory.InvalidArgument,
        ["WaitTimeout"] = ErrorCategory.OperationTimeout,
        ["VmExitedBeforeMatch"] = ErrorCategory.OperationStopped,
    };

    /// <summary>Every errorId this module writes (for tests and docs).</summary>
    internal static IEnumerable<string> ErrorIds => Categories.Keys;

    internal static ErrorCategory CategoryOf(string errorId) =>
        Categories.TryGetValue(errorId, out var c) ? c : ErrorCategory.NotSpecified;

    internal static LguestException Fail(string errorId, string message, Exception? inner = null) => new(errorId, message, inner);

    internal static ErrorRecord ToErrorRecord(this LguestException e, object? target)
    {
        e.Target ??= target;
        return new ErrorRecord(e, e.ErrorId, e.Category, target);
    }

    /// <summary>
    /// What a run's end means: a clean exit completes, a requested or
    /// signalled one stops, anything else fails with the engine's own error id
    /// when it gave one (it names the cause: KernelNotFound says more than
    /// "start-up failed") and otherwise one for the exit reason.
    /// </summary>
    internal static RunOutcome Classify(EngineExit exit, string vmName, out LguestException? error)
    {
        error = null;
        if (exit.ExitCode == 0) return RunOutcome.Completed;
        if (exit.StopRequested || ErrorIdForExitReason(exit.Reason) == null) return RunOutcome.Stopped;
        string id = exit.ErrorId ?? ErrorIdForExitReason(exit.Reason)!;
        string what = exit.ErrorMessage ?? exit.Message;
        error = Fail(id, $"VM '{vmName}': {what} (engine exit code {exit.ExitCode}, {exit.Reason})");
        return RunOutcome.Failed;
    }

    /// <summary>The errorId for an engine exit reason (docs/engine.md "Exit codes"); null for a clean or requested end.</summary>
    internal static string? ErrorIdForExitReason(string reason) => reason switch
    {
        "poweroff" or "reboot" or "sigint" or "sigterm" or "console-interrupt" => null,
        "error" => "EngineStartFailed",
        "usage" => "UsageError",
        "kvm-error" => "KvmFailed",
        "triple-fault" => "GuestTripleFault",
        "emulation-failure" or "internal-error" => "GuestEmulationFailure",
        "bad-driver" => "GuestDriverMisbehaved",
        "engine-error" => "EngineFailed",
        "killed" => "EngineKilled",
        _ => "EngineCrashed",
    };

    /// <summary>The exit reason for an exit code, when the engine died without its `exit` event.</summary>
    internal static string ExitReasonForCode(int code) => code switch
    {
        0 => "poweroff",
        1 => "error",
        2 => "usage",
        3 => "kvm-error",
        4 => "triple-fault",
        5 => "emulation-failure",
        6 => "bad-driver",
        7 => "engine-error",
        8 => "console-interrupt",
        130 => "sigint",
        143 => "sigterm",
        137 => "killed",
        _ => "crashed",
    };
}
