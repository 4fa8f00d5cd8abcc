using System;
using System.Collections.Generic;

namespace LguestPS.Contract;

/*
 * Every way the engine can end, as one table: the reason word of the JSON
 * `exit` event, the process exit code, what the end means, and the error id
 * a client reports for a failure when the engine said nothing more precise
 * (no `error` event). docs/engine.md shows the same table and a test keeps
 * the two equal. Reason words and codes are public: add rows, never change
 * one. Two reasons may share a code (a shell script cares about the class of
 * end, a client reads the word).
 *
 * Code 6 was `bad-driver`, documented but never emitted: a driver that
 * breaks the virtio rules puts only its own device into DEVICE_NEEDS_RESET
 * (virtio 1.x, 2.1.2) and the VM runs on, so no VM ever ends that way. The
 * code stays unused, so an old script that tested for 6 never misreads a new
 * reason.
 */
public sealed class ExitReason
{
    private static readonly List<ExitReason> Table = new List<ExitReason>();

    public static readonly ExitReason PowerOff = new ExitReason("poweroff", 0, ExitOutcome.Clean);
    public static readonly ExitReason Reboot = new ExitReason("reboot", 0, ExitOutcome.Clean);
    public static readonly ExitReason Error = new ExitReason("error", 1, ExitOutcome.Failure, "EngineStartFailed");
    public static readonly ExitReason Usage = new ExitReason("usage", 2, ExitOutcome.Failure, "UsageError");
    public static readonly ExitReason KvmError = new ExitReason("kvm-error", 3, ExitOutcome.Failure, "KvmFailed");
    public static readonly ExitReason TripleFault = new ExitReason("triple-fault", 4, ExitOutcome.Failure, "GuestTripleFault");
    public static readonly ExitReason EmulationFailure = new ExitReason("emulation-failure", 5, ExitOutcome.Failure, "GuestEmulationFailure");
    public static readonly ExitReason InternalError = new ExitReason("internal-error", 5, ExitOutcome.Failure, "GuestEmulationFailure");
    public static readonly ExitReason EngineError = new ExitReason("engine-error", 7, ExitOutcome.Failure, "EngineFailed");
    public static readonly ExitReason SandboxViolation = new ExitReason("sandbox-violation", 10, ExitOutcome.Failure, "EngineSandboxViolation");
    public static readonly ExitReason ConsoleInterrupt = new ExitReason("console-interrupt", 8, ExitOutcome.Stop);
    public static readonly ExitReason Panic = new ExitReason("panic", 9, ExitOutcome.Failure, "GuestPanicked");
    public static readonly ExitReason SigInt = new ExitReason("sigint", 130, ExitOutcome.Stop);
    public static readonly ExitReason SigTerm = new ExitReason("sigterm", 143, ExitOutcome.Stop);
    public static readonly ExitReason SigHup = new ExitReason("sighup", 129, ExitOutcome.Stop);
    public static readonly ExitReason SigQuit = new ExitReason("sigquit", 131, ExitOutcome.Stop);

    private ExitReason(string name, int code, ExitOutcome outcome, string? failureId = null)
    {
        if ((outcome == ExitOutcome.Failure) != (failureId != null))
            throw new ArgumentException($"exit reason {name}: a failure, and only a failure, names an error id");
        Name = name;
        Code = code;
        Outcome = outcome;
        FailureId = failureId;
        Table.Add(this);
    }

    /// <summary>The reason word of the `exit` event, e.g. <c>triple-fault</c>.</summary>
    public string Name { get; }

    /// <summary>The engine's process exit code.</summary>
    public int Code { get; }

    public ExitOutcome Outcome { get; }

    /// <summary>For a failure, the error id to report when the engine gave no `error` event; null otherwise.</summary>
    public string? FailureId { get; }

    /// <summary>Every exit reason, in table order.</summary>
    public static IReadOnlyList<ExitReason> All => Table;

    /// <summary>The exit reason with this word, or null for one this contract does not know.</summary>
    public static ExitReason? FromName(string? name)
    {
        foreach (var r in Table)
            if (r.Name == name) return r;
        return null;
    }

    /// <summary>
    /// The first exit reason with this code (poweroff for 0, emulation-failure for 5), for an engine that
    /// died without its `exit` event; null for a code the engine never uses (a signal killed it, say).
    /// </summary>
    public static ExitReason? FromCode(int code)
    {
        foreach (var r in Table)
            if (r.Code == code) return r;
        return null;
    }

    public override string ToString() => Name;
}
