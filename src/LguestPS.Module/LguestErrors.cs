using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LguestPS.Contract;

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
 * The one place where failures get their errorId and ErrorCategory: the
 * engine's error ids (LguestPS.Contract.ErrorId, whose words become errorIds
 * verbatim so a user can search for either), the ends of a run the engine
 * gave no error id for (the contract's ExitReason names an errorId for each
 * failure; an engine that died without a word gets one of ours), and the
 * module's own checks. Add ids, never rename them: scripts match on them.
 */
internal static class LguestErrors
{
    /// <summary>Every id of the contract, each with its category (ModuleContractTests: no id is missing).</summary>
    internal static readonly IReadOnlyDictionary<ErrorId, ErrorCategory> EngineErrors = new Dictionary<ErrorId, ErrorCategory>
    {
        [ErrorId.UsageError] = ErrorCategory.InvalidArgument,
        [ErrorId.InvalidArgument] = ErrorCategory.InvalidArgument,
        [ErrorId.KernelNotFound] = ErrorCategory.ObjectNotFound,
        [ErrorId.KernelUnreadable] = ErrorCategory.ReadError,
        [ErrorId.KernelInvalid] = ErrorCategory.InvalidData,
        [ErrorId.InitrdNotFound] = ErrorCategory.ObjectNotFound,
        [ErrorId.InitrdUnreadable] = ErrorCategory.ReadError,
        [ErrorId.InitrdTooLarge] = ErrorCategory.LimitsExceeded,
        [ErrorId.MemoryTooSmall] = ErrorCategory.InvalidArgument,
        [ErrorId.MemoryTooLarge] = ErrorCategory.InvalidArgument,
        [ErrorId.KvmUnavailable] = ErrorCategory.ResourceUnavailable,
        [ErrorId.KvmFailed] = ErrorCategory.DeviceError,
        [ErrorId.PermissionDenied] = ErrorCategory.PermissionDenied,
        [ErrorId.DeviceInvalid] = ErrorCategory.InvalidArgument,
        [ErrorId.DiskInUse] = ErrorCategory.ResourceBusy,
        [ErrorId.InternalError] = ErrorCategory.NotSpecified,
    };

    /// <summary>
    /// Every failing row of the contract's exit table, with the category of
    /// the errorId it names (ExitReason.FailureId), for a run that failed
    /// without an error id of the engine's. Two rows may share an errorId,
    /// and an errorId may be an engine error id too: then with one category.
    /// </summary>
    internal static readonly IReadOnlyDictionary<ExitReason, ErrorCategory> FailedExits = new Dictionary<ExitReason, ErrorCategory>
    {
        [ExitReason.Error] = ErrorCategory.NotSpecified,
        [ExitReason.Usage] = ErrorCategory.InvalidArgument,
        [ExitReason.KvmError] = ErrorCategory.DeviceError,
        [ExitReason.TripleFault] = ErrorCategory.OperationStopped,
        [ExitReason.EmulationFailure] = ErrorCategory.NotImplemented,
        [ExitReason.InternalError] = ErrorCategory.NotImplemented,
        [ExitReason.EngineError] = ErrorCategory.NotSpecified,
    };

    /// <summary>The errorIds of an engine that died without its `exit` event: SIGKILL, or anything else.</summary>
    internal const string EngineKilled = "EngineKilled", EngineCrashed = "EngineCrashed";

    private static readonly Dictionary<string, ErrorCategory> Categories = Build(
        EngineErrors.Select(e => (e.Key.Name(), e.Value)),
        FailedExits.Select(e => (e.Key.FailureId!, e.Value)),
        new (string, ErrorCategory)[]
        {
            (EngineKilled, ErrorCategory.OperationStopped),
            (EngineCrashed, ErrorCategory.NotSpecified),

            // The module's own checks.
            ("EngineNotFound", ErrorCategory.ObjectNotFound),
            ("EngineStartError", ErrorCategory.OpenError),
            ("BlockDeviceNotFound", ErrorCategory.ObjectNotFound),
            ("BlockDeviceInvalid", ErrorCategory.InvalidArgument),
            ("DeviceAlreadyAttached", ErrorCategory.ResourceExists),
            ("TooManyDevices", ErrorCategory.LimitsExceeded),
            ("InitrdInvalid", ErrorCategory.InvalidArgument),
            ("TapAddressInvalid", ErrorCategory.InvalidArgument),
            ("BridgeNotFound", ErrorCategory.ObjectNotFound),
            ("TapUnavailable", ErrorCategory.ResourceUnavailable),
            ("VmNameInUse", ErrorCategory.ResourceExists),
            ("VmNotFound", ErrorCategory.ObjectNotFound),
            ("VmRunning", ErrorCategory.InvalidOperation),
            ("VmNotRunning", ErrorCategory.InvalidOperation),
            ("VmRemoved", ErrorCategory.InvalidOperation),
            ("PatternInvalid", ErrorCategory.InvalidArgument),
            ("WaitTimeout", ErrorCategory.OperationTimeout),
            ("VmExitedBeforeMatch", ErrorCategory.OperationStopped),
        });

    private static Dictionary<string, ErrorCategory> Build(params IEnumerable<(string Id, ErrorCategory Category)>[] parts)
    {
        var all = new Dictionary<string, ErrorCategory>(StringComparer.Ordinal);
        foreach (var (id, category) in parts.SelectMany(p => p))
        {
            if (all.TryGetValue(id, out var other) && other != category)
                throw new InvalidOperationException($"errorId {id} has two categories, {other} and {category}: one id, one category.");
            all[id] = category;
        }
        return all;
    }

    /// <summary>Every errorId this module writes (for tests and docs).</summary>
    internal static IEnumerable<string> AllErrorIds => Categories.Keys;

    internal static ErrorCategory CategoryOf(string errorId) =>
        Categories.TryGetValue(errorId, out var c) ? c : ErrorCategory.NotSpecified;

    internal static LguestException Fail(string errorId, string message, Exception? inner = null) => new(errorId, message, inner);

    /// <summary>A failure the module finds before the engine would, under the engine's own id.</summary>
    internal static LguestException Fail(ErrorId errorId, string message) => new(errorId.Name(), message);

    internal static ErrorRecord ToErrorRecord(this LguestException e, object? target)
    {
        e.Target ??= target;
        return new ErrorRecord(e, e.ErrorId, e.Category, target);
    }

    /// <summary>
    /// The errorId of a run that failed: the engine's own error id when it
    /// gave one (KernelNotFound says more than "start-up failed"), else the
    /// contract's for its exit reason, else ours for an engine that died
    /// without saying why.
    /// </summary>
    internal static string ForFailedRun(string? engineErrorId, ExitReason? reason, bool killed) =>
        engineErrorId ?? reason?.FailureId ?? (killed ? EngineKilled : EngineCrashed);
}
